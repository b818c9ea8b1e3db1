/// A piece of text with a role.
public struct Span: Sendable, Equatable {
    /// The text.
    public var text: String
    /// How it is drawn.
    public var role: StyleRole

    /// Creates a span.
    public init(_ text: String, _ role: StyleRole = .normal) {
        self.text = text
        self.role = role
    }
}

/// A line made of spans.
public typealias StyledLine = [Span]

extension Canvas {
    /// Draws `line` at `row`, `column`, within `limit` columns and the grid; a line that does not
    /// fit ends in the ellipsis, in the role of the span it cuts. Returns the columns used.
    @discardableResult
    mutating func draw(_ line: StyledLine, row: Int, column: Int, limit: Int? = nil) -> Int {
        let end = min(size.columns, limit.map { column + $0 } ?? size.columns)
        let line = Self.cut(line, toColumns: end - column, ellipsis: ellipsis) ?? line
        var x = column
        for span in line where x < end {
            x += put(span.text, row: row, column: x, role: span.role, limit: end - x, overflow: .clip)
        }
        return x - column
    }

    /// `line` cut to `columns` and ended with `ellipsis`, or `nil` when it fits (or only blanks
    /// would be cut).
    static func cut(_ line: StyledLine, toColumns columns: Int, ellipsis: String) -> StyledLine? {
        guard line.reduce(0, { $0 + $1.text.utf8.count }) > columns else { return nil }  // (bytes ≥ columns)
        let text = line.map(\.text).joined()
        guard let cut = cut(text, toColumns: columns, ellipsis: ellipsis) else { return nil }
        var room = cut.displayWidth - ellipsis.displayWidth
        var result: StyledLine = []
        for span in line {
            let width = span.text.displayWidth
            if width <= room {
                result.append(span)
                room -= width
                continue
            }
            var head = ""
            for character in span.text {
                let columns = DisplayWidth.columns(of: character)
                if columns > room { break }
                head.append(character)
                room -= columns
            }
            while head.last == " " { head.removeLast() }
            result.append(Span(head + ellipsis, span.role))
            return result
        }
        return result
    }

    /// Draws a horizontal rule with an optional title: `─ Title ─────`.
    mutating func rule(row: Int, column: Int = 0, width: Int? = nil, title: String? = nil, glyphs: Glyphs) {
        let width = width ?? size.columns - column
        guard width > 0 else { return }
        var x = column
        if let title {
            x += put(glyphs.horizontalLine + " ", row: row, column: x, role: .dim, limit: width)
            x += put(title, row: row, column: x, role: .strong, limit: column + width - x)
            x += put(" ", row: row, column: x, role: .dim, limit: column + width - x)
        }
        let rest = column + width - x
        if rest > 0 { put(String(repeating: glyphs.horizontalLine, count: rest), row: row, column: x, role: .dim) }
    }

    /// Draws a box outline.
    mutating func box(top: Int, left: Int, width: Int, height: Int, title: String?, glyphs: Glyphs) {
        guard width >= 2, height >= 2 else { return }
        let (topLeft, topRight, bottomLeft, bottomRight) = glyphs.corners
        let line = String(repeating: glyphs.horizontalLine, count: width - 2)
        for row in top..<(top + height) { fill(row: row, columns: left..<(left + width), role: .normal) }
        put(topLeft + line + topRight, row: top, column: left, role: .strong)
        put(bottomLeft + line + bottomRight, row: top + height - 1, column: left, role: .strong)
        for row in (top + 1)..<(top + height - 1) {
            put(glyphs.verticalLine, row: row, column: left, role: .strong)
            put(glyphs.verticalLine, row: row, column: left + width - 1, role: .strong)
        }
        if let title { put(" \(title) ", row: top, column: left + 2, role: .strong, limit: width - 4) }
    }
}

