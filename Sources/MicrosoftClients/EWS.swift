import Foundation
import MailscopeCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The EWS namespaces (Exchange Web Services, SOAP 1.1).
public enum EWSNamespace {
    /// SOAP 1.1 envelope.
    public static let soap = "http://schemas.xmlsoap.org/soap/envelope/"
    /// EWS types (`t:`).
    public static let types = "http://schemas.microsoft.com/exchange/services/2006/types"
    /// EWS messages (`m:`).
    public static let messages = "http://schemas.microsoft.com/exchange/services/2006/messages"
    /// EWS errors (`e:`), used in SOAP fault details.
    public static let errors = "http://schemas.microsoft.com/exchange/services/2006/errors"
}

/// The SOAP requests mailscope sends to EWS. Each is built from escaped values only, and each is
/// valid against Microsoft's EWS schema (`messages.xsd`, `types.xsd`): the tests validate them.
public enum EWSRequest {
    /// The schema version every request asks for (Exchange 2013 SP1 and later servers, including
    /// Exchange Server 2016, 2019 and Subscription Edition, accept it).
    public static let serverVersion = "Exchange2013_SP1"

    /// A whole SOAP envelope around `body`, with the `RequestServerVersion` header and, when
    /// `impersonating` is given, the `ExchangeImpersonation` header naming that primary SMTP address.
    public static func envelope(body: String, impersonating: String? = nil) -> String {
        var header = "<t:RequestServerVersion Version=\"\(serverVersion)\"/>"
        if let impersonating {
            header +=
                "<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>\(escape(impersonating))"
                + "</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>"
        }
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
            + "<soap:Envelope xmlns:soap=\"\(EWSNamespace.soap)\" xmlns:t=\"\(EWSNamespace.types)\""
            + " xmlns:m=\"\(EWSNamespace.messages)\">"
            + "<soap:Header>\(header)</soap:Header><soap:Body>\(body)</soap:Body></soap:Envelope>"
    }

    /// `GetFolder` for a distinguished folder (`calendar`, `inbox`, `contacts`), IDs only.
    public static func getFolder(_ distinguishedFolder: String) -> String {
        "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>"
            + "<m:FolderIds><t:DistinguishedFolderId Id=\"\(escape(distinguishedFolder))\"/></m:FolderIds></m:GetFolder>"
    }

    /// `GetFolder` of the calendar of each mailbox in `addresses`, named by `DistinguishedFolderId`
    /// with `Mailbox`, IDs only: the way a delegate opens another mailbox's folder
    /// (office-developer-exchange-docs docs/exchange-web-services/how-to-access-a-calendar-as-a-delegate-by-using-ews-in-exchange.md).
    public static func getCalendars(of addresses: [String]) -> String {
        let ids = addresses.map {
            "<t:DistinguishedFolderId Id=\"calendar\"><t:Mailbox><t:EmailAddress>\(escape($0))</t:EmailAddress></t:Mailbox></t:DistinguishedFolderId>"
        }
        return "<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>"
            + "<m:FolderIds>\(ids.joined())</m:FolderIds></m:GetFolder>"
    }

    /// `ExpandDL` for the distribution group at `address`: its direct members.
    public static func expandDL(_ address: String) -> String {
        "<m:ExpandDL><m:Mailbox><t:EmailAddress>\(escape(address))</t:EmailAddress></m:Mailbox></m:ExpandDL>"
    }

    /// `ResolveNames` for `entry` (an SMTP address, possibly an alias), directory only. With the
    /// `SMTP:` routing type Exchange matches `entry` partially against every proxy address
    /// (office-developer-exchange-docs `web-service-reference/resolvenames-operation.md`), so the
    /// answer may hold other recipients; `ReturnFullContactData` asks for each one's addresses, for
    /// `EWSMailbox.exactMatch(of:in:)` to pick the one that holds `entry` exactly.
    public static func resolveNames(_ entry: String) -> String {
        "<m:ResolveNames ReturnFullContactData=\"true\" SearchScope=\"ActiveDirectory\">"
            + "<m:UnresolvedEntry>\(escape("SMTP:" + entry))</m:UnresolvedEntry></m:ResolveNames>"
    }

