import Foundation

/// The OPATH recipient filters of management scopes that the simulated Exchange understands:
/// `MemberOfGroup -eq '<group DN>'` and `RecipientTypeDetails -eq '<value>'` (also `-ne`), joined
/// with `-and`, `-or`, `-not` and parentheses. Values are quoted: `'…'` with `''` for a quote, or
/// `"…"` with `""` for a quote. Anything else is refused the way Exchange refuses a bad filter.
indirect enum RecipientFilter: Sendable, Equatable {
    /// A direct member of the group with this distinguished name.
    case memberOfGroup(String)
    /// A recipient of this type (canonical spelling).
    case recipientTypeDetails(String)
    case not(RecipientFilter)
    case and(RecipientFilter, RecipientFilter)
    case or(RecipientFilter, RecipientFilter)

    /// Parses `text`.
    static func parse(_ text: String) throws(RecipientFilterError) -> RecipientFilter {
        var parser = OPATHParser(text: text, tokens: try OPATHLexer.tokens(of: text))
        let filter = try parser.expression()
        guard parser.atEnd else { throw parser.syntaxError() }
        return filter
    }

    /// The distinguished names of every group the filter mentions.
    var referencedGroups: [String] {
        switch self {
        case .memberOfGroup(let dn): [dn]
        case .recipientTypeDetails: []
        case .not(let inner): inner.referencedGroups
        case .and(let left, let right), .or(let left, let right): left.referencedGroups + right.referencedGroups
        }
    }

    /// Whether a recipient matches, given its type and a membership test.
    func matches(recipientTypeDetails type: String?, isDirectMember: (String) -> Bool) -> Bool {
        switch self {
        case .memberOfGroup(let dn): isDirectMember(dn)
        case .recipientTypeDetails(let value): type.map { $0.equalsIgnoringCase(value) } ?? false
        case .not(let inner): !inner.matches(recipientTypeDetails: type, isDirectMember: isDirectMember)
        case .and(let left, let right):
            left.matches(recipientTypeDetails: type, isDirectMember: isDirectMember)
                && right.matches(recipientTypeDetails: type, isDirectMember: isDirectMember)
        case .or(let left, let right):
            left.matches(recipientTypeDetails: type, isDirectMember: isDirectMember)
                || right.matches(recipientTypeDetails: type, isDirectMember: isDirectMember)
        }
    }
}

/// Why a recipient filter was refused, in Exchange's words.
struct RecipientFilterError: Error, Equatable {
    /// The message.
    var message: String

    static func syntax(_ filter: String, position: Int) -> RecipientFilterError {
        RecipientFilterError(
            message:
                "Invalid filter syntax. For a description of the filter parameter syntax see the command help.\r\n\"\(filter)\" at position \(position)."
        )
    }
}

private struct OPATHToken: Equatable {
    enum Kind: Equatable {
        case word(String)
        case op(String)
        case value(String)
        case open, close
    }

    var kind: Kind
    var position: Int
}

private enum OPATHLexer {
    static func tokens(of text: String) throws(RecipientFilterError) -> [OPATHToken] {
        let characters = Array(text)
        var tokens: [OPATHToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let start = index
            switch character {
            case " ", "\t", "\r", "\n":
                index += 1
            case "(":
                tokens.append(OPATHToken(kind: .open, position: start + 1))
                index += 1
            case ")":
                tokens.append(OPATHToken(kind: .close, position: start + 1))
                index += 1
            case "'", "\"":
                let quote = character
                var value = ""
                index += 1
                var closed = false
                while index < characters.count {
                    let current = characters[index]
                    if quote == "\"", current == "`", index + 1 < characters.count {
                        value.append(characters[index + 1])
                        index += 2
                        continue
                    }
                    if current == quote {
                        if index + 1 < characters.count, characters[index + 1] == quote {
                            value.append(quote)
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    value.append(current)
                    index += 1
                }
                guard closed else { throw .syntax(text, position: characters.count + 1) }
                tokens.append(OPATHToken(kind: .value(value), position: start + 1))
            case "-":
                index += 1
                var name = ""
                while index < characters.count, characters[index].isLetter {
                    name.append(characters[index])
                    index += 1
                }
                guard !name.isEmpty else { throw .syntax(text, position: start + 1) }
                tokens.append(OPATHToken(kind: .op(name.lowercased()), position: start + 1))
            default:
                guard character.isLetter || character.isNumber || character == "_" else {
                    throw .syntax(text, position: start + 1)
                }
                var name = ""
                while index < characters.count,
                    characters[index].isLetter || characters[index].isNumber || characters[index] == "_"
                {
                    name.append(characters[index])
                    index += 1
                }
                tokens.append(OPATHToken(kind: .word(name), position: start + 1))
            }
        }
        return tokens
    }
}

private struct OPATHParser {
    let text: String
    let tokens: [OPATHToken]
    var position = 0

    init(text: String, tokens: [OPATHToken]) {
        self.text = text
        self.tokens = tokens
    }

    var atEnd: Bool { position >= tokens.count }

    func syntaxError() -> RecipientFilterError {
        .syntax(text, position: atEnd ? text.count + 1 : tokens[position].position)
    }

    private func peekOperator() -> String? {
        guard !atEnd, case .op(let name) = tokens[position].kind else { return nil }
        return name
    }

    mutating func expression() throws(RecipientFilterError) -> RecipientFilter {
        var left = try conjunction()
        while peekOperator() == "or" {
            position += 1
            left = .or(left, try conjunction())
        }
        return left
    }

    private mutating func conjunction() throws(RecipientFilterError) -> RecipientFilter {
        var left = try unary()
        while peekOperator() == "and" {
            position += 1
            left = .and(left, try unary())
        }
        return left
    }

    private mutating func unary() throws(RecipientFilterError) -> RecipientFilter {
        if peekOperator() == "not" {
            position += 1
            return .not(try unary())
        }
        guard !atEnd else { throw syntaxError() }
        if tokens[position].kind == .open {
            position += 1
            let inner = try expression()
            guard !atEnd, tokens[position].kind == .close else { throw syntaxError() }
            position += 1
            return inner
        }
        return try comparison()
    }

    private mutating func comparison() throws(RecipientFilterError) -> RecipientFilter {
        guard case .word(let property) = tokens[position].kind else { throw syntaxError() }
        position += 1
        guard let op = peekOperator(), op == "eq" || op == "ne" else { throw syntaxError() }
        position += 1
        guard !atEnd, case .value(let value) = tokens[position].kind else { throw syntaxError() }
        position += 1
        let comparison: RecipientFilter
        if property.equalsIgnoringCase("MemberOfGroup") {
            comparison = .memberOfGroup(value)
        } else if property.equalsIgnoringCase("RecipientTypeDetails") {
            guard let canonical = Catalog.recipientTypeDetails.first(where: { $0.equalsIgnoringCase(value) }) else {
                throw RecipientFilterError(
                    message:
                        "The value \"\(value)\" isn't valid for the property RecipientTypeDetails. Valid values are: \(Catalog.recipientTypeDetails.joined(separator: ", "))."
                )
            }
            comparison = .recipientTypeDetails(canonical)
        } else {
            throw RecipientFilterError(
                message:
                    "Invalid filter syntax. The property '\(property)' isn't supported in this simulated tenant's recipient filters; use MemberOfGroup or RecipientTypeDetails."
            )
        }
        return op == "ne" ? .not(comparison) : comparison
    }
}
