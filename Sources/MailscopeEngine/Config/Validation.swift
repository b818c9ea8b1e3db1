import Foundation
import MicrosoftClients

/// A problem with one input value: which field, what is wrong, and how to fix it.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field's name as the config and the wizard call it (for example `group.name`).
    public var field: String
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates a field error.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// The rules every input value obeys, shared by the config loader and the wizard's forms, so a
/// bad value is caught before anything is sent.
public enum FieldRules {
    /// The longest name Exchange accepts for scopes and role assignments.
    public static let maximumNameLength = 64

    /// Checks a tenant: a GUID or a domain name (`TenantID`'s rules, told with their fix).
    public static func tenant(_ value: String, field: String = "tenant.id") -> FieldError? {
        let problem: TenantID.Problem
        do throws(TenantID.Problem) {
            _ = try TenantID(parsing: value)
            return nil
        } catch {
            problem = error
        }
        switch problem {
        case .empty:
            return FieldError(
                field: field,
                message: "is empty; give the tenant ID (a GUID) or a verified domain such as contoso.onmicrosoft.com")
        case .surroundingSpace:
            return FieldError(field: field, message: "'\(printable(value))' starts or ends with a space; remove it")
        case .malformedGUID:
            return FieldError(
                field: field,
                message:
                    "'\(printable(value))' is not a valid GUID; copy the tenant ID from the Entra admin center (Overview → Tenant ID)"
            )
        case .notADomain(let reason):
            return FieldError(
                field: field, message: "'\(printable(value))' is neither a tenant GUID nor a domain: \(reason)")
        }
    }

    /// Checks a domain name.
    public static func domain(_ value: String, field: String) -> FieldError? {
        domainProblem(value).map { FieldError(field: field, message: "'\(printable(value))' is not a domain: \($0)") }
    }

    /// The ASCII punctuation Exchange accepts before the @, beside letters and digits.
    private static let localPartPunctuation = Set(".!#$%&*+-/=?^_{|}~".utf8)

    /// Whether `byte` is an ASCII letter or digit (the check runs for every member: bytes, not
    /// `CharacterSet`, which dominated loading a config of 10,000 members).
    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// Checks an SMTP address or UPN (`name@domain`).
    public static func address(_ value: String, field: String) -> FieldError? {
        if value.utf8.contains(where: { $0 < 0x20 || $0 >= 0x7F }), let hidden = hiddenCharacter(value, field: field) {
            return hidden
        }
        let parts = value.utf8.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else {
            return FieldError(
                field: field,
                message: "'\(printable(value))' is not an address; use the form name@contoso.com"
            )
        }
        let local = parts[0]
        let dot = UInt8(ascii: ".")
        if local.contains(where: { !isASCIIAlphanumeric($0) && !localPartPunctuation.contains($0) })
            || local.first == dot || local.last == dot
            || zip(local, local.dropFirst()).contains(where: { $0 == dot && $1 == dot })
        {
            return FieldError(
                field: field,
                message:
                    "'\(printable(value))' has characters Exchange does not accept before the @ (no spaces, quotes, commas or backticks)"
            )
        }
        if let problem = domainProblem(String(decoding: parts[1], as: UTF8.self)) {
            return FieldError(field: field, message: "'\(printable(value))' has an invalid domain: \(problem)")
        }
        return nil
    }