    /// `text` with the five XML special characters escaped, and characters XML 1.0 cannot carry
    /// (control characters other than tab, newline and carriage return) removed.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// An EWS answer that is an error: a SOAP fault (HTTP 500) or a response message whose
/// `ResponseClass` is `Error`. The code is the evidence (`ErrorImpersonateUserDenied`, …).
public struct EWSResponseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `ResponseCode` (`ErrorImpersonateUserDenied`, `ErrorNonPrimarySmtpAddress`, …).
    public var code: String
    /// The server's message.
    public var message: String
    /// `MessageXml` values by name (for `ErrorNonPrimarySmtpAddress`, `Primary` holds the primary address).
    public var values: [String: String]
    /// The HTTP status it arrived with (500 for a SOAP fault, 200 for a per-message error).
    public var status: Int

    /// Creates an error.
    public init(code: String, message: String, values: [String: String] = [:], status: Int) {
        self.code = code
        self.message = message
        self.values = values
        self.status = status
    }

    public var description: String { "\(code): \(message)" }
}

/// Why an EWS call produced no EWS answer at all.
public enum EWSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP 401: the credentials were refused; `offered` lists the schemes the server offers.
    case unauthorized(offered: [String])
    /// `ErrorServerBusy` still after `retries` retries and `waited` in all, or a back-off (`requested`)
    /// longer than the time left to wait (`EWSClient.busyRetries`, `EWSClient.busyWaitLimit`).
    case serverBusy(retries: Int, waited: Duration, requested: Duration)
    /// Another HTTP status without a SOAP body (403, 404, 503 …), with the start of the body.
    case httpStatus(Int, String)
    /// The body was not the SOAP answer expected.
    case malformed(String)

    public var description: String {
        switch self {
        case .unauthorized(let offered):
            "401 Unauthorized: the server refused the credentials (it offers \(offered.isEmpty ? "no scheme mailscope knows" : offered.joined(separator: ", ")))"
        case .serverBusy(let retries, let waited, let requested):
            "Exchange is busy (ErrorServerBusy): "
                + (retries >= EWSClient.busyRetries
                    ? "still busy after \(retries) retries over \(Self.seconds(waited))"
                    : "it asks to wait \(Self.seconds(requested)) before the next try, more than mailscope waits "
                        + "(\(EWSClient.busyRetries) retries within \(Self.seconds(EWSClient.busyWaitLimit)) in all; "
                        + "\(Self.seconds(waited)) waited)")
        case .httpStatus(let status, let body): "HTTP \(status)\(body.isEmpty ? "" : ": \(body)")"
        case .malformed(let detail): "the answer is not an EWS SOAP response: \(detail)"
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let seconds = duration.timeInterval
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }
}

/// A mailbox or group as EWS names it (`ExpandDL`, `ResolveNames`).
public struct EWSMailbox: Sendable, Equatable {
    /// The display name.
    public var name: String
    /// The primary SMTP address.
    public var address: String
    /// `Mailbox`, `PublicDL`, `PrivateDL`, `Contact`, `PublicFolder`, `GroupMailbox`, `Unknown`, `OneOff`.
    public var mailboxType: String
    /// The SMTP addresses a `ResolveNames` answer lists for the entry (its contact's
    /// `EmailAddresses`, without the `SMTP:`/`smtp:` routing type): the primary and up to two
    /// proxies, as `EmailAddressKeyType` has three keys only (types.xsd). Empty elsewhere.
    public var addresses: [String]

    /// Creates a mailbox.
    public init(name: String, address: String, mailboxType: String, addresses: [String] = []) {
        self.name = name
        self.address = address
        self.mailboxType = mailboxType
        self.addresses = addresses
    }

    /// Whether this entry is itself a group (a nested group: its members are not direct members).
    public var isGroup: Bool { ["PublicDL", "PrivateDL", "GroupMailbox"].contains(mailboxType) }

    /// Whether `address` is exactly one of this entry's SMTP addresses (primary or proxy), ignoring case.
    public func holds(_ address: String) -> Bool {
        let wanted = address.trimmingCharacters(in: .whitespaces)
        return ([self.address] + addresses).contains { $0.caseInsensitiveCompare(wanted) == .orderedSame }
    }

