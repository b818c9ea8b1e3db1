import SnapshotTesting
import Testing

@testable import MailscopeTUI

/// Snapshots a screen as plain text (`SNAPSHOT_TESTING_RECORD` decides whether to record).
func assertScreen(
    _ model: WizardModel,
    size: TerminalSize? = nil,
    theme: Theme = .color,
    named name: String,
    fileID: StaticString = #fileID,
    file: StaticString = #filePath,
    testName: String = #function,
    line: UInt = #line,
    column: UInt = #column
) {
    var model = model
    if let size { _ = update(&model, .resize(size)) }
    let canvas = render(model, size: model.size, theme: theme)
    assertSnapshot(
        of: canvas.plainText,
        as: .lines,
        named: name,
        fileID: fileID,
        file: file,
        testName: testName,
        line: line,
        column: column
    )
}

extension Canvas {
    /// One character per cell for how the theme draws it: ` ` plain, `b` bold, `r` reverse,
    /// `R` bold+reverse, `u` underline, `U` bold+underline, `d` dim, `c` colour only, `*` other.
    func attributeMask(_ theme: Theme) -> String {
        (0..<size.rows).map { row in
            var line = ""
            for column in 0..<size.columns {
                let style = theme.style(for: self[row: row, column: column].role)
                let attributes = (style.isBold, style.isReverse, style.isUnderlined, style.isDim)
                switch attributes {
                case (false, false, false, false): line += style.foreground == nil ? " " : "c"
                case (true, false, false, false): line += "b"
                case (false, true, false, false): line += "r"
                case (true, true, false, false): line += "R"
                case (false, false, true, false): line += "u"
                case (true, false, true, false): line += "U"
                case (false, false, false, true): line += "d"
                default: line += "*"
                }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
