import Foundation
import MailscopeEngine

/// The Exchange Management Shell step screen's text, shared by the view and by `update` (for
/// scroll limits). The command is wrapped, never cut: when it is taller than its box, it scrolls.
enum ShellStepView {
    /// Content rows that are neither header lines nor command lines: the heading, the box's two
    /// borders and the key line under the box.
    static let fixedRows = 4
    /// The fewest command lines the box shows; the header gives way first.
    static let minimumCommandLines = 3
    /// The continuation indent of a wrapped command line.
    static let continuationIndent = 4

    /// The lines above the command: the stage and summary, the step's warning, and where the
    /// password the command asks for comes from.
    static func headerLines(_ model: WizardModel, glyphs: Glyphs) -> [StyledLine] {
        guard let run = model.run, let pending = run.shellStep else { return [] }
        let step = pending.step
        let width = model.size.columns - 4
        var lines = wrap([Span(step.stage.title, .strong), Span(" \(glyphs.dot) \(step.summary)")], width: width, indent: 2)
        if let warning = step.warning {
            lines += wrap([Span("! ", .warning), Span(warning, .warning)], width: width, indent: 2)
        }
        if step.readsPassword {
            let source =
                run.answers.passwordFile.map { "the one in \($0)" }
                ?? run.answers.passwordEnvironmentVariable.map { "the value of $\($0)" } ?? "the service account's"
            lines += wrap([Span("It asks for the password: enter \(source).", .dim)], width: width, indent: 2)
        }
        let room = max(1, Layout(size: model.size).content.count - fixedRows - minimumCommandLines)
        if lines.count > room {
            lines = Array(lines.prefix(room - 1)) + [
                [Span("\(glyphs.ellipsis) a taller terminal shows the rest (l shows the log)", .dim)]
            ]
        }
        return lines
    }

    /// The command, each of its lines wrapped to the box (continuation rows indented).
    static func commandLines(_ model: WizardModel) -> [StyledLine] {
        guard let step = model.run?.shellStep?.step else { return [] }
        return MailscopeTUI.commandLines(
            step.command,
            prompt: Span(""),
            width: max(10, model.size.columns - 6),
            indent: continuationIndent
        )
    }

    /// How many command lines the box shows for `model`.
    static func visibleCommandLines(_ model: WizardModel) -> Int {
        let rows = Layout(size: model.size).content.count - fixedRows - headerLines(model, glyphs: .unicode).count
        return max(1, rows)
    }

    /// The largest first line the command can scroll to.
    static func maxScroll(_ model: WizardModel) -> Int {
        max(0, commandLines(model).count - visibleCommandLines(model))
    }
}

extension Painter {
    /// An Exchange Management Shell step: its stage, summary and warning, the exact command in a box
    /// (scrolling when long), and what the keys do. The stage strip below stays visible.
    mutating func paintShellStep(in rows: Range<Int>) {
        guard let pending = model.run?.shellStep else { return }
        var row = rows.lowerBound
        let waiting = pending.state == .waitingForAdmin
        let state = "\(glyphs.status(waiting ? .waiting : .checking)) \(pending.state.label)"
        let stateColumn = width - 2 - state.displayWidth
        write(
            "Run this in the Exchange Management Shell \(glyphs.dot) step \(pending.number)",
            row: row,
            column: 2,
            role: .strong,
            limit: max(0, stateColumn - 4)
        )
        canvas.put(state, row: row, column: stateColumn, role: waiting ? .warning : .info)
        row += 1
        for line in ShellStepView.headerLines(model, glyphs: glyphs) {
            canvas.draw(line, row: row, column: 2, limit: width - 4)
            row += 1
        }
        let command = ShellStepView.commandLines(model)
        let visible = ShellStepView.visibleCommandLines(model)
        let first = min(model.shellScroll, ShellStepView.maxScroll(model))
        let boxHeight = min(visible, command.count) + 2
        canvas.box(top: row, left: 1, width: width - 2, height: boxHeight, title: "PowerShell", glyphs: glyphs)
        for (offset, line) in command.dropFirst(first).prefix(visible).enumerated() {
            canvas.draw(line, row: row + 1 + offset, column: 3, limit: width - 6)
        }
        if command.count > visible {
            let last = min(command.count, first + visible)
            let position =
                " lines \(first + 1)\(glyphs.rangeDash)\(last) of \(command.count) \(glyphs.dot) \(glyphs.upDown) scrolls "
            canvas.put(position, row: row + boxHeight - 1, column: width - 3 - position.displayWidth, role: .dim)
        }
        row += boxHeight
        if waiting {
            canvas.draw(
                [
                    Span("Enter", .key), Span(" I ran it in the Exchange Management Shell  ", .dim), Span("c", .key),
                    Span(" copy  ", .dim), Span("s", .key), Span(" stop here (saved)", .dim),
                ],
                row: row,
                column: 2,
                limit: width - 4
            )
        } else {
            write(
                "Not run: the run is being saved, and Resume shows this step again.",
                row: row,
                column: 2,
                role: .info
            )
        }
    }
}
