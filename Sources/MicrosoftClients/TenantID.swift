import Foundation

/// A tenant as the identity platform names it in an authority URL: its ID (a GUID) or one of its
/// verified domains. Parsed once, where a config or a form is read; a value of this type is valid,
/// so every URL built from it is well formed and every journal keyed by it agrees.
public struct TenantID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Why a text is not a tenant.
    public enum Problem: Error, Equatable, Sendable {
        /// Nothing was given.
        case empty
        /// Spaces before or after (`" contoso.com "` once reached the token URL as `/%20contoso.com%20/`).
        case surroundingSpace
        /// Something shaped like a GUID that is not one.
        case malformedGUID
        /// Neither a GUID nor a domain name, and why it is not a domain.
        case notADomain(String)
    }

    /// The tenant as given (a GUID is lower-cased).
    public let rawValue: String

    /// Parses `text`: a GUID, or a domain name of ASCII letters, digits and hyphens.
    public init(parsing text: String) throws(Problem) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw .empty }
        if trimmed != text { throw .surroundingSpace }
        if let guid = UUID(uuidString: trimmed) {
            rawValue = guid.uuidString.lowercased()
            return
        }
        if trimmed.count >= 30 && trimmed.filter({ $0 == "-" }).count >= 3 && !trimmed.contains(".") {
            throw .malformedGUID
        }
        if let problem = Self.domainProblem(trimmed) { throw .notADomain(problem) }
        rawValue = trimmed
    }

    /// Whether the tenant is named by its ID.
    public var isGUID: Bool { UUID(uuidString: rawValue) != nil }

    /// What two spellings of one tenant share (domains are case-insensitive).
    public var key: String { rawValue.lowercased() }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not a tenant: \(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Why `value` is not a domain name (RFC 1035 labels, ASCII), or nil when it is one.
    public static func domainProblem(_ value: String) -> String? {
        if value.isEmpty { return "it is empty" }
        if value.count > 253 { return "it is longer than 253 characters" }
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count < 2 { return "it needs a dot, as in contoso.com" }
        for label in labels {
            if label.isEmpty { return "it has an empty label (two dots in a row, or a dot at an end)" }
            if label.count > 63 { return "a label is longer than 63 characters" }
            if label.hasPrefix("-") || label.hasSuffix("-") { return "a label starts or ends with a hyphen" }
            let allowed = label.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-")
            }
            if !allowed {
                return "only letters, digits and hyphens are allowed (use the punycode form for international names)"
            }
        }
        return nil
    }
}