    /// The one entry among a `ResolveNames` answer's `candidates` that holds `address` exactly, or
    /// nil. `ResolveNames` with the `SMTP:` routing type matches partially against every proxy
    /// address (office-developer-exchange-docs `web-service-reference/resolvenames-operation.md`),
    /// so the first candidate may be another recipient whose address merely begins the same way;
    /// with several candidates the answer is `ErrorNameResolutionMultipleResults` (`responsecode.md`).
    public static func exactMatch(of address: String, in candidates: [EWSMailbox]) -> EWSMailbox? {
        let exact = candidates.filter { $0.holds(address) }
        return exact.count == 1 ? exact[0] : nil
    }
}

/// A folder `GetFolder` found.
public struct EWSFolder: Sendable, Equatable {
    /// The folder's ID.
    public var id: String
    /// The server version that answered (`ServerVersionInfo`), e.g. `15.2.1544.4`.
    public var serverVersion: String?
}

/// Talks to Exchange Web Services as the service account, through the same request path as
/// every other Microsoft call (libcurl in production, NTLM or Basic answered by libcurl).
public struct EWSClient: Sendable {
    /// `https://<host>/EWS/Exchange.asmx`.
    public let url: URL
    /// The service account's credentials (nil: an anonymous request, to learn the schemes offered).
    public let authentication: HTTPAuthentication?
    /// The sender (retries 429/503 with back-off).
    public let sender: RequestSender
    /// Exchange Online: the app's tokens for `https://outlook.office365.com` (app-only OAuth, sent
    /// as `Authorization: Bearer`), instead of a password (office-developer-exchange-docs
    /// docs/exchange-web-services/how-to-authenticate-an-ews-application-by-using-oauth.md).
    public let bearer: (any AccessTokenProvider)?

    /// Creates a client.
    public init(url: URL, authentication: HTTPAuthentication?, sender: RequestSender) {
        self.url = url
        self.authentication = authentication
        self.sender = sender
        self.bearer = nil
    }

    /// Creates a client that signs in with the app's OAuth tokens (Exchange Online).
    public init(url: URL, bearer: any AccessTokenProvider, sender: RequestSender) {
        self.url = url
        self.authentication = nil
        self.sender = sender
        self.bearer = bearer
    }

    /// `GetFolder` of the calendar of the service account itself, or of `impersonating` through
    /// `ExchangeImpersonation`.
    public func calendar(impersonating: String? = nil) async throws -> Result<EWSFolder, EWSResponseError> {
        let document = try await call(
            EWSRequest.envelope(body: EWSRequest.getFolder("calendar"), impersonating: impersonating),
            action: "GetFolder",
            anchor: impersonating
        )
        switch document {
        case .failure(let error): return .failure(error)
        case .success(let message):
            guard let folderID = message.first(named: "FolderId")?.attributes["Id"] else {
                throw EWSError.malformed("GetFolder succeeded without a FolderId")
            }
            return .success(EWSFolder(id: folderID, serverVersion: message.serverVersion))
        }
    }

    /// The mailboxes among `addresses` whose calendar the signed-in account opens as itself, without
    /// impersonation: only the mailbox's own account or a delegate with FullAccess can ("Full access
    /// … allows a delegate to access all folders in a mailbox", office-developer-exchange-docs
    /// docs/exchange-web-services/delegate-access-and-ews-in-exchange.md). One `GetFolder` per 50
    /// mailboxes, one response message per folder, in order; `ErrorAccessDenied` means not reached.
    public func calendarsOpenedAsDelegate(_ addresses: [String]) async throws -> [String] {
        var opened: [String] = []
        var start = 0
        while start < addresses.count {
            let batch = Array(addresses[start..<min(start + 50, addresses.count)])
            start += batch.count
            let envelope = EWSRequest.envelope(body: EWSRequest.getCalendars(of: batch))
            let messages: [XMLNode]
            switch try await callMessages(envelope, action: "GetFolder") {
            case .failure(let error): throw EWSError.malformed("GetFolder as a delegate: \(error.code) \(error.message)")
            case .success(let found): messages = found
            }
            for (address, message) in zip(batch, messages) where message.attributes["ResponseClass"] == "Success" {
                opened.append(address)
            }
        }
        return opened
    }

