import Foundation
import MailscopeEngine

extension Painter {
    /// The hand-off: the values the vendor's product needs, whole (wrapped, never cut); a secret is
    /// shown once.
    mutating func paintHandOff(in rows: Range<Int>) {
        guard let run = model.run else { return }
        var row = rows.lowerBound + 1
        let name = Preset.named(run.answers.presetID)?.displayName ?? "the integration"
        write("\(glyphs.status(.verified)) Every stage is verified. Give these values to \(name):", row: row, column: 2, role: .success)
        row += 2
        let labelWidth = min(30, (run.handOff.map { $0.label.displayWidth }.max() ?? 10) + 2)
        let valueColumn = 4 + labelWidth
        let valueWidth = width - valueColumn - 2
        for (index, item) in run.handOff.enumerated() where row < rows.upperBound {
            let isSelected = index == model.handOffSelection
            let hidden = item.isSecret && model.secretsHidden
            let value = hidden ? "\(item.value) (hidden: it was shown once)" : item.value
            let lines = value.wrapped(toColumns: valueWidth)
            for (offset, line) in lines.enumerated() where row + offset < rows.upperBound {
                if isSelected { canvas.fill(row: row + offset, columns: 1..<(width - 1), role: .selected) }
                canvas.put(line, row: row + offset, column: valueColumn, role: isSelected ? .selected : (hidden ? .dim : .code))
            }
            canvas.put(isSelected ? glyphs.pointer : " ", row: row, column: 2, role: isSelected ? .selected : .normal)
            canvas.put(item.label, row: row, column: 4, role: isSelected ? .selected : .normal, limit: labelWidth - 1)
            row += lines.count
            if item.isSecret && !hidden && row < rows.upperBound {
                write("\(glyphs.status(.needsChange)) The secret is shown once: copy it now (c). Enter or Esc hides it.", row: row, column: 4, role: .warning)
                row += 1
            }
        }
    }
}
