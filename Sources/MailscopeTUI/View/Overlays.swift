import Foundation
import MailscopeEngine

extension Painter {
    /// The help overlay: the field's explanation, then every key binding in force, from the table.
    mutating func paintHelp(field: FormField?) {
        let boxWidth = min(76, width - 4)
        let textWidth = boxWidth - 4
        var lines: [StyledLine] = []
        if let field {
            lines.append([Span(field.label, .strong)])
            lines += wrap([Span(field.explanation(for: model.form.target))], width: textWidth)
            lines.append([])
        }
        lines.append([Span("Keys", .strong)])
        var under = model
        under.overlay = nil
        var seen = Set<String>()
        let keyWidth = 12
        for binding in KeyMap.bindings(for: under) {
            let label = binding.label(for: glyphs)
            guard seen.insert(label + binding.help).inserted else { continue }
            lines += wrap(
                [Span(label.padded(toColumns: keyWidth), .key), Span(binding.help)],
                width: textWidth,
                indent: keyWidth
            )
        }
        lines += wrap(
            [Span("Ctrl-C".padded(toColumns: keyWidth), .key), Span("Quit at once, saving the run first.")],
            width: textWidth,
            indent: keyWidth
        )
        // The keys that close and scroll it are the screen's footer (one footer); where it
        // scrolls, its bottom border says which lines show.
        let maxHeight = canvas.size.rows - 4
        let visible = min(lines.count, maxHeight - 2)
        let first = min(model.helpScroll, max(0, lines.count - visible))
        let height = visible + 2
        let top = max(1, (canvas.size.rows - height) / 2)
        let left = (width - boxWidth) / 2
        popUp(top: top, left: left, width: boxWidth, height: height, title: "Help")
        for (offset, line) in lines.dropFirst(first).prefix(visible).enumerated() {
            canvas.draw(line, row: top + 1 + offset, column: left + 2, limit: textWidth)
        }
        if lines.count > visible {
            let position =
                " lines \(first + 1)\(glyphs.rangeDash)\(first + visible) of \(lines.count) \(glyphs.dot) \(glyphs.upDown) scrolls "
            canvas.put(position, row: top + height - 1, column: left + boxWidth - 2 - position.displayWidth, role: .dim)
        }
    }

    /// A box drawn over the screen: its cells and a blank column on each side are cleared, so
    /// nothing of the screen behind touches its borders.
    mutating func popUp(top: Int, left: Int, width boxWidth: Int, height: Int, title: String) {
        for row in top..<(top + height) {
            canvas.fill(row: row, columns: max(0, left - 1)..<min(width, left + boxWidth + 1), role: .normal)
        }
        canvas.box(top: top, left: left, width: boxWidth, height: height, title: title, glyphs: glyphs)
    }

    /// A yes/no question in a box; its keys are the screen's footer (one footer, as under the help).
    mutating func paintConfirmation(_ question: Confirmation) {
        let boxWidth = min(64, width - 4)
        let text = confirmationText(question).flatMap { $0.wrapped(toColumns: boxWidth - 4) }
        let height = text.count + 2
        let top = max(1, (canvas.size.rows - height) / 2)
        let left = (width - boxWidth) / 2
        popUp(top: top, left: left, width: boxWidth, height: height, title: confirmationTitle(question))
        for (offset, line) in text.enumerated() {
            canvas.put(line, row: top + 1 + offset, column: left + 2, role: offset == 0 ? .strong : .normal)
        }
    }

    private func confirmationTitle(_ question: Confirmation) -> String {
        switch question {
        case .quit: "Quit"
        case .stopRun: "Stop the run"
        case .leaveWait: "Leave the wait"
        }
    }

    /// The question's lines (also used on the too-small screen).
    func confirmationText(_ question: Confirmation) -> [String] {
        let run = model.run
        let waiting = run?.isWaiting ?? false
        let elapsed = run?.wait.map { TimeText.clock(model.now.timeIntervalSince($0.startedAt)) } ?? ""
        switch question {
        case .quit where waiting:
            return [
                "Quit mailscope?",
                "The propagation wait (\(elapsed) elapsed) is saved; run `\(model.resumeCommand)` later to resume it with its timer.",
            ]
        case .quit where run?.phase == .awaitingConfirmation:
            return ["Quit mailscope?", "Nothing has been written: the plan is not applied."]
        case .quit:
            return [
                "Quit mailscope?",
                "The run stops after saving what is known; run `\(model.resumeCommand)` again to continue where it stopped.",
            ]
        case .stopRun:
            return ["Stop the run and go back?", "The step in progress is saved; nothing more is written."]
        case .leaveWait:
            return [
                "Leave the propagation wait?",
                "It is saved (\(elapsed) elapsed), and `\(model.resumeCommand)` resumes it later with its timer.",
            ]
        }
    }
}
