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
}