    /// `call`, keeping every response message (one per item of the request), not only the first.
    func callMessages(_ envelope: String, action: String) async throws -> Result<[XMLNode], EWSResponseError> {
        let response = try await sender.send(
            request(envelope, action: action, anchor: nil), idempotent: true, wellFormed: { XMLNode.parse($0.body) != nil })
        if response.status != 401, let root = XMLNode.parse(response.body), let body = root.child("Body"),
            body.child("Fault") == nil, let messages = body.children.first?.child("ResponseMessages")?.children
        {
            return .success(messages)
        }
        return try Self.interpret(response).map { [$0] }
    }

    /// `ExpandDL`: the direct members of the distribution group at `address`.
    public func expandDistributionList(_ address: String) async throws -> Result<[EWSMailbox], EWSResponseError> {
        switch try await call(EWSRequest.envelope(body: EWSRequest.expandDL(address)), action: "ExpandDL", anchor: nil) {
        case .failure(let error): return .failure(error)
        case .success(let message):
            return .success(message.all(named: "Mailbox").map { Self.mailbox($0) })
        }
    }

    /// `ResolveNames`: the directory entries `entry` resolves to, in the server's order, each with its
    /// primary address and the SMTP addresses its contact lists. The `SMTP:` routing type makes the
    /// match partial: pick with `EWSMailbox.exactMatch(of:in:)`, never the first candidate.
    public func resolve(_ entry: String) async throws -> Result<[EWSMailbox], EWSResponseError> {
        switch try await call(
            EWSRequest.envelope(body: EWSRequest.resolveNames(entry)),
            action: "ResolveNames",
            anchor: nil
        ) {
        case .failure(let error): return .failure(error)
        case .success(let message):
            return .success(
                message.all(named: "Resolution").compactMap { resolution in
                    guard let mailbox = resolution.child("Mailbox") else { return nil }
                    let entries = resolution.child("Contact")?.child("EmailAddresses")?.children ?? []
                    let addresses = entries.filter { $0.name == "Entry" }.compactMap { entry -> String? in
                        let text = entry.text.trimmingCharacters(in: .whitespaces)
                        guard text.lowercased().hasPrefix("smtp:") else { return nil }
                        return String(text.dropFirst(5))
                    }
                    return Self.mailbox(mailbox, addresses: addresses)
                })
        }
    }

    private static func mailbox(_ node: XMLNode, addresses: [String] = []) -> EWSMailbox {
        EWSMailbox(
            name: node.child("Name")?.text ?? "",
            address: node.child("EmailAddress")?.text ?? "",
            mailboxType: node.child("MailboxType")?.text ?? "Unknown",
            addresses: addresses
        )
    }

    /// How many times a request answered `ErrorServerBusy` is sent again.
    public static let busyRetries = 3
    /// The longest mailscope waits in all, over the retries of one request answered `ErrorServerBusy`.
    public static let busyWaitLimit: Duration = .seconds(60)

    /// Whether `error` asks the client to wait and send the request again: `ErrorServerBusy`, or any
    /// error with a `BackOffMilliseconds` hint (office-developer-exchange-docs
    /// `exchange-web-services/ews-throttling-in-exchange.md`, "ErrorServerBusy" and the HTTP 500 row:
    /// "If present, the value of BackOffMilliseconds should be used as the duration until the client
    /// resubmits a request").
    static func isBusy(_ error: EWSResponseError) -> Bool {
        error.code == "ErrorServerBusy" || error.values["BackOffMilliseconds"] != nil
    }

    /// The wait `error` asks for (`BackOffMilliseconds`), or the sender's back-off before retry
    /// `retry` (0-based) when it gives none.
    func backOff(for error: EWSResponseError, retry: Int) -> Duration {
        if let text = error.values["BackOffMilliseconds"], let milliseconds = Int64(text.trimmingCharacters(in: .whitespaces)),
            milliseconds >= 0
        {
            return .milliseconds(milliseconds)
        }
        return sender.policy.backoff(attempt: retry)
    }

