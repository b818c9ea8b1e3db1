/// A terminal size in character cells.
public struct TerminalSize: Sendable, Hashable, CustomStringConvertible {
    /// Columns.
    public var columns: Int
    /// Rows.
    public var rows: Int

    /// Creates a size.
    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
    }

    /// The smallest size the wizard lays out for.
    public static let minimum = TerminalSize(columns: 80, rows: 24)

    /// The smallest size of the compact layout (the stage, a device code, the wait, the keys).
    public static let compactMinimum = TerminalSize(columns: 40, rows: 12)

    /// Whether this size is at least `compactMinimum` in both directions.
    public var fitsCompactLayout: Bool { columns >= Self.compactMinimum.columns && rows >= Self.compactMinimum.rows }

    /// Whether this size is at least `minimum` in both directions.
    public var isLargeEnough: Bool { columns >= Self.minimum.columns && rows >= Self.minimum.rows }

    public var description: String { "\(columns)x\(rows)" }
}

/// An in-memory grid of cells: the wizard renders into it, tests read it as text, and the
/// terminal adapter copies the cells that changed to the screen.
///
/// A wide character occupies two cells: the left one holds the grapheme, the right one holds
/// the empty string. Writes are clipped to the grid and never split a wide character.
///
/// One rule for text that does not fit: a write cut at its limit or at the grid's edge ends in
/// `ellipsis`, so a cut line never looks whole (`Overflow.clip` is for what is laid out to fit
/// by itself: the rows of a token cut at the edge, a bar). Cutting only blanks is no cut.
public struct Canvas: Sendable, Equatable {
    /// What a write does with text wider than its room.
    public enum Overflow: Sendable, Equatable {
        /// End the text that fits with the canvas's ellipsis.
        case ellipsis
        /// Cut the text at the edge (its rows continue the text, or it is decoration).
        case clip
    }

    /// One cell: a grapheme (or "" for the right half of a wide one) and its role.
    public struct Cell: Sendable, Equatable {
        /// The grapheme drawn in the cell; "" marks the right half of a wide character.
        public var text: String
        /// What the cell means.
        public var role: StyleRole

        /// Creates a cell.
        public init(text: String, role: StyleRole = .normal) {
            self.text = text
            self.role = role
        }

        /// A blank cell.
        public static let blank = Cell(text: " ")
    }

    /// The grid's size.
    public let size: TerminalSize
    /// The cells, row by row.
    public private(set) var cells: [Cell]

    /// What ends a cut text (`…`, or `...` for ASCII glyphs).
    public let ellipsis: String

    /// A blank canvas of `size`; cut text ends in `ellipsis`.
    public init(size: TerminalSize, ellipsis: String = "…") {
        self.size = size
        self.ellipsis = ellipsis
        cells = Array(repeating: .blank, count: size.columns * size.rows)
    }

    /// The cell at `row`, `column` (both must be inside the grid).
    public subscript(row row: Int, column column: Int) -> Cell {
        cells[row * size.columns + column]
    }

