import Foundation

/// A sensitive string (client secret, password, token, private key). Its description and dump
/// never show the value, so it cannot reach a log or a trace by accident.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: String

    /// Wraps `value`.
    public init(_ value: String) { self.value = value }

    /// The value itself; call only where it must leave the process (a request body, the hand-off).
    public func reveal() -> String { value }

    /// Whether the value is empty.
    public var isEmpty: Bool { value.isEmpty }

    public var description: String { "‹redacted›" }
    public var debugDescription: String { "‹redacted›" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// Removes secrets from text bound for logs, traces and evidence.
public enum Redactor {
    /// Form and JSON fields whose values are always secret.
    public static let sensitiveFields = [
        "client_secret", "client_assertion", "refresh_token", "access_token", "id_token", "device_code",
        "password", "secretText", "secret", "key", "Password",
    ]

    /// Redacts bearer tokens, JWTs, and the values of sensitive form and JSON fields.
    public static func redact(_ text: String) -> String {
        var result = text
        // Bearer tokens and anything shaped like a JWT (three base64url parts).
        result = result.replacingOccurrences(
            of: #"(?i)bearer\s+[A-Za-z0-9\-_\.=]+"#,
            with: "Bearer ‹redacted›",
            options: .regularExpression
        )
        result = result.replacingOccurrences(
            of: #"eyJ[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*"#,
            with: "‹jwt›",
            options: .regularExpression
        )
        for field in sensitiveFields {
            // form: field=value
            result = result.replacingOccurrences(
                of: "(^|[&?])\(field)=[^&\\s]*",
                with: "$1\(field)=‹redacted›",
                options: .regularExpression
            )
            // json: "field":"value"
            result = result.replacingOccurrences(
                of: "\"\(field)\"\\s*:\\s*\"(?:[^\"\\\\]|\\\\.)*\"",
                with: "\"\(field)\":\"‹redacted›\"",
                options: .regularExpression
            )
        }
        return result
    }
}
