import Foundation
import MailscopeEngine

/// The propagation wait panel's size.
enum WaitPanel {
    /// Rows the panel takes.
    static let height = 8
}

extension Painter {
    /// The propagation wait: elapsed, the expected window, a progress bar, the next poll and the
    /// last poll's evidence (configured vs effective access).
    mutating func paintWaitPanel(_ run: RunState, top: Int) {
        guard let wait = run.wait else { return }
        let now = model.now
        var row = top
        // A wait in two phases (the vendor's app moved from tenant-wide to scoped access) names its phase.
        let title = wait.phase.map { "Propagation wait \(glyphs.dot) \($0.title)" } ?? "Propagation wait"
        canvas.rule(row: row, column: 2, width: width - 4, title: title, glyphs: glyphs)
        row += 1
        let elapsed = now.timeIntervalSince(wait.startedAt)
        let earliest = wait.expectedEarliest.timeIntervalSince(wait.startedAt)
        let latest = wait.expectedLatest.timeIntervalSince(wait.startedAt)
        let window = "\(TimeText.duration(earliest)) \(glyphs.rangeDash) \(TimeText.duration(latest))"
        let phase: (String, StyleRole) =
            elapsed < earliest
            ? ("before the usual window", .dim)
            : elapsed <= latest ? ("inside the usual window", .info) : ("past the usual window", .warning)
        canvas.draw(
            [
                Span("Elapsed ", .dim), Span(TimeText.clock(elapsed), .strong),
                Span("  \(glyphs.dot)  usually \(window)  \(glyphs.dot)  ", .dim), Span(phase.0, phase.1),
            ],
            row: row,
            column: 3,
            limit: width - 5
        )
        row += 1
        paintProgressBar(elapsed: elapsed, earliest: earliest, latest: latest, row: row)
        row += 1
        // The elapsed time counts seconds (the same `M:SS` clock wherever it shows); every other
        // time is a clock time of day, so a wizard left waiting for hours sends a few bytes a second.
        let untilPoll = wait.nextPoll.timeIntervalSince(now)
        let zone = model.timeZone
        canvas.draw(
            [
                Span("Next poll ", .dim),
                Span(
                    untilPoll > 0 ? "at \(TimeText.timeOfDay(wait.nextPoll, in: zone))" : "now\(glyphs.ellipsis)",
                    .info
                ),
                Span("  \(glyphs.dot)  \(counted(wait.polls, "poll")) so far", .dim),
                Span("  \(glyphs.dot)  gives up at \(TimeText.timeOfDay(wait.deadline, in: zone))", .dim),
            ],
            row: row,
            column: 3,
            limit: width - 5
        )
        row += 1
        guard let poll = wait.lastPoll else {
            canvas.put(
                "No poll yet: the first one shows configured and effective access.",
                row: row,
                column: 3,
                role: .dim,
                limit: width - 5
            )
            paintLeaveHint(row: top + WaitPanel.height - 1)
            return
        }
        canvas.put("Last poll at \(TimeText.timeOfDay(poll.at, in: model.timeZone)):", row: row, column: 3, role: .dim)
        row += 1
        if poll.configuredUnobservable == true {
            canvas.draw(
                [
                    Span("configured".padded(toColumns: 12), .strong),
                    Span("EWS cannot read it: effective access decides", .dim),
                ],
                row: row,
                column: 5,
                limit: width - 7
            )
        } else {
            paintEvidence(
                "configured",
                (poll.configuredInScope, "in-scope:", "in scope", "NOT in scope"),
                (poll.configuredOutOfScope, "out-of-scope:", "out of scope", "IN scope"),
                row: row
            )
        }
        row += 1
        // An in-scope mailbox still denied is what the propagation window is for: "not yet", drawn
        // as waiting. An out-of-scope mailbox that answers is exposure, and stays a failure.
        paintEvidence(
            "effective",
            (poll.inScopeAllowed, "in-scope:", "allowed", "denied"),
            (poll.outOfScopeDenied, "out-of-scope:", "denied", "ALLOWED"),
            row: row,
            firstDeniedIsPending: true
        )
        paintLeaveHint(row: top + WaitPanel.height - 1)
    }

    private mutating func paintProgressBar(
        elapsed: TimeInterval,
        earliest: TimeInterval,
        latest: TimeInterval,
        row: Int
    ) {
        // The bar's length is the usual window's end; the elapsed clock is on the line above only,
        // so the screen changes in one place each second (the bar moves a cell every few minutes).
        let suffix = " up to \(TimeText.duration(latest))"
        let barWidth = max(10, width - 8 - suffix.displayWidth)
        let fraction = latest > 0 ? min(1, max(0, elapsed / latest)) : 1
        let filled = Int((Double(barWidth) * fraction).rounded(.down))
        let marker = latest > 0 ? Int((Double(barWidth) * earliest / latest).rounded(.down)) : -1
        var bar = ""
        for index in 0..<barWidth {
            if index < filled {
                bar += glyphs.barFilled
            } else {
                bar += index == marker ? glyphs.barMarker : glyphs.barEmpty
            }
        }
        var x = 3
        x += canvas.put("[", row: row, column: x, role: .dim)
        x += canvas.put(String(bar.prefix(filled)), row: row, column: x, role: .info)
        x += canvas.put(String(bar.dropFirst(filled)), row: row, column: x, role: .dim)
        x += canvas.put("]", row: row, column: x, role: .dim)
        canvas.put(suffix, row: row, column: x, role: .normal)
    }

    private mutating func paintEvidence(
        _ label: String,
        _ first: (Bool?, String, String, String),
        _ second: (Bool?, String, String, String),
        row: Int,
        firstDeniedIsPending: Bool = false
    ) {
        var x = 5
        x += canvas.put(label.padded(toColumns: 12), row: row, column: x, role: .strong)
        for (index, (value, name, yes, no)) in [first, second].enumerated() {
            let pending = index == 0 && firstDeniedIsPending && value == false
            let word = pending ? "not yet" : value.map { $0 ? yes : no } ?? "not tested"
            let role: StyleRole =
                pending ? Theme.role(for: .waiting) : value.map { $0 ? .success : .failure } ?? .dim
            let mark = pending ? glyphs.status(.waiting) : glyphs.mark(value)
            let start = x
            x += canvas.put(mark + " ", row: row, column: x, role: role)
            x += canvas.put(name + " ", row: row, column: x, role: .dim)
            x += canvas.put(word, row: row, column: x, role: role)
            x = max(x + 2, start + 30)
        }
    }

    private mutating func paintLeaveHint(row: Int) {
        canvas.draw(
            [Span("w", .key), Span(" leaves the wait: saved, and `\(model.resumeCommand)` resumes it with its timer.", .dim)],
            row: row,
            column: 3,
            limit: width - 5
        )
    }
}
