import Foundation
import MailscopeEngine

extension Painter {
    /// The run: every stage with its state, the focused stage's steps, the wait, the outcome.
    mutating func paintRun(in rows: Range<Int>) {
        guard let run = model.run else { return }
        var row = rows.lowerBound
        canvas.put(runHeading(run), row: row, column: 2, role: .strong, limit: width - 4)
        row += 2
        let focused = model.focusedStage
        var stageRows: [StageID: Int] = [:]
        for stage in StageID.allCases {
            stageRows[stage] = row
            paintStageRow(stage, row: row, isFocused: stage == focused)
            row += 1
        }
        var bottom = rows.upperBound
        if run.wait != nil, run.status(of: .connect) == .waiting {
            bottom -= WaitPanel.height
            paintWaitPanel(run, top: bottom)
        } else if let outcome = outcomeLines(run) {
            bottom -= outcome.count + 1
            for (offset, line) in outcome.enumerated() {
                canvas.draw(line, row: bottom + 1 + offset, column: 2, limit: width - 4)
            }
        }
        row += 1
        let details = focused.map { stageDetailLines($0, run: run) } ?? []
        // While waiting, the wait panel shows the connect stage's steps: show recent log lines instead.
        guard let focused, !details.isEmpty, !(focused == .connect && run.isWaiting), row < bottom - 1 else {
            paintLogTail(rows: row..<(bottom - 1))
            return
        }
        canvas.rule(row: row, column: 2, width: width - 4, title: focused.title, glyphs: glyphs)
        row += 1
        let room = bottom - row - 1
        let shown = details.count > room ? Array(details.prefix(max(0, room - 1))) : details
        for line in shown {
            canvas.draw(line, row: row, column: 2, limit: width - 4)
            row += 1
        }
        if shown.count < details.count {
            let more = details.count - shown.count
            let hint =
                run.mode == .recheck && !run.driftedStages.isEmpty
                ? "r plans the repair and shows every change" : "a taller terminal shows them"
            write(
                "\(glyphs.ellipsis) \(counted(more, "more line", plural: "more lines")): \(hint)",
                row: row,
                column: 4,
                role: .dim
            )
        }
    }

    /// The last log lines, under a rule, in `rows` (nothing when fewer than three rows are free).
    private mutating func paintLogTail(rows: Range<Int>) {
        guard rows.count >= 3 else { return }
        guard let entries = model.run?.log, !entries.isEmpty else { return }
        canvas.rule(
            row: rows.lowerBound,
            column: 2,
            width: width - 4,
            title: "Recent log (l shows all)",
            glyphs: glyphs
        )
        for (offset, entry) in entries.suffix(rows.count - 1).enumerated() {
            var line = LogView.headline(entry, timeZone: model.timeZone)
            if let last = line.popLast() {
                line.append(Span(last.text.truncated(toColumns: width - 4 - 17, ellipsis: glyphs.ellipsis), last.role))
            }
            canvas.draw(line, row: rows.lowerBound + 1 + offset, column: 2, limit: width - 4)
        }
    }

    private func runHeading(_ run: RunState) -> String {
        let name = Preset.named(run.answers.presetID)?.displayName ?? run.answers.presetID
        let tenant = run.tenant?.displayName ?? run.answers.organizationLabel
        switch (run.mode, run.phase) {
        case (.recheck, .finished): return "Re-check of \(name) in \(tenant) \(glyphs.dot) nothing was changed"
        case (.recheck, _): return "Re-checking \(name) in \(tenant) \(glyphs.dot) nothing will be changed"
        case (_, .finished): return "Setup of \(name) in \(tenant)"
        case (_, .leavingWait): return "Saving the wait\(glyphs.ellipsis)"
        case (_, .cancelling): return "Stopping after saving what is known\(glyphs.ellipsis)"
        default: return "Setting up \(name) in \(tenant)"
        }
    }

