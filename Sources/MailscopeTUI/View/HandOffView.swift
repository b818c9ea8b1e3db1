import Foundation
import MailscopeEngine

extension Painter {
    /// The hand-off: the values the vendor's product needs, whole (wrapped, never cut); a secret is
    /// shown once. The list scrolls to keep the highlighted value in view.
    mutating func paintHandOff(in rows: Range<Int>) {
        guard let run = model.run else { return }
        var row = rows.lowerBound + 1
        let name = Preset.named(run.answers.presetID)?.displayName ?? "the integration"
        // The vendor form's fields lead, in its words and order (PresetConnections); then mailscope's.
        // (The vendor's own app answers no form of a tenant's own app: arrangedHandOff leaves it as is.)
        let formCount =
            run.answers.vendorAppID != nil
            ? 0
            : PresetConnections.of(run.answers.presetID).formItemCount(
                on: run.answers.target, access: run.answers.access ?? .application)
        write(
            "\(glyphs.status(.verified)) Every stage is verified. "
                + (formCount > 0 ? "\(name)'s form asks for these, in its order:" : "Give these values to \(name):"),
            row: row,
            column: 2,
            role: .success
        )
        row += 2
        let labelWidth = min(30, (run.handOff.map { $0.label.displayWidth }.max() ?? 10) + 2)
        let valueColumn = 4 + labelWidth
        let lines = handOffLines(
            run.handOff, valueWidth: width - valueColumn - 2, ownLineWidth: width, formCount: min(formCount, run.handOff.count))
        // When the list scrolls, the last row holds "more" rather than a value under it.
        let visible = rows.upperBound - row - (lines.count > rows.upperBound - row ? 1 : 0)
        let selectedRows = lines.indices.filter { lines[$0].item == model.handOffSelection }
        var first = 0
        if let last = selectedRows.last, last >= visible { first = last - visible + 1 }
        if let top = selectedRows.first, top < first { first = top }
        for line in lines.dropFirst(first).prefix(visible) {
            let item = run.handOff[line.item]
            let isSelected = line.item == model.handOffSelection
            let hidden = item.isSecret && model.secretsHidden
            if line.isNote {
                write(line.text, row: row, column: 2, role: .dim)
            } else if line.isWarning {
                write(line.text, row: row, column: 4, role: .warning)
            } else {
                if isSelected { canvas.fill(row: row, columns: 1..<(width - 1), role: .selected) }
                if line.isFirst {
                    canvas.put(
                        isSelected ? glyphs.pointer : " ",
                        row: row,
                        column: 2,
                        role: isSelected ? .selected : .normal
                    )
                    canvas.put(
                        item.label,
                        row: row,
                        column: 4,
                        role: isSelected ? .selected : .normal,
                        limit: labelWidth - 1
                    )
                }
                canvas.put(
                    line.text,
                    row: row,
                    column: line.ownLine ? 0 : valueColumn,
                    role: isSelected ? .selected : (hidden ? .dim : .code)
                )
            }
            row += 1
        }
        if first > 0 {
            canvas.put("\(glyphs.upDown) more", row: rows.lowerBound + 2, column: width - 10, role: .dim)
        }
        if first + visible < lines.count {
            canvas.put("\(glyphs.upDown) more", row: rows.upperBound - 1, column: width - 10, role: .dim)
        }
    }

    /// One hand-off row: part of an item's value, or the "shown once" warning under a secret.
    private struct HandOffLine {
        var item: Int
        var text: String
        var isFirst: Bool
        var isWarning: Bool
        /// A value too wide beside its label, on its own line under it: from the screen's left edge, so
    /// that a token wider than the screen is cut only at its right edge (the rows joined give it back).
        var ownLine = false
        /// The line between the vendor form's values and mailscope's others.
        var isNote = false
    }

    /// The rows of the hand-off. A value is never broken inside a token (an ID, a URL, a path): one
    /// that does not fit beside its label gets its own line under it.
    private func handOffLines(_ items: [HandOffItem], valueWidth: Int, ownLineWidth: Int, formCount: Int) -> [HandOffLine] {
        var lines: [HandOffLine] = []
        for (index, item) in items.enumerated() {
            if formCount > 0, index == formCount, index < items.count {
                lines.append(HandOffLine(item: index, text: "mailscope's other values:", isFirst: false, isWarning: false, isNote: true))
            }
            let hidden = item.isSecret && model.secretsHidden
            let value = hidden ? "\(item.value) (hidden: it was shown once)" : item.value
            let tooWide = value.split(separator: " ").contains { String($0).displayWidth > valueWidth }
            if tooWide {
                lines.append(HandOffLine(item: index, text: "", isFirst: true, isWarning: false))
                for text in value.wrapped(toColumns: max(8, ownLineWidth)) {
                    lines.append(HandOffLine(item: index, text: text, isFirst: false, isWarning: false, ownLine: true))
                }
            } else {
                for (offset, text) in value.wrapped(toColumns: max(8, valueWidth)).enumerated() {
                    lines.append(HandOffLine(item: index, text: text, isFirst: offset == 0, isWarning: false))
                }
            }
            if item.isSecret && !hidden {
                let warning =
                    "\(glyphs.status(.needsChange)) The secret is shown once: copy it now (c). Enter or Esc hides it."
                lines.append(HandOffLine(item: index, text: warning, isFirst: false, isWarning: true))
            }
        }
        return lines
    }
}