    /// The HTTP request carrying `envelope`.
    func request(_ envelope: String, action: String, anchor: String?) async throws -> HTTPRequest {
        var request = HTTPRequest(
            method: "POST",
            url: url,
            headers: [
                HTTPHeader(name: "Content-Type", value: "text/xml; charset=utf-8"),
                HTTPHeader(name: "Accept", value: "text/xml"),
                HTTPHeader(name: "SOAPAction", value: "\"http://schemas.microsoft.com/exchange/services/2006/messages/\(action)\""),
            ],
            body: Data(envelope.utf8),
            timeout: .seconds(60),
            authentication: authentication
        )
        // Microsoft: always send X-AnchorMailbox with impersonation (routes to the right server).
        if let anchor { request.setHeader("X-AnchorMailbox", anchor) }
        if let bearer {
            let token = try await bearer.token(for: .exchange, forceRefresh: false)
            request.setHeader("Authorization", "Bearer \(token.value.reveal())")
        }
        return request
    }

    /// Sends one SOAP request and returns its first response message, or the EWS error it carries.
    func call(_ envelope: String, action: String, anchor: String?) async throws -> Result<XMLNode, EWSResponseError> {
        let request = try await request(envelope, action: action, anchor: anchor)
        // Every operation mailscope sends only reads, so a broken connection may be retried, and so
        // may a request Exchange refused as busy: after the wait it asks for, on the sender's clock,
        // at most `busyRetries` times and `busyWaitLimit` in all.
        var retries = 0
        var waited: Duration = .zero
        while true {
            let response = try await sender.send(request, idempotent: true, wellFormed: { XMLNode.parse($0.body) != nil })
            let result = try Self.interpret(response)
            guard case .failure(let error) = result, Self.isBusy(error) else { return result }
            let delay = backOff(for: error, retry: retries)
            guard retries < Self.busyRetries, waited + delay <= Self.busyWaitLimit else {
                throw EWSError.serverBusy(retries: retries, waited: waited, requested: delay)
            }
            sender.onRetry?(
                RetryNotice(
                    method: request.method, path: url.path, reason: "EWS \(error.code)", attempt: retries + 2,
                    maximumAttempts: Self.busyRetries + 1, delay: delay))
            try await sender.clock.sleep(for: delay)
            retries += 1
            waited += delay
        }
    }

    /// Reads an EWS HTTP response: the first response message on success, the EWS error for a
    /// fault or an error message, or throws when the answer is not EWS at all.
    static func interpret(_ response: HTTPResponse) throws -> Result<XMLNode, EWSResponseError> {
        if response.status == 401 {
            let offered = (response.header("www-authenticate") ?? "")
                .split(separator: ",")
                .compactMap { $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) }
                .filter { ["NTLM", "Negotiate", "Basic", "Bearer"].contains($0) }
            throw EWSError.unauthorized(offered: offered)
        }
        let isXML = response.header("content-type")?.lowercased().contains("xml") ?? false
        guard isXML || response.body.first == UInt8(ascii: "<") else {
            throw EWSError.httpStatus(response.status, String(response.text.prefix(200)))
        }
        guard let root = XMLNode.parse(response.body) else {
            throw EWSError.malformed("HTTP \(response.status), body is not well-formed XML")
        }
        guard root.name == "Envelope", root.namespace == EWSNamespace.soap, let body = root.child("Body") else {
            throw EWSError.malformed("HTTP \(response.status), no SOAP 1.1 envelope")
        }
        let version = root.child("Header")?.child("ServerVersionInfo").map { info in
            ["MajorVersion", "MinorVersion", "MajorBuildNumber", "MinorBuildNumber"]
                .compactMap { info.attributes[$0] }.joined(separator: ".")
        }
        if let fault = body.child("Fault") {
            let detail = fault.child("detail")
            let code =
                detail?.child("ResponseCode")?.text
                ?? fault.child("faultcode")?.text.split(separator: ":").last.map(String.init) ?? "ErrorUnknown"
            let message = detail?.child("Message")?.text ?? fault.child("faultstring")?.text ?? ""
            return .failure(
                EWSResponseError(code: code, message: message, values: values(in: detail), status: response.status)
            )
        }
        guard
            let message = body.children.first?.child("ResponseMessages")?.children.first,
            let responseClass = message.attributes["ResponseClass"]
        else {
            throw EWSError.malformed("HTTP \(response.status), no ResponseMessages")
        }
        if responseClass != "Success" && responseClass != "Warning" {
            return .failure(
                EWSResponseError(
                    code: message.child("ResponseCode")?.text ?? "ErrorUnknown",
                    message: message.child("MessageText")?.text ?? "",
                    values: values(in: message),
                    status: response.status
                )
            )
        }
        var result = message
        result.serverVersion = version
        return .success(result)
    }

    /// The `MessageXml` `Value` entries under `node`, by their `Name`.
    private static func values(in node: XMLNode?) -> [String: String] {
        var values: [String: String] = [:]
        for value in node?.child("MessageXml")?.children ?? [] where value.name == "Value" {
            if let name = value.attributes["Name"] { values[name] = value.text }
        }
        return values
    }
}

