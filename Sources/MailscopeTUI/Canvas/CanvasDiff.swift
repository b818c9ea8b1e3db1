/// A stretch of cells on one row that share a role and changed since the last frame.
public struct CanvasRun: Sendable, Equatable {
    /// The row.
    public var row: Int
    /// The first column.
    public var column: Int
    /// The text to write (wide characters included once).
    public var text: String
    /// The role of every cell in the run.
    public var role: StyleRole

    /// Creates a run.
    public init(row: Int, column: Int, text: String, role: StyleRole) {
        self.row = row
        self.column = column
        self.text = text
        self.role = role
    }
}

extension Canvas {
    /// The runs to write to turn `previous` into this canvas: only cells that differ, grouped by
    /// row and role. With no previous frame (or a different size) every cell is written.
    ///
    /// A run never continues past a non-ASCII character, so if the terminal's idea of a
    /// character's width differs from ours, the next run's explicit position repairs it.
    public func changes(since previous: Canvas?) -> [CanvasRun] {
        let previous = previous.flatMap { $0.size == size ? $0 : nil }
        var runs: [CanvasRun] = []
        for row in 0..<size.rows {
            var current: CanvasRun?
            for column in 0..<size.columns {
                let cell = self[row: row, column: column]
                let changed = previous.map { $0[row: row, column: column] != cell } ?? true
                // The right half of a wide character is written together with its left half.
                if cell.text.isEmpty {
                    if changed, current == nil, column > 0 {
                        let left = self[row: row, column: column - 1]
                        runs.append(CanvasRun(row: row, column: column - 1, text: left.text, role: left.role))
                    }
                    continue
                }
                guard changed else {
                    if let run = current { runs.append(run) }
                    current = nil
                    continue
                }
                if var run = current, run.role == cell.role, run.text.last?.isASCII ?? true {
                    run.text += cell.text
                    current = run
                } else {
                    if let run = current { runs.append(run) }
                    current = CanvasRun(row: row, column: column, text: cell.text, role: cell.role)
                }
            }
            if let run = current { runs.append(run) }
        }
        return runs
    }
}
