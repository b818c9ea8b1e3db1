import Foundation
import MailscopeEngine

extension Painter {
    /// The preset highlighted on the start screen, if any: its rows of the preset table are shown
    /// there (in place of the stage strip, whose stages have not begun).
    var highlightedStartPreset: String? {
        guard model.screen == .start, model.startChoices.indices.contains(model.startSelection),
            case .preset(let id) = model.startChoices[model.startSelection]
        else { return nil }
        return id
    }

    /// The preset's rows of `PresetConnections`: each method of its vendor's guide with its verdict
    /// on Exchange Online and on Exchange Server, where mailscope leads on each, then the guide's
    /// notes as far as `rows` allow. With room to spare, each verdict's how or why under its method.
    mutating func paintPresetTable(_ presetID: String, in rows: Range<Int>) {
        guard rows.count >= 3 else { return }
        let table = PresetConnections.of(presetID)
        let targets: [SetupTarget] = [.exchangeOnline, .exchangeServer]
        let cellWidth = width >= 80 ? 20 : 16  // "✖ no longer possible" whole from 80 columns
        let columns = [width - 1 - 2 * cellWidth, width - cellWidth]  // a space before each cell
        var row = rows.lowerBound
        canvas.rule(row: row, title: "\(table.vendor == "the integration" ? "Custom" : table.vendor): its guide today", glyphs: glyphs)
        if !table.methods.isEmpty {
            for (target, column) in zip(targets, columns) {
                canvas.put(" \(PresetConnections.targetName(target)) ", row: row, column: column - 1, role: .strong, limit: cellWidth)
            }
        }
        row += 1
        let leadRows = 1 + targets.count
        let detailed = rows.upperBound - row >= table.methods.count * 3 + leadRows + table.notes.count
        // With room for every how and why whole, each is wrapped rather than cut.
        var prose: [(text: String, column: Int)] = []
        if detailed {
            for method in table.methods {
                prose += targets.map { ("\(PresetConnections.targetName($0)): \(method.verdict(on: $0).sentence)", 4) }
            }
        }
        prose += targets.map { (leadText(table, on: $0), 4) } + table.notes.map { ($0, 2) }
        let wrappedRows = prose.map { wrappedLines($0.text, column: $0.column).count }.reduce(0, +)
        let wraps = rows.upperBound - row >= table.methods.count + 1 + wrappedRows
        for method in table.methods where row < rows.upperBound {
            let name = columns[0] - 3 >= method.name.count ? method.name : method.shortName
            write(name, row: row, column: 2, limit: columns[0] - 3)
            for (target, column) in zip(targets, columns) {
                let verdict = method.verdict(on: target)
                let isLead = table.lead(on: target)?.methodID == method.id
                let role: StyleRole = isLead ? .success : (verdict.isUsable ? .normal : .dim)
                // The word says it all; the glyph decorates where it takes one column (not in ASCII).
                let mark = glyphs.isASCII ? "" : glyphs.mark(verdict.isUsable) + " "
                write(mark + Self.shortWord(verdict), row: row, column: column, role: role, limit: cellWidth)
            }
            row += 1
            guard detailed else { continue }
            for target in targets where row < rows.upperBound {
                let verdict = method.verdict(on: target)
                writeProse(
                    "\(PresetConnections.targetName(target)): \(verdict.sentence)", row: &row, column: 4, role: .dim,
                    wraps: wraps)
            }
        }
        guard row < rows.upperBound else { return }
        write("mailscope leads to:", row: row, column: 2, role: .strong)
        row += 1
        for target in targets where row < rows.upperBound {
            writeProse(
                leadText(table, on: target), row: &row, column: 4,
                role: table.lead(on: target) == nil ? .warning : .normal, wraps: wraps)
        }
        for note in table.notes where row < rows.upperBound {
            writeProse(note, row: &row, column: 2, role: .dim, wraps: wraps)
        }
    }

    /// Where mailscope leads on `target`, or why nowhere.
    private func leadText(_ table: PresetConnections, on target: SetupTarget) -> String {
        let name = PresetConnections.targetName(target)
        return table.lead(on: target).map { "\(name): \($0.path)" } ?? "\(name): nothing: \(table.noLead ?? "")"
    }

    /// `text` broken to the width from `column`, its next lines two columns further in.
    private func wrappedLines(_ text: String, column: Int) -> [String] {
        let first = text.wrapped(toColumns: max(10, width - column - 1))
        guard first.count > 1 else { return first }
        let rest = first.dropFirst().joined(separator: " ").wrapped(toColumns: max(10, width - column - 3))
        return [first[0]] + rest
    }

    /// Writes `text` at `row` (advanced past it): whole on its lines when `wraps`, else cut to one.
    private mutating func writeProse(_ text: String, row: inout Int, column: Int, role: StyleRole, wraps: Bool) {
        guard wraps else {
            write(text, row: row, column: column, role: role)
            row += 1
            return
        }
        for (index, line) in wrappedLines(text, column: column).enumerated() {
            write(line, row: row, column: column + (index == 0 ? 0 : 2), role: role)
            row += 1
        }
    }

    /// A verdict in at most 18 columns.
    private static func shortWord(_ verdict: ConnectionVerdict) -> String {
        switch verdict {
        case .works: "works"
        case .worksDifferently: "works differently"
        case .noLongerPossible: "no longer possible"
        case .doesNotApply: "does not apply"
        }
    }
}
