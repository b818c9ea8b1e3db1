import Foundation
import MailscopeCore

/// The Exchange Online admin REST endpoint that the ExchangeOnlineManagement v3 module itself calls
/// (`/adminapi/beta/{tenant}/InvokeCommand`): it runs cmdlets and answers JSON.
public struct ExchangeAdminClient: Sendable {
    /// The Exchange base URL.
    public let base: URL
    /// The tenant ID.
    public let tenantID: String
    /// The routing hint: `UPN:<admin>` (delegated) or `APP:SystemMailbox{…}@<tenant>` (app-only).
    public let anchorMailbox: String
    private let tokens: any AccessTokenProvider
    private let sender: RequestSender

    /// Creates a client.
    public init(
        base: URL,
        tenantID: String,
        anchorMailbox: String,
        tokens: any AccessTokenProvider,
        sender: RequestSender
    ) {
        self.base = base
        self.tenantID = tenantID
        self.anchorMailbox = anchorMailbox
        self.tokens = tokens
        self.sender = sender
    }

    /// The anchor for app-only calls.
    public static func appAnchor(tenantID: String) -> String {
        "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@\(tenantID)"
    }

    /// Runs `cmdlet` with `parameters` and returns every output object (all pages).
    /// Read cmdlets (`Get-*`, `Test-*`) are retried after a broken connection; writes are not.
    @discardableResult
    public func invoke(_ cmdlet: String, _ parameters: [String: JSONValue] = [:]) async throws -> [JSONValue] {
        guard let first = base.appending(rawPath: "/adminapi/beta/\(Query.segment(tenantID))/InvokeCommand") else {
            throw MicrosoftError(
                service: .exchange,
                status: 0,
                code: "BadURL",
                message: base.absoluteString,
                request: cmdlet
            )
        }
        let body: JSONValue = ["CmdletInput": ["CmdletName": .string(cmdlet), "Parameters": .object(parameters)]]
        let idempotent = cmdlet.hasPrefix("Get-") || cmdlet.hasPrefix("Test-")
        var results: [JSONValue] = []
        var next: URL? = first
        while let url = next {
            let page = try await post(url, body: body, cmdlet: cmdlet, idempotent: idempotent)
            results += page["value"].array ?? []
            // A next link is followed on the service's own host only; one elsewhere is refused,
            // never dropped (dropping it would cut the answer short without a word).
            next = nil
            if let text = page["@odata.nextLink"].string {
                guard let link = URL(string: text), link.scheme == base.scheme, link.host == base.host, link.port == base.port
                else {
                    throw MicrosoftError(
                        service: .exchange, status: 0, code: "UnexpectedNextLink",
                        message: "\(cmdlet) answered a next page on another host (\(URL(string: text)?.host ?? text)); the answer would be incomplete, so it is not used",
                        request: cmdlet)
                }
                next = link
            }
        }
        return results
    }

