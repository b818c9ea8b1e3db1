import Foundation
import MailscopeEngine

/// The log pane's lines, shared by the view and by `update` (for scroll limits).
enum LogView {
    /// How many log lines fit for `model` (the pane takes the content area, less its heading).
    static func visibleLines(_ model: WizardModel) -> Int {
        max(1, Layout(size: model.size).content.count - 1)
    }

    /// The number of log lines for the model's size.
    static func lineCount(_ model: WizardModel) -> Int { lines(model).count }

    /// Each entry as `14:03:09 write  text`, a write followed by its PowerShell.
    static func lines(_ model: WizardModel) -> [StyledLine] {
        guard let run = model.run else { return [] }
        let width = model.size.columns - 4
        var result: [StyledLine] = []
        for entry in run.log {
            result += wrap(headline(entry, timeZone: model.timeZone), width: width, indent: 17)
            if let powershell = entry.powershell {
                result += commandLines(
                    powershell,
                    prompt: Span(String(repeating: " ", count: 17) + "PS> ", .dim),
                    width: width,
                    indent: 21
                )
            }
        }
        return result
    }

    /// `14:03:09 write   text`: the time, the level (a word, never colour alone) and the text.
    static func headline(_ entry: LogEntry, timeZone: TimeZone) -> StyledLine {
        let role: StyleRole =
            switch entry.level {
            case .info: .normal
            case .warning: .warning
            case .error: .failure
            case .write: .info
            }
        let time = TimeText.timeOfDay(entry.at, in: timeZone)
        return [Span(time + " ", .dim), Span(entry.level.rawValue.padded(toColumns: 8), role), Span(entry.text)]
    }
}

extension Painter {
    /// The log pane: what happened, with each write's PowerShell; follows the end unless scrolled.
    mutating func paintLog(in rows: Range<Int>) {
        let lines = LogView.lines(model)
        let visible = LogView.visibleLines(model)
        let last = max(0, lines.count - visible)
        let first = min(model.logScroll ?? last, last)
        var heading = "Log \(glyphs.dot) \(counted(model.run?.log.count ?? 0, "entry", plural: "entries"))"
        heading += model.logScroll == nil ? " \(glyphs.dot) following the end" : " \(glyphs.dot) End follows the end"
        canvas.rule(row: rows.lowerBound, column: 1, width: width - 2, title: heading, glyphs: glyphs)
        if lines.isEmpty {
            canvas.put("Nothing logged yet.", row: rows.lowerBound + 1, column: 2, role: .dim)
        }
        for (offset, line) in lines.dropFirst(first).prefix(visible).enumerated() {
            canvas.draw(line, row: rows.lowerBound + 1 + offset, column: 2, limit: width - 4)
        }
    }
}
