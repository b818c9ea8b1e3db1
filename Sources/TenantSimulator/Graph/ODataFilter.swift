import Foundation

/// The `$filter` expressions the simulated Graph understands, and nothing more:
/// `prop eq 'v'`, `coll/any(x:x eq 'v')`, `startswith(prop,'v')`, joined with `and`/`or` and
/// parentheses. String literals are single-quoted with `''` for a quote. Comparisons ignore case,
/// as Entra's do for the properties involved.
indirect enum ODataFilter: Sendable, Equatable {
    case equals(property: String, value: String)
    case anyEquals(collection: String, value: String)
    case startsWith(property: String, prefix: String)
    case and(ODataFilter, ODataFilter)
    case or(ODataFilter, ODataFilter)

    /// Parses `text`.
    static func parse(_ text: String) throws(ODataFilterError) -> ODataFilter {
        var parser = ODataParser(tokens: try ODataLexer.tokens(of: text))
        let filter = try parser.expression()
        guard parser.atEnd else { throw .syntax("unexpected '\(parser.peekText)' after the end of the expression") }
        return filter
    }
}

/// Why a `$filter` was refused.
enum ODataFilterError: Error, Equatable {
    /// Not a valid expression: 400 `BadRequest` "Invalid filter clause".
    case syntax(String)
    /// Valid OData this service does not support: 400 `Request_UnsupportedQuery`.
    case unsupported(String)
}

private enum ODataToken: Equatable {
    case identifier(String)
    case literal(String)
    case open, close, comma, colon

    var text: String {
        switch self {
        case .identifier(let name): name
        case .literal(let value): "'\(value)'"
        case .open: "("
        case .close: ")"
        case .comma: ","
        case .colon: ":"
        }
    }
}

private enum ODataLexer {
    static func tokens(of text: String) throws(ODataFilterError) -> [ODataToken] {
        var tokens: [ODataToken] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case " ", "\t", "\n", "\r":
                index += 1
            case "(":
                tokens.append(.open)
                index += 1
            case ")":
                tokens.append(.close)
                index += 1
            case ",":
                tokens.append(.comma)
                index += 1
            case ":":
                tokens.append(.colon)
                index += 1
            case "'":
                var value = ""
                index += 1
                var closed = false
                while index < characters.count {
                    if characters[index] == "'" {
                        if index + 1 < characters.count, characters[index + 1] == "'" {
                            value.append("'")
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    value.append(characters[index])
                    index += 1
                }
                guard closed else { throw .syntax("unterminated string literal") }
                tokens.append(.literal(value))
            default:
                guard character.isLetter || character.isNumber || "._$@/-".contains(character) else {
                    throw .syntax("unexpected character '\(character)' at position \(index)")
                }
                var name = ""
                while index < characters.count,
                    characters[index].isLetter || characters[index].isNumber || "._$@/-".contains(characters[index])
                {
                    name.append(characters[index])
                    index += 1
                }
                tokens.append(.identifier(name))
            }
        }
        return tokens
    }
}

private struct ODataParser {
    let tokens: [ODataToken]
    var position = 0

    init(tokens: [ODataToken]) { self.tokens = tokens }

    var atEnd: Bool { position >= tokens.count }
    var peekText: String { atEnd ? "end" : tokens[position].text }

    private func peek() -> ODataToken? { atEnd ? nil : tokens[position] }

    private mutating func take() -> ODataToken? {
        defer { position += 1 }
        return peek()
    }

    private func isKeyword(_ token: ODataToken?, _ keyword: String) -> Bool {
        if case .identifier(let name) = token { return name.equalsIgnoringCase(keyword) }
        return false
    }

    private mutating func expect(_ token: ODataToken) throws(ODataFilterError) {
        guard let next = take(), next == token else { throw .syntax("expected '\(token.text)' near '\(peekText)'") }
    }

    private mutating func literal() throws(ODataFilterError) -> String {
        switch take() {
        case .literal(let value): return value
        case .identifier(let name):
            throw .unsupported("only string literals are supported in comparisons (found \(name))")
        default: throw .syntax("expected a string literal")
        }
    }

    mutating func expression() throws(ODataFilterError) -> ODataFilter {
        var left = try conjunction()
        while isKeyword(peek(), "or") {
            position += 1
            left = .or(left, try conjunction())
        }
        return left
    }

    private mutating func conjunction() throws(ODataFilterError) -> ODataFilter {
        var left = try primary()
        while isKeyword(peek(), "and") {
            position += 1
            left = .and(left, try primary())
        }
        return left
    }

    private mutating func primary() throws(ODataFilterError) -> ODataFilter {
        guard let token = take() else { throw .syntax("the expression ends too early") }
        switch token {
        case .open:
            let inner = try expression()
            try expect(.close)
            return inner
        case .identifier(let name) where name.equalsIgnoringCase("startswith"):
            try expect(.open)
            guard case .identifier(let property) = take() else { throw .syntax("startswith needs a property name") }
            try expect(.comma)
            let prefix = try literal()
            try expect(.close)
            return .startsWith(property: property, prefix: prefix)
        case .identifier(let name) where name.equalsIgnoringCase("not"):
            throw .unsupported("the 'not' operator is not supported")
        case .identifier(let name) where name.lowercased().hasSuffix("/any"):
            let collection = String(name.dropLast(4))
            try expect(.open)
            guard case .identifier(let variable) = take() else { throw .syntax("any() needs a range variable") }
            try expect(.colon)
            guard case .identifier(let reference) = take(), reference == variable else {
                throw .syntax("the lambda must compare its range variable '\(variable)'")
            }
            guard case .identifier(let op) = take() else { throw .syntax("expected an operator") }
            guard op.equalsIgnoringCase("eq") else { throw .unsupported("operator '\(op)' is not supported inside any()") }
            let value = try literal()
            try expect(.close)
            return .anyEquals(collection: collection, value: value)
        case .identifier(let name) where name.contains("/"):
            throw .unsupported("lambda operator '\(name)' is not supported")
        case .identifier(let property):
            guard case .identifier(let op) = take() else { throw .syntax("expected an operator after '\(property)'") }
            guard op.equalsIgnoringCase("eq") else {
                if ["ne", "gt", "ge", "lt", "le", "in", "has"].contains(op.lowercased()) {
                    throw .unsupported("operator '\(op)' is not supported")
                }
                throw .syntax("'\(op)' is not an operator")
            }
            return .equals(property: property, value: try literal())
        default:
            throw .syntax("unexpected '\(token.text)'")
        }
    }
}