/// Wraps a styled line to `width` columns; continuation lines start with `indent` spaces.
///
/// Lines break only between the words `words` splits a span into (at spaces, by default), so a
/// value (an ID, a URL, a path, an address, a quoted PowerShell literal) is never broken inside:
/// one that does not fit moves to the next line whole. A word wider than a whole line gets lines
/// of its own: it starts a line, is cut only at the width, and the next word starts a new line.
func wrap(
    _ line: StyledLine,
    width: Int,
    indent: Int = 0,
    words: (String) -> [String] = { $0.split(separator: " ", omittingEmptySubsequences: false).map(String.init) }
) -> [StyledLine] {
    guard width > indent + 4 else { return [line] }
    var lines: [StyledLine] = []
    var current: StyledLine = []
    var used = 0
    func newLine() {
        lines.append(current)
        current = [Span(String(repeating: " ", count: indent))]
        used = indent
    }
    let lineStart = { lines.isEmpty ? 0 : indent }
    var afterCutWord = false  // a word cut at the width ends its last line
    for span in line {
        var pending = words(span.text)
        var first = true
        while !pending.isEmpty {
            let word = pending.removeFirst()
            if afterCutWord {
                afterCutWord = false
                newLine()
                first = true
            }
            let piece = first ? word : " " + word
            first = false
            let pieceWidth = piece.displayWidth
            if used + pieceWidth <= width {
                current.append(Span(piece, span.role))
                used += pieceWidth
                continue
            }
            if used > lineStart() {
                newLine()
                pending.insert(word, at: 0)
                first = true
                continue
            }
            // A word wider than a line: lines of its own, cut at the width only.
            var rest = Substring(word)
            while !rest.isEmpty {
                var head = ""
                while let character = rest.first, used + head.displayWidth + DisplayWidth.columns(of: character) <= width {
                    head.append(character)
                    rest.removeFirst()
                }
                if head.isEmpty, let character = rest.first {
                    head.append(character)
                    rest.removeFirst()
                }
                current.append(Span(head, span.role))
                used += head.displayWidth
                if !rest.isEmpty { newLine() }
            }
            afterCutWord = true
        }
    }
    lines.append(current)
    return lines
}

/// A PowerShell line split at the spaces between its tokens: a quoted literal (`'…'` with `''`
/// inside, `"…"` with `""` or a backtick escape) is one word with its spaces, so it is never
/// broken across lines. Joined with single spaces, the words give the line back.
func powerShellWords(_ line: String) -> [String] {
    // PowerShell reads typographic quotes as quotes too.
    let singleQuotes: Set<Character> = ["'", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}"]
    let doubleQuotes: Set<Character> = ["\"", "\u{201C}", "\u{201D}", "\u{201E}"]
    var words: [String] = []
    var word = ""
    var quotes: Set<Character>?
    var characters = Array(line)[...]
    while let character = characters.popFirst() {
        guard let open = quotes else {
            if character == " " {
                words.append(word)
                word = ""
                continue
            }
            word.append(character)
            if singleQuotes.contains(character) { quotes = singleQuotes }
            if doubleQuotes.contains(character) { quotes = doubleQuotes }
            continue
        }
        word.append(character)
        if open == doubleQuotes, character == "`", let next = characters.popFirst() {
            word.append(next)  // an escaped character, a quote included
        } else if open.contains(character) {
            if let next = characters.first, open.contains(next) {
                word.append(characters.removeFirst())  // a doubled quote stays inside the literal
            } else {
                quotes = nil
            }
        }
    }
    words.append(word)
    return words
}

/// A command of one or more lines after `prompt` (such as `"    PS> "`), each line wrapped to
/// `width` columns between its tokens (never inside a quoted literal): the first row of the first
/// line starts with the prompt, every other row is indented by `indent` columns, so nothing is cut
/// and line breaks stay visible.
func commandLines(_ command: String, prompt: Span, width: Int, indent: Int) -> [StyledLine] {
    let blank = Span(String(repeating: " ", count: prompt.text.displayWidth))
    return command.split(separator: "\n", omittingEmptySubsequences: false).enumerated().flatMap { index, line in
        wrap([index == 0 ? prompt : blank, Span(String(line), .code)], width: width, indent: indent, words: powerShellWords)
    }
}

extension Painter {
    /// Draws wrapped `lines` from `row`, one a row, at most `maxRows`: when some are left over,
    /// the last row shown carries on with them and ends in the ellipsis, so a cut text never
    /// looks whole. Returns the rows used.
    @discardableResult
    mutating func draw(_ lines: [StyledLine], row: Int, column: Int, limit: Int, maxRows: Int) -> Int {
        guard maxRows > 0, !lines.isEmpty else { return 0 }
        var shown = Array(lines.prefix(maxRows))
        for rest in lines.dropFirst(maxRows) {
            var spans = rest.drop { $0.text.allSatisfy { $0 == " " } }
            guard let head = spans.first else { continue }
            spans[spans.startIndex].text = String(head.text.drop { $0 == " " })
            shown[shown.count - 1] += [Span(" ")] + spans
        }
        for (offset, line) in shown.enumerated() {
            canvas.draw(line, row: row + offset, column: column, limit: limit)
        }
        return shown.count
    }
}