    /// Runs a `Get-*` cmdlet for the one object its `Identity` parameter names, and returns that
    /// object; nil when Exchange says it does not exist or answers only other objects.
    ///
    /// `-Identity` is optional on the `Get-*` cmdlets, which list every object without it (for
    /// example office-docs-powershell `exchange/exchange-ps/exchange/Get-ServicePrincipal.md`,
    /// Example 1, "returns a summary list of all service principals"), so an answer is never taken
    /// on trust: an empty identity is refused before sending, and only an object that answers to
    /// the identity (`answers(_:to:)`) is returned. Two such objects are an ambiguity, thrown.
    public func find(_ cmdlet: String, _ parameters: [String: JSONValue]) async throws -> JSONValue? {
        let identity = parameters.first { $0.key.caseInsensitiveCompare("Identity") == .orderedSame }?.value.string
        guard let identity, !identity.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw MicrosoftError(
                service: .exchange, status: 0, code: "MissingIdentity",
                message: "\(cmdlet) without an -Identity lists every object; mailscope asks only for one by name",
                request: cmdlet)
        }
        let rows: [JSONValue]
        do {
            rows = try await invoke(cmdlet, parameters)
        } catch let error as MicrosoftError where error.isNotFound {
            return nil
        }
        let matching = rows.filter { Self.answers($0, to: identity) }
        guard matching.count <= 1 else {
            throw MicrosoftError(
                service: .exchange, status: 0, code: "AmbiguousIdentity",
                message: "\(cmdlet) -Identity '\(identity)' answered \(matching.count) objects that match it",
                request: cmdlet)
        }
        return matching.first
    }

    /// The properties by which an Exchange object is named: its identity, name, alias, primary SMTP
    /// address, distinguished name, GUIDs and, for a service principal, AppId, ObjectId and ServiceId.
    static let identityProperties = [
        "Identity", "Name", "Alias", "PrimarySmtpAddress", "DistinguishedName", "Guid", "ExternalDirectoryObjectId",
        "AppId", "ObjectId", "ServiceId", "Id",
    ]

    /// Whether `object` is the one `identity` names: one of its naming properties, or one of its SMTP
    /// addresses (`EmailAddresses`), equals it, ignoring case (a DN also ignoring spaces after commas).
    public static func answers(_ object: JSONValue, to identity: String) -> Bool {
        func normalized(_ text: String) -> String {
            text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: ", ", with: ",")
        }
        let wanted = normalized(identity)
        if identityProperties.contains(where: { object[$0].string.map(normalized) == wanted }) { return true }
        return (object["EmailAddresses"].array ?? []).contains { address in
            guard let text = address.string, text.lowercased().hasPrefix("smtp:") else { return false }
            return normalized(String(text.dropFirst(5))) == wanted
        }
    }

    private func post(_ url: URL, body: JSONValue, cmdlet: String, idempotent: Bool) async throws -> JSONValue {
        let label = cmdlet
        var forceRefresh = false
        for attempt in 1...2 {
            let token = try await tokens.token(for: .exchange, forceRefresh: forceRefresh)
            let request = HTTPRequest(
                method: "POST",
                url: url,
                headers: [
                    HTTPHeader(name: "Authorization", value: "Bearer \(token.value.reveal())"),
                    HTTPHeader(name: "Accept", value: "application/json"),
                    HTTPHeader(name: "Content-Type", value: "application/json"),
                    HTTPHeader(name: "X-ResponseFormat", value: "json"),
                    HTTPHeader(name: "X-CmdletName", value: cmdlet),
                    HTTPHeader(name: "X-AnchorMailbox", value: anchorMailbox),
                    HTTPHeader(name: "X-ClientApplication", value: "mailscope"),
                    HTTPHeader(name: "Prefer", value: "odata.maxpagesize=1000"),
                    HTTPHeader(name: "client-request-id", value: UUID().uuidString.lowercased()),
                ],
                body: body.encoded(),
                timeout: .seconds(120)
            )
            let (response, decoded) = try await sender.send(
                request, idempotent: idempotent, decode: HTTPResponse.jsonBody)
            if response.status == 401 {
                // A refused cmdlet is not an expired token: no refresh, the refusal as it came.
                let error = ErrorBody.parse(response, service: .exchange, request: label)
                if error.isCmdletRefused { throw error }
                if attempt == 1 {
                    forceRefresh = true
                    continue
                }
            }
            guard (200..<300).contains(response.status) else {
                throw ErrorBody.parse(response, service: .exchange, request: label)
            }
            if response.body.isEmpty { return ["value": []] }
            guard let json = decoded else {
                throw MicrosoftError(
                    service: .exchange,
                    status: response.status,
                    code: "MalformedResponse",
                    message: "the answer is not valid JSON",
                    request: label
                )
            }
            return json
        }
        throw MicrosoftError(
            service: .exchange,
            status: 401,
            code: "Unauthorized",
            message: "token refused twice",
            request: label
        )
    }
}