/// A parsed XML element: local name, namespace, attributes, text and children. Small on purpose:
/// EWS answers mailscope reads are a few kilobytes.
struct XMLNode: Sendable, Equatable {
    var name: String
    var namespace: String?
    var attributes: [String: String]
    var text: String
    var children: [XMLNode]
    /// Set on a response message: the answering server's version.
    var serverVersion: String?

    /// The first direct child with local name `name`.
    func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// The first element named `name` at any depth (this one included).
    func first(named name: String) -> XMLNode? {
        if self.name == name { return self }
        for child in children { if let found = child.first(named: name) { return found } }
        return nil
    }

    /// Every element named `name` at any depth, in document order (not searching inside matches).
    func all(named name: String) -> [XMLNode] {
        if self.name == name { return [self] }
        return children.flatMap { $0.all(named: name) }
    }

    /// Parses `data` (namespace-aware, no external entities, no DTD); nil when not well-formed or
    /// not UTF-8.
    static func parse(_ data: Data) -> XMLNode? {
        // EWS answers in UTF-8. Foundation's XMLParser traps (crashes the process) on an element
        // name that is not valid UTF-8, such as `<\u{F9}s>` (found by scripts/fuzz), so anything
        // that is not UTF-8 is refused before the parser sees it.
        guard String(data: data, encoding: .utf8) != nil else { return nil }
        // SOAP 1.1 messages carry no processing instructions, and Foundation's XMLParser crashes on
        // one without data, such as `<?xo?>` (found by scripts/fuzz): only the XML declaration may
        // use `<?`.
        var rest = data[...]
        if rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
        rest = rest.drop { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if rest.starts(with: Data("<?xml".utf8)), rest.count > 5, [0x20, 0x09, 0x0A, 0x0D].contains(rest[rest.startIndex + 5]) {
            rest = rest.dropFirst(5)
        }
        if rest.range(of: Data("<?".utf8)) != nil { return nil }
        // A document type declaration is never part of a SOAP answer; refusing it rules out
        // entity-expansion tricks before the parser sees them.
        if data.range(of: Data("<!DOCTYPE".utf8)) != nil || data.range(of: Data("<!ENTITY".utf8)) != nil {
            return nil
        }
        let parser = XMLParser(data: data)
        let builder = TreeBuilder()
        parser.delegate = builder
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        guard parser.parse(), builder.failed == false, let root = builder.root else { return nil }
        return root
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [XMLNode] = []
        var root: XMLNode?
        var failed = false
        static let maximumDepth = 64

        func parser(
            _ parser: XMLParser,
            didStartElement elementName: String,
            namespaceURI: String?,
            qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            guard stack.count < Self.maximumDepth else {
                failed = true
                parser.abortParsing()
                return
            }
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            var plain: [String: String] = [:]
            for (key, value) in attributes {
                plain[key.split(separator: ":").last.map(String.init) ?? key] = value
            }
            stack.append(
                XMLNode(name: local, namespace: namespaceURI, attributes: plain, text: "", children: [])
            )
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(
            _ parser: XMLParser,
            didEndElement elementName: String,
            namespaceURI: String?,
            qualifiedName: String?
        ) {
            guard var node = stack.popLast() else { return }
            node.text = node.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if stack.isEmpty {
                root = node
            } else {
                stack[stack.count - 1].children.append(node)
            }
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { failed = true }
    }
}
