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
    /// Draws `line` at `row`, `column`, clipped to `limit` columns; returns the columns used.
    @discardableResult
    mutating func draw(_ line: StyledLine, row: Int, column: Int, limit: Int? = nil) -> Int {
        let end = limit.map { column + $0 } ?? size.columns
        var x = column
        for span in line where x < end {
            x += put(span.text, row: row, column: x, role: span.role, limit: end - x)
        }
        return x - column
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
func wrap(_ line: StyledLine, width: Int, indent: Int = 0) -> [StyledLine] {
    guard width > indent + 4 else { return [line] }
    var lines: [StyledLine] = []
    var current: StyledLine = []
    var used = 0
    func newLine() {
        lines.append(current)
        current = [Span(String(repeating: " ", count: indent))]
        used = indent
    }
    for span in line {
        var words = span.text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        var first = true
        while !words.isEmpty {
            let word = words.removeFirst()
            let piece = first ? word : " " + word
            first = false
            let width1 = piece.displayWidth
            if used + width1 <= width {
                current.append(Span(piece, span.role))
                used += width1
                continue
            }
            if used > indent {
                newLine()
                words.insert(word, at: 0)
                first = true
                continue
            }
            // A word longer than a line: cut it.
            var head = ""
            var rest = word
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
            if !rest.isEmpty {
                newLine()
                words.insert(rest, at: 0)
                first = true
            }
        }
    }
    lines.append(current)
    return lines
}

/// A command of one or more lines after `prompt` (such as `"    PS> "`), each line wrapped to
/// `width` columns: the first row of the first line starts with the prompt, every other row is
/// indented by `indent` columns, so nothing is cut and line breaks stay visible.
func commandLines(_ command: String, prompt: Span, width: Int, indent: Int) -> [StyledLine] {
    let blank = Span(String(repeating: " ", count: prompt.text.displayWidth))
    return command.split(separator: "\n", omittingEmptySubsequences: false).enumerated().flatMap { index, line in
        wrap([index == 0 ? prompt : blank, Span(String(line), .code)], width: width, indent: indent)
    }
}
