import Foundation
import MailscopeCore

/// An error answered by a Microsoft endpoint, with what the admin can do about it.
public struct MicrosoftError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which service answered.
    public enum Service: String, Sendable { case identity, graph, exchange }
    /// Which service answered.
    public var service: Service
    /// The HTTP status.
    public var status: Int
    /// The machine-readable code (`Request_ResourceNotFound`, `invalid_grant`, the Exchange exception type).
    public var code: String
    /// The service's message, redacted.
    public var message: String
    /// The request that failed, as `METHOD path`.
    public var request: String

    /// Creates an error.
    public init(service: Service, status: Int, code: String, message: String, request: String) {
        self.service = service
        self.status = status
        self.code = code
        self.message = Redactor.redact(message)
        self.request = request
    }

    public var description: String { "\(request) → \(status) \(code): \(message)" }

    /// Whether the object asked for does not exist (or is not replicated yet).
    public var isNotFound: Bool {
        status == 404 || code == "Request_ResourceNotFound" || code.hasSuffix("ManagementObjectNotFoundException")
            || code == "ResourceNotFound" || code == "ErrorItemNotFound"
    }

    /// Whether the write failed because the object exists already.
    public var isAlreadyExists: Bool {
        code.contains("AlreadyExists") || message.localizedCaseInsensitiveContains("already exist")
    }

    /// Whether Exchange refused a cmdlet to a caller whose token it accepted: HTTP 401 with the body
    /// message "User is not allowed to call <cmdlet>" (MicrosoftDocs/office-docs-powershell issues
    /// #7970, app-only, and #8058, delegated). The caller lacks the Exchange role that allows the
    /// cmdlet; a fresh token would be refused the same way.
    public var isCmdletRefused: Bool {
        service == .exchange && status == 401 && message.localizedCaseInsensitiveContains("is not allowed to call")
    }

    /// Whether access was denied.
    public var isAccessDenied: Bool {
        status == 403 || code == "ErrorAccessDenied" || code == "Authorization_RequestDenied"
    }
}

/// Parses the error bodies of Graph, Exchange and the identity platform.
enum ErrorBody {
    static func parse(_ response: HTTPResponse, service: MicrosoftError.Service, request: String) -> MicrosoftError {
        let json = try? JSONValue.parse(response.body)
        var code = "HTTP\(response.status)"
        var message = response.text.isEmpty ? (response.header("x-ms-diagnostics") ?? "") : response.text
        if let json {
            if let error = json["error"].object.map(JSONValue.object) {
                code = error["code"].string ?? code
                message = error["message"].string ?? message
                // Exchange: details[0].message is "<id>|<exception type>|<text>".
                if let detail = error["details"].array?.first?["message"].string {
                    let parts = detail.split(separator: "|", maxSplits: 2).map(String.init)
                    if parts.count == 3 {
                        code = parts[1]
                        message = parts[2]
                    } else {
                        message = detail
                    }
                }
            } else if let error = json["error"].string {
                // Identity platform: {"error":"invalid_grant","error_description":"AADSTS..."}
                code = error
                message = json["error_description"].string ?? message
            }
        }
        if message.count > 600 { message = String(message.prefix(600)) + "…" }
        return MicrosoftError(service: service, status: response.status, code: code, message: message, request: request)
    }
}
