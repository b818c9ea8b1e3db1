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
            next = page["@odata.nextLink"].string.flatMap(URL.init(string:)).flatMap { link in
                link.host == base.host && link.port == base.port ? link : nil
            }
        }
        return results
    }

    /// Runs a `Get-*` cmdlet for one object; nil when Exchange says it does not exist.
    public func find(_ cmdlet: String, _ parameters: [String: JSONValue]) async throws -> JSONValue? {
        do {
            return try await invoke(cmdlet, parameters).first
        } catch let error as MicrosoftError where error.isNotFound {
            return nil
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
