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
        let maxHeight = canvas.size.rows - 4
        let visible = min(lines.count, maxHeight - 3)
        let first = min(model.helpScroll, max(0, lines.count - visible))
        let height = visible + 3
        let top = max(1, (canvas.size.rows - height) / 2)
        let left = (width - boxWidth) / 2
        canvas.box(top: top, left: left, width: boxWidth, height: height, title: "Help", glyphs: glyphs)
        for (offset, line) in lines.dropFirst(first).prefix(visible).enumerated() {
            canvas.draw(line, row: top + 1 + offset, column: left + 2, limit: textWidth)
        }
        let more = lines.count > visible ? "\(glyphs.upDown) scroll  " : ""
        canvas.draw(
            [Span(more + "Esc", .key), Span(" closes", .dim)],
            row: top + height - 2,
            column: left + 2,
            limit: textWidth
        )
    }

    /// A yes/no question in a box.
    mutating func paintConfirmation(_ question: Confirmation) {
        let boxWidth = min(64, width - 4)
        let text = confirmationText(question).flatMap { $0.wrapped(toColumns: boxWidth - 4) }
        let height = text.count + 4
        let top = max(1, (canvas.size.rows - height) / 2)
        let left = (width - boxWidth) / 2
        canvas.box(
            top: top,
            left: left,
            width: boxWidth,
            height: height,
            title: confirmationTitle(question),
            glyphs: glyphs
        )
        for (offset, line) in text.enumerated() {
            canvas.put(line, row: top + 1 + offset, column: left + 2, role: offset == 0 ? .strong : .normal)
        }
        canvas.draw(
            [
                Span("y", .key), Span(" yes   ", .dim), Span("n", .key), Span("/", .dim), Span("Esc", .key),
                Span(" no", .dim),
            ],
            row: top + height - 2,
            column: left + 2
        )
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
