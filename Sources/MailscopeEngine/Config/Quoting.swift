import Foundation

/// Safe quoting for the two languages mailscope writes values into: OPATH filters and PowerShell.
public enum Quoting {
    /// An OPATH string literal: single quotes, with every `'` doubled, so a value can never end the
    /// literal and add an operator to the filter.
    public static func opathLiteral(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A PowerShell single-quoted literal. PowerShell treats the typographic quotes ‘ ’ ‚ ‛ as
    /// single quotes too, so each of them is doubled as well; nothing inside is interpolated
    /// (no `$()`, no backtick escapes).
    public static func powershellLiteral(_ value: String) -> String {
        var result = "'"
        for character in value {
            switch character {
            case "'", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}":
                result.append(character)
                result.append(character)
            default:
                result.append(character)
            }
        }
        return result + "'"
    }

    /// The management-scope filter for the direct members of the group with distinguished name `dn`.
    public static func memberOfGroupFilter(groupDN dn: String) -> String {
        "MemberOfGroup -eq \(opathLiteral(dn))"
    }

    /// The management-scope filter for room mailboxes.
    public static let roomMailboxFilter = "RecipientTypeDetails -eq 'RoomMailbox'"
}
