import Foundation
import MailscopeEngine

extension Painter {
    /// The start screen: resume, a preset, or re-check.
    mutating func paintStart(in rows: Range<Int>) {
        var row = rows.lowerBound + 1
        write(
            "Set up a scoped Exchange service account for a calendar or mail integration.",
            row: row,
            column: 2,
            role: .strong
        )
        row += 1
        write(
            "The app gets only the roles it needs, only for the mailboxes you choose.",
            row: row,
            column: 2,
            role: .dim
        )
        row += 2
        canvas.put("What do you want to do?", row: row, column: 2)
        row += 2
        for (index, choice) in model.startChoices.enumerated() where row < rows.upperBound {
            let isSelected = index == model.startSelection
            let (title, detail) = describe(choice)
            if isSelected { canvas.fill(row: row, columns: 1..<(width - 1), role: .selected) }
            canvas.put(isSelected ? glyphs.pointer : " ", row: row, column: 2, role: isSelected ? .selected : .normal)
            canvas.put(title, row: row, column: 4, role: isSelected ? .selected : .strong, limit: 30)
            write(detail, row: row, column: 35, role: isSelected ? .selected : .dim)
            row += 1
        }
        if let id = highlightedStartPreset { paintPresetTable(id, in: (row + 1)..<rows.upperBound) }
    }

    private func describe(_ choice: StartChoice) -> (String, String) {
        switch choice {
        case .resume:
            guard let saved = model.savedRun else { return ("Resume the saved run", "") }
            let name = Preset.named(saved.answers.presetID)?.displayName ?? saved.answers.presetID
            let organization =
                saved.answers.target == .exchangeServer
                ? "\(saved.answers.ewsHost ?? "?") (on-premises)" : saved.answers.tenant
            var detail = "\(name) \(glyphs.dot) \(organization)"
            if let wait = saved.wait {
                detail += " \(glyphs.dot) waiting \(TimeText.clock(model.now.timeIntervalSince(wait.startedAt)))"
            }
            return ("Resume the saved run", detail)
        case .preset(let id):
            let preset = Preset.named(id)
            return ("Set up \(preset?.displayName ?? id)", preset?.summary ?? "")
        case .recheck:
            return ("Re-check an existing setup", "Reads the tenant, changes nothing, shows drift")
        }
    }
}