    /// Writes `text` starting at `row`, `column`, within the grid and `limit` columns; text that
    /// does not fit ends in the ellipsis (unless `overflow` is `.clip`). Control characters are
    /// shown as `?`, so nothing written can move the terminal's cursor.
    /// - Returns: the number of columns written.
    @discardableResult
    public mutating func put(
        _ text: String,
        row: Int,
        column: Int,
        role: StyleRole = .normal,
        limit: Int? = nil,
        overflow: Overflow = .ellipsis
    ) -> Int {
        guard row >= 0, row < size.rows else { return 0 }
        let end = min(size.columns, limit.map { column + max(0, $0) } ?? size.columns)
        if overflow == .ellipsis, column >= 0, let cut = Self.cut(text, toColumns: end - column, ellipsis: ellipsis) {
            return put(cut, row: row, column: column, role: role, limit: limit, overflow: .clip)
        }
        if DisplayWidth.isPlainASCII(text) {
            // Most of every frame: one cell per byte, no grapheme breaking.
            var x = column
            for byte in text.utf8 {
                if x >= end { break }
                if x >= 0 {
                    let control = byte < 0x20 || byte == 0x7F
                    setCell(row: row, column: x, Cell(text: control ? "?" : String(UnicodeScalar(byte)), role: role))
                }
                x += 1
            }
            return max(0, x - column)
        }
        var x = column
        for character in text {
            var grapheme: String
            var width: Int
            if let ascii = character.asciiValue {
                // An ASCII character among others: no Unicode property lookups needed.
                let control = ascii < 0x20 || ascii == 0x7F
                grapheme = control ? "?" : String(character)
                width = 1
            } else {
                grapheme = String(character)
                width = DisplayWidth.columns(of: character)
                // General category Cc is exactly U+0000–001F and U+007F–009F: no property lookup.
                if character.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
                    grapheme = "?"
                    width = 1
                }
            }
            if width == 0 { continue }
            if x + width > end {
                if width == 2, x < end, x >= 0 { setCell(row: row, column: x, Cell(text: " ", role: role)) }
                break
            }
            if x >= 0 {
                setCell(row: row, column: x, Cell(text: grapheme, role: role))
                if width == 2 { setCell(row: row, column: x + 1, Cell(text: "", role: role)) }
            }
            x += width
        }
        return max(0, x - column)
    }

    /// `text` cut to `columns` and ended with `ellipsis`, or `nil` when it fits (or only blanks
    /// would be cut).
    static func cut(_ text: String, toColumns columns: Int, ellipsis: String) -> String? {
        // No character takes more columns than it has UTF-8 bytes: most writes stop here.
        guard text.utf8.count > columns else { return nil }
        let width = DisplayWidth.isPlainASCII(text) ? text.utf8.count : text.displayWidth
        guard width > columns else { return nil }
        var trimmed = Substring(text)
        while trimmed.last == " " { trimmed.removeLast() }
        guard DisplayWidth.columns(of: trimmed) > columns else { return nil }
        return String(trimmed).truncated(toColumns: max(0, columns), ellipsis: ellipsis)
    }

    /// Fills `columns` of `row` with blanks of `role` (a highlight bar, a title bar).
    public mutating func fill(row: Int, columns: Range<Int>? = nil, role: StyleRole) {
        guard row >= 0, row < size.rows else { return }
        let range = (columns ?? 0..<size.columns).clamped(to: 0..<size.columns)
        for x in range { setCell(row: row, column: x, Cell(text: " ", role: role)) }
    }

    /// Changes the role of the cells in `columns` of `row`, keeping their text.
    public mutating func restyle(row: Int, columns: Range<Int>, role: StyleRole) {
        guard row >= 0, row < size.rows else { return }
        for x in columns.clamped(to: 0..<size.columns) { cells[row * size.columns + x].role = role }
    }

    /// The grid as text, one line per row, trailing blanks trimmed.
    public var plainText: String {
        rowsText { $0.text }
    }

    /// One mask character per cell (`StyleRole.maskCharacter`), trailing blanks trimmed: lets a
    /// text snapshot catch a lost emphasis as well as lost words.
    public var styleMask: String {
        rowsText { String($0.role.maskCharacter) }
    }

    /// The text of one row, trailing blanks kept.
    public func line(_ row: Int) -> String {
        (0..<size.columns).map { self[row: row, column: $0].text }.joined()
    }

    private func rowsText(_ cellText: (Cell) -> String) -> String {
        (0..<size.rows).map { row in
            var line = ""
            for x in 0..<size.columns { line += cellText(self[row: row, column: x]) }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// Replaces the text of the cell at `index` (no width checks: for same-width replacements).
    mutating func setText(_ text: String, at index: Int) {
        cells[index].text = text
    }

    /// Writes a cell, repairing a wide character that the write cuts in half.
    private mutating func setCell(row: Int, column: Int, _ cell: Cell) {
        let index = row * size.columns + column
        if cells[index].text.isEmpty, column > 0, cell.text != "" {
            cells[index - 1].text = " "  // overwrote the right half of a wide character
        }
        if column + 1 < size.columns, cells[index + 1].text.isEmpty, cell.text != "",
            DisplayWidth.columns(of: Character(cells[index].text.isEmpty ? " " : cells[index].text)) == 2
        {
            cells[index + 1].text = " "  // overwrote the left half of a wide character
        }
        cells[index] = cell
    }
}