    /// The focused stage's steps, failure fix, warnings and (for drift) planned changes.
    private func stageDetailLines(_ stage: StageID, run: RunState) -> [StyledLine] {
        guard let report = run.reports[stage] else { return [] }
        let lineWidth = width - 4
        var lines: [StyledLine] = []
        let nameWidth = min(34, (report.steps.map { $0.name.displayWidth }.max() ?? 0) + 2)
        let detailWidth = max(8, lineWidth - 3 - glyphs.statusWidth - nameWidth - 17)
        for step in report.steps {
            lines.append([
                Span("  " + glyphs.status(step.status) + " ", Theme.role(for: step.status)),
                Span(
                    step.name.truncated(toColumns: nameWidth - 2, ellipsis: glyphs.ellipsis).padded(
                        toColumns: nameWidth
                    )
                ),
                Span(step.status.label, Theme.role(for: step.status)),
                Span(String(repeating: " ", count: max(1, 17 - step.status.label.displayWidth))),
                Span(step.detail.truncated(toColumns: detailWidth, ellipsis: glyphs.ellipsis), .dim),
            ])
        }
        if let fix = report.fix {
            lines += wrap([Span("  Fix: ", .failure), Span(fix)], width: lineWidth, indent: 7)
        }
        for warning in report.warnings {
            lines += wrap([Span("  ! ", .warning), Span(warning, .warning)], width: lineWidth, indent: 4)
        }
        if report.status == .needsChange {
            for change in report.changes {
                lines += wrap(
                    [Span("  would \(change.action.rawValue): ", .warning), Span(change.summary)],
                    width: lineWidth,
                    indent: 4
                )
                let prompt = run.answers.target == .exchangeServer ? "    EMS> " : "    PS> "
                lines += commandLines(change.powershell, prompt: Span(prompt, .dim), width: lineWidth, indent: prompt.count)
            }
        }
        if lines.isEmpty, !report.evidence.isEmpty {
            lines = report.evidence.map { [Span("  " + $0, .dim)] }
        }
        return lines
    }

    /// What the finished run means and what to do next.
    private func outcomeLines(_ run: RunState) -> [StyledLine]? {
        guard case .finished(let outcome) = run.phase else { return nil }
        let width = self.width - 4
        switch outcome {
        case .verified:
            return wrap(
                [
                    Span(glyphs.status(.verified) + " ", .success),
                    Span("Every stage is verified: in-scope access allowed, out-of-scope access denied.", .success),
                ],
                width: width,
                indent: 2
            )
        case .drift(let stages):
            let names = stages.map(\.title).joined(separator: ", ")
            var lines = wrap(
                [
                    Span(glyphs.status(.needsChange) + " ", .warning), Span("Drift in \(names). ", .warning),
                    Span(Self.changesMade(run)),
                ],
                width: width,
                indent: 2
            )
            if run.mode == .recheck {
                lines += wrap(
                    [
                        Span("r", .key),
                        Span(" repairs it: plans the changes and applies them only after you confirm.", .dim),
                    ],
                    width: width,
                    indent: 2
                )
            } else {
                lines += wrap(
                    [Span("Not verified yet; run `\(model.resumeCommand)` again later to check.", .dim)],
                    width: width,
                    indent: 2
                )
            }
            return lines
        case .suspended:
            return wrap(
                [
                    Span(glyphs.status(.waiting) + " ", .warning),
                    Span("The wait is saved; `\(model.resumeCommand)` resumes it with its timer."),
                ],
                width: width,
                indent: 2
            )
        case .failed(let message):
            return wrap(
                [Span(glyphs.status(.failed) + " ", .failure), Span("Stopped: ", .failure), Span(message)],
                width: width,
                indent: 2
            )
        }
    }
}

extension Painter {
    /// What a run that ends in drift changed: nothing (a re-check never writes), or the writes it
    /// made, which stay (never "nothing was changed" after a write or an Exchange Management Shell step ran).
    static func changesMade(_ run: RunState) -> String {
        let writes = run.log.filter { $0.level == .write }.count
        if run.mode == .recheck || writes == 0 { return "Nothing was changed." }
        return "\(counted(writes, "change")) \(writes == 1 ? "was" : "were") made and stay\(writes == 1 ? "s" : ""): l shows them."
    }
}
