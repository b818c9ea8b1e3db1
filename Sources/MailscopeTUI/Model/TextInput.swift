/// An editable line of text with a cursor (a character index).
public struct TextInput: Sendable, Equatable {
    /// The text.
    public private(set) var text: String
    /// Where the next typed character goes, from 0 to `text.count`.
    public private(set) var cursor: Int

    /// Creates an input holding `text` with the cursor at its end.
    public init(_ text: String = "") {
        self.text = text
        cursor = text.count
    }

    /// Inserts `character` at the cursor.
    public mutating func insert(_ character: Character) {
        let index = text.index(text.startIndex, offsetBy: cursor)
        text.insert(character, at: index)
        cursor += 1
    }

    /// Deletes the character before the cursor.
    public mutating func deleteBackward() {
        guard cursor > 0 else { return }
        let index = text.index(text.startIndex, offsetBy: cursor - 1)
        text.remove(at: index)
        cursor -= 1
    }

    /// Deletes the character under the cursor.
    public mutating func deleteForward() {
        guard cursor < text.count else { return }
        text.remove(at: text.index(text.startIndex, offsetBy: cursor))
    }

    /// Moves the cursor by `offset` characters, staying inside the text.
    public mutating func moveCursor(by offset: Int) {
        cursor = min(max(0, cursor + offset), text.count)
    }

    /// Moves the cursor to the start.
    public mutating func moveToStart() { cursor = 0 }

    /// Moves the cursor to the end.
    public mutating func moveToEnd() { cursor = text.count }

    /// Replaces the text and puts the cursor at its end.
    public mutating func replace(with newText: String) {
        text = newText
        cursor = newText.count
    }

    /// Inserts `string` at the cursor and moves the cursor past it.
    public mutating func insert(contentsOf string: String) {
        let index = text.index(text.startIndex, offsetBy: cursor)
        text.insert(contentsOf: string, at: index)
        cursor += string.count
    }

    /// The number of lines (a text without line breaks has one).
    public var lineCount: Int { text.reduce(1) { $1 == "\n" ? $0 + 1 : $0 } }

    /// The cursor's line and its column in that line (both from 0).
    public var cursorPosition: (line: Int, column: Int) {
        var line = 0
        var column = 0
        for character in text.prefix(cursor) {
            if character == "\n" {
                line += 1
                column = 0
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    /// Moves the cursor to `line` (clamped), at `column` or that line's end if it is shorter.
    public mutating func moveCursor(toLine line: Int, column: Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let target = min(max(0, line), lines.count - 1)
        let before = lines.prefix(target).reduce(0) { $0 + $1.count + 1 }
        cursor = before + min(max(0, column), lines[target].count)
    }

    /// Moves the cursor up or down by `offset` lines, keeping its column where it can.
    public mutating func moveCursor(byLines offset: Int) {
        let position = cursorPosition
        moveCursor(toLine: position.line + offset, column: position.column)
    }

    /// Moves the cursor to the start of its line.
    public mutating func moveToLineStart() { moveCursor(toLine: cursorPosition.line, column: 0) }

    /// Moves the cursor to the end of its line.
    public mutating func moveToLineEnd() { moveCursor(toLine: cursorPosition.line, column: .max) }
}
