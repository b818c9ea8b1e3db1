import Foundation

/// Finds, before the TOML parser sees a text, what the parser cannot report itself: two shapes of
/// invalid TOML that stop the process inside toml++ 3.4 (it asserts instead of reporting them;
/// found by scripts/fuzz) — a table header whose name does not start like a key (`[+`, `[` alone,
/// `[ é`) and a `}` where a list expects a value (`l = [}`) — and a `\u0000` escape, which the
/// parser's C strings would end at (so "All Staff\u0000 (x)" would be read as "All Staff").
/// Strings and comments are skipped; errors are told the way TOML's own errors are.
struct TOMLShapeScanner {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var atLineStart = true
    /// The brackets of values: "[" lists, "{" inline tables.
    private var open: [Unicode.Scalar] = []
    /// The table and key being read, so an error can name the field.
    private var table = ""
    private var key = ""
    private var hidden: FieldError?

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// The first problem in the text, or nil.
    mutating func firstProblem() -> FieldError? {
        while index < scalars.count {
            let scalar = scalars[index]
            if atLineStart && Self.blank(scalar) {
                index += 1
                continue
            }
            if atLineStart && open.isEmpty && scalar == "[" {
                if let problem = readHeader() { return problem }
                continue
            }
            if atLineStart && open.isEmpty && scalar != "#" && scalar != "\n" { rememberKey() }
            atLineStart = false
            if let problem = step(over: scalar) { return problem }
        }
        return hidden
    }

    private static func blank(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.properties.isWhitespace && !"\n\r\u{0B}\u{0C}".unicodeScalars.contains(scalar)) || scalar == "\u{FEFF}"
    }

    private static func startsAKey(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII
            && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-\"']".unicodeScalars.contains(scalar))
    }

    private func at(_ offset: Int) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private func problem(_ message: String) -> FieldError {
        FieldError(field: "line \(line)", message: "not valid TOML: " + message)
    }

    /// Reads a table header (one line), refusing one without a name.
    private mutating func readHeader() -> FieldError? {
        var next = index + 1
        if next < scalars.count && scalars[next] == "[" { next += 1 }
        while next < scalars.count && Self.blank(scalars[next]) { next += 1 }
        guard next < scalars.count, Self.startsAKey(scalars[next]) else {
            return problem("a table header needs a name, like [tenant] or [group]")
        }
        var header = ""
        while index < scalars.count && scalars[index] != "\n" {
            header.unicodeScalars.append(scalars[index])
            index += 1
        }
        table = header.split(separator: "#").first.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "[] \t")) } ?? ""
        key = ""
        return nil
    }

    /// On a `key = value` line, remembers the key.
    private mutating func rememberKey() {
        var end = index
        var name = ""
        while end < scalars.count && scalars[end] != "=" && scalars[end] != "\n" {
            name.unicodeScalars.append(scalars[end])
            end += 1
        }
        if end < scalars.count && scalars[end] == "=" {
            key = name.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
    }

    /// Moves over one scalar outside a string: a line break, a comment, a string, a bracket.
    private mutating func step(over scalar: Unicode.Scalar) -> FieldError? {
        switch scalar {
        case "\n":
            line += 1
            atLineStart = true
            index += 1
        case "#":
            while index < scalars.count && scalars[index] != "\n" { index += 1 }
        case "\"", "'":
            skipString(scalar)
        case "[", "{":
            open.append(scalar)
            index += 1
        case "]":
            if open.last == "[" { open.removeLast() }
            index += 1
        case "}":
            if open.last == "[" { return problem("a list holds values: '}' where a value or ']' belongs") }
            if open.last == "{" { open.removeLast() }
            index += 1
        default:
            index += 1
        }
        return nil
    }

    /// Skips a string opened by `quote` (basic strings know backslash escapes).
    private mutating func skipString(_ quote: Unicode.Scalar) {
        let triple = at(1) == quote && at(2) == quote
        index += triple ? 3 : 1
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" && quote == "\"" {
                noteNULEscape()
                index += 2
                continue
            }
            if scalar == "\n" {
                line += 1
                if !triple { return }
            }
            if scalar == quote && (!triple || (at(1) == quote && at(2) == quote)) {
                index += triple ? 3 : 1
                return
            }
            index += 1
        }
    }

    /// A `\u0000` (or `\U00000000`) escape at `index` is refused. Only a NUL is lost in parsing;
    /// every other hidden character reaches the field rules, which name the field exactly.
    private mutating func noteNULEscape() {
        let digits = at(1) == "u" ? 4 : at(1) == "U" ? 8 : 0
        guard digits > 0, index + 2 + digits <= scalars.count, hidden == nil else { return }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[(index + 2)..<(index + 2 + digits)])
        guard let value = UInt32(text, radix: 16), value == 0, let decoded = Unicode.Scalar(value),
            let kind = FieldRules.hiddenKind(of: decoded)
        else { return }
        let escape = "\\\(digits == 4 ? "u" : "U")\(text)"
        hidden = FieldError(
            field: [table, key].filter { !$0.isEmpty }.joined(separator: ".") + " (line \(line))",
            message:
                "the escape \(escape) puts \(kind) into the value; names and addresses must hold only visible text: remove the escape"
        )
    }
}