    /// What kind of character `scalar` is when it may not appear in a name or an address, or nil:
    /// control characters (U+0000–U+001F, U+007F–U+009F; a NUL cuts a name short in C code and so
    /// names another object), line and paragraph separators, bidirectional embeddings, overrides
    /// and isolates (which reorder what the admin reads), and zero-width or otherwise invisible
    /// characters (which make two different names look the same). Unicode TR36 "Unicode Security
    /// Considerations" and TR9 (bidi controls) describe the spoofing each enables.
    public static func hiddenKind(of scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x00: "a NUL character"
        case 0x0A, 0x0D, 0x2028, 0x2029: "a line break"
        case 0x01...0x1F, 0x7F...0x9F: "a control character"
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: "a bidirectional control character"
        case 0xFEFF: "a byte-order mark (a zero-width character editors leave)"
        case 0x200B...0x200D, 0x2060...0x2064, 0x180E, 0x034F, 0x00AD, 0x115F, 0x1160, 0x3164, 0xFFA0:
            "a zero-width (invisible) character"
        default: nil
        }
    }

    /// Refuses a value holding a character `hiddenKind(of:)` names, saying which and where.
    public static func hiddenCharacter(_ value: String, field: String) -> FieldError? {
        for (offset, scalar) in value.unicodeScalars.enumerated() {
            guard let kind = hiddenKind(of: scalar) else { continue }
            let code = String(format: "U+%04X", scalar.value)
            return FieldError(
                field: field,
                message:
                    "'\(printable(value))' contains \(kind) (\(code)) at character \(offset + 1); names and addresses must hold only visible text: retype the value without it"
            )
        }
        return nil
    }

    /// Checks a display name (application, group): 1 to `maximumLength` characters, no control characters.
    public static func displayName(_ value: String, field: String, maximumLength: Int = 120) -> FieldError? {
        if value.trimmingCharacters(in: .whitespaces).isEmpty {
            return FieldError(field: field, message: "is empty; give a name")
        }
        if value.count > maximumLength {
            return FieldError(
                field: field,
                message: "is \(value.count) characters long; Exchange accepts at most \(maximumLength)"
            )
        }
        if let error = hiddenCharacter(value, field: field) { return error }
        if value != value.trimmingCharacters(in: .whitespaces) {
            return FieldError(field: field, message: "starts or ends with a space; remove it")
        }
        return nil
    }

    /// The typographic quotes that PowerShell-syntax parsers (OPATH filters included) treat as
    /// single quotes.
    public static let typographicQuotes: Set<Character> = ["\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}"]

    /// Checks a name that ends up inside a scope filter (a group's name is part of its DN).
    public static func filterSafeName(_ value: String, field: String) -> FieldError? {
        if let error = displayName(value, field: field, maximumLength: 64) { return error }
        if value.contains(where: typographicQuotes.contains) {
            return FieldError(
                field: field,
                message: "contains a typographic quote (‘ ’ ‚ ‛), which Exchange's filter parser reads as a quote; use a plain apostrophe (')"
            )
        }
        return nil
    }

    /// Checks a scope or role-assignment name (at most 64 characters).
    public static func exchangeName(_ value: String, field: String) -> FieldError? {
        displayName(value, field: field, maximumLength: maximumNameLength)
    }

    /// Checks a mail alias (Graph `mailNickname`, Exchange `Alias`).
    public static func alias(_ value: String, field: String) -> FieldError? {
        if value.isEmpty { return FieldError(field: field, message: "is empty; give an alias such as WorkableUsers") }
        if let hidden = hiddenCharacter(value, field: field) { return hidden }
        if value.count > 64 { return FieldError(field: field, message: "is longer than 64 characters") }
        let forbidden = CharacterSet(charactersIn: "@()\\[]\";:.<>, ")
        if value.unicodeScalars.contains(where: { !$0.isASCII || forbidden.contains($0) || $0.value < 0x21 }) {
            return FieldError(
                field: field,
                message:
                    "'\(printable(value))' may hold only ASCII letters, digits and - _ (no spaces or @ ( ) \\ [ ] \" ; : . < > ,)"
            )
        }
        return nil
    }

    /// Checks application role names against the documented list.
    public static func roles(_ values: [String], field: String = "roles.names") -> FieldError? {
        if values.isEmpty {
            return FieldError(
                field: field,
                message: "is empty; name at least one role such as \"Application Calendars.ReadWrite\""
            )
        }
        for value in values where !ApplicationRole.known.contains(value) {
            let close = ApplicationRole.known.first { $0.lowercased() == value.lowercased() }
            let hint =
                close.map { "did you mean \"\($0)\"?" }
                ?? "use one of the documented names, e.g. \"Application Calendars.ReadWrite\""
            if value == "ApplicationImpersonation" {
                return FieldError(
                    field: field,
                    message:
                        "ApplicationImpersonation was removed from Exchange Online in Feb 2025; use an RBAC for Applications role such as \"Application Calendars.ReadWrite\" (or target = \"exchange-server\" on-premises)"
                )
            }
            return FieldError(
                field: field,
                message: "'\(printable(value))' is not an RBAC for Applications role; \(hint)"
            )
        }
        return nil
    }

    /// The value with control characters made visible, safe to echo in an error message.
    public static func printable(_ value: String, limit: Int = 80) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            if hiddenKind(of: scalar) != nil {
                result += scalar == "\n" ? "\\n" : String(format: "\\u{%X}", scalar.value)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result.count > limit ? String(result.prefix(limit)) + "…" : result
    }

    private static func domainProblem(_ value: String) -> String? {
        TenantID.domainProblem(value)
    }
}
