import Foundation
import MailscopeEngine

/// Draws `model` into a canvas of `size` with `theme`. Pure: the same inputs give the same cells.
public func render(_ model: WizardModel, size: TerminalSize, theme: Theme) -> Canvas {
    var painter = Painter(model: model, theme: theme, canvas: Canvas(size: size, ellipsis: theme.glyphs.ellipsis))
    painter.paint()
    return theme.glyphs.isASCII ? painter.canvas.foldedToASCII() : painter.canvas
}

/// Draws one frame. Each screen lives in its own extension.
struct Painter {
    let model: WizardModel
    let theme: Theme
    var canvas: Canvas

    var glyphs: Glyphs { theme.glyphs }
    var layout: Layout { Layout(size: canvas.size) }
    var width: Int { canvas.size.columns }

    /// Whether the screen shows the stage strip at the bottom (the run screen has its own list; the
    /// start screen, before any stage, shows the highlighted preset's table instead).
    var showsStrip: Bool { model.screen != .start && (model.screen != .run || model.showsLog) }

    mutating func paint() {
        guard canvas.size.isLargeEnough else {
            if canvas.size.fitsCompactLayout {
                paintCompact()
            } else if let prompt = model.run?.deviceCode, model.screen == .signIn {
                paintCodeAlone(prompt)
            } else {
                paintTooSmall()
            }
            return
        }
        paintTitleBar()
        let content = showsStrip ? layout.content : layout.fullContent
        if model.showsLog && model.screen != .start {
            paintLog(in: content)
        } else {
            switch model.screen {
            case .start: paintStart(in: content)
            case .form(let page): paintForm(page, in: content)
            case .signIn: paintSignIn(in: content)
            case .plan: paintPlan(in: content)
            case .run: paintRun(in: content)
            case .shellStep: paintShellStep(in: content)
            case .handOff: paintHandOff(in: content)
            }
        }
        if showsStrip { paintStrip() }
        paintNotice(row: showsStrip ? layout.noticeRow : layout.fullNoticeRow)
        paintFooter()
        switch model.overlay {
        case .help(let field): paintHelp(field: field)
        case .confirm(let question): paintConfirmation(question)
        case nil: break
        }
    }

    // MARK: Chrome

    private mutating func paintTitleBar() {
        canvas.fill(row: 0, role: .title)
        var left = " mailscope"
        // On the form, what the form holds now (a preset or target switched after a run included);
        // elsewhere, the run's answers.
        let onForm: Bool
        if case .form = model.screen { onForm = true } else { onForm = false }
        let run = onForm ? nil : model.run
        let mode = run?.mode ?? (model.screen == .start ? nil : model.formMode)
        switch mode {
        case .setup: left += " \(glyphs.dot) set up"
        case .recheck: left += " \(glyphs.dot) re-check"
        case .resume: left += " \(glyphs.dot) resume"
        case nil: break
        }
        if model.screen != .start, let preset = Preset.named(run?.answers.presetID ?? model.form.presetID) {
            left += " \(glyphs.dot) \(preset.displayName)"
        }
        if model.screen != .start, (run?.answers.target ?? model.form.target) == .exchangeServer {
            left += " \(glyphs.dot) on-premises"
        }
        var right: [String] = []
        if let run, let tenant = run.tenant {
            right.append(run.answers.target == .exchangeServer ? tenant.id : tenant.displayName)  // the EWS host
        }
        if let label = model.environmentLabel { right.append(label) }
        let rightText = right.joined(separator: " \(glyphs.dot) ") + " "
        let rightWidth = min(rightText.displayWidth, width / 2)
        canvas.put(
            left.truncated(toColumns: width - rightWidth - 1, ellipsis: glyphs.ellipsis),
            row: 0,
            column: 0,
            role: .title
        )
        canvas.put(
            rightText.truncated(toColumns: rightWidth, ellipsis: glyphs.ellipsis),
            row: 0,
            column: width - rightWidth,
            role: .title
        )
    }

    private mutating func paintFooter() {
        let row = layout.footerRow
        var seen = Set<String>()
        var items: [(key: String, hint: String)] = []
        for binding in KeyMap.bindings(for: model) {
            guard let hint = binding.hint, seen.insert(hint).inserted else { continue }
            items.append((binding.label(for: glyphs), hint))
        }
        func columns() -> Int { items.reduce(1) { $0 + $1.key.displayWidth + $1.hint.displayWidth + 3 } }
        while columns() > width, items.count > 3 {
            items.remove(at: items.count - 3)  // keep the first hints and the closing "help", "quit"
        }
        var line: StyledLine = [Span(" ")]
        for item in items {
            line.append(Span(item.key, .key))
            line.append(Span(" \(item.hint)  ", .dim))
        }
        canvas.draw(line, row: row, column: 0, limit: width)
    }

    private mutating func paintNotice(row: Int) {
        if let query = model.searchQuery {
            canvas.put(" Search: ", row: row, column: 0, role: .strong)
            canvas.fill(row: row, columns: 9..<(width - 1), role: .focusedInput)
            canvas.put(query.text, row: row, column: 9, role: .focusedInput, limit: width - 10)
            canvas.put(" ", row: row, column: min(width - 2, 9 + query.text.displayWidth), role: .cursor)
            return
        }
        guard let notice = model.notice else { return }
        canvas.put(
            " " + notice.text.truncated(toColumns: width - 2, ellipsis: glyphs.ellipsis),
            row: row,
            column: 0,
            role: notice.role
        )
    }

    /// The stage list as a strip: one row per stage with its glyph, word and detail.
    private mutating func paintStrip() {
        canvas.rule(row: layout.stripTop, title: "Stages", glyphs: glyphs)
        // On an Exchange Management Shell step, the step's stage is marked.
        let marked = model.screen == .shellStep && !model.showsLog ? model.run?.shellStep?.step.stage : nil
        for (offset, stage) in StageID.allCases.enumerated() {
            paintStageRow(stage, row: layout.stripTop + 1 + offset, isFocused: stage == marked)
        }
    }

    /// One stage: `✔ Service account      verified        appId 1111…`.
    mutating func paintStageRow(_ stage: StageID, row: Int, isFocused: Bool) {
        let status = model.run?.status(of: stage) ?? .pending
        let role = Theme.role(for: status)
        var x = 1
        if isFocused {
            canvas.put(glyphs.focusMarker, row: row, column: 0, role: .strong)
        }
        x += canvas.put(glyphs.status(status), row: row, column: x, role: role) + 1
        x += canvas.put(stage.title.padded(toColumns: 23), row: row, column: x, role: isFocused ? .strong : .normal)
        canvas.put(status.label, row: row, column: x, role: role, limit: 16)
        x += 17
        let detail = stageDetail(stage)
        canvas.put(
            detail.truncated(toColumns: max(0, width - x - 1), ellipsis: glyphs.ellipsis),
            row: row,
            column: x,
            role: .dim
        )
    }

    /// One line of what a stage observed.
    func stageDetail(_ stage: StageID) -> String {
        guard let run = model.run else { return "" }
        // (Exchange Server: while EWS refuses the service account, the report says so instead.)
        if stage == .signIn, let tenant = run.tenant, ![.failed, .notVerified].contains(run.status(of: .signIn)) {
            return "\(tenant.displayName) (\(tenant.defaultDomain)) as \(tenant.signedInAs)"
        }
        if stage == .connect, run.status(of: .connect) == .waiting, let wait = run.wait {
            let earliest = TimeText.duration(wait.expectedEarliest.timeIntervalSince(wait.startedAt))
            let latest = TimeText.duration(wait.expectedLatest.timeIntervalSince(wait.startedAt))
            return "propagation, usually \(earliest) \(glyphs.rangeDash) \(latest)"
        }
        return run.reports[stage]?.detail ?? ""
    }

    /// Writes one line of prose, cut with an ellipsis when it does not fit in `limit` columns.
    @discardableResult
    mutating func write(_ text: String, row: Int, column: Int, role: StyleRole = .normal, limit: Int? = nil) -> Int {
        let room = min(limit ?? (width - column - 1), width - column)
        return canvas.put(
            text.truncated(toColumns: room, ellipsis: glyphs.ellipsis),
            row: row,
            column: column,
            role: role
        )
    }

    /// Writes prose wrapped to `limit` columns, at most `maxLines` lines; returns the rows used.
    @discardableResult
    mutating func paragraph(
        _ text: String,
        row: Int,
        column: Int,
        role: StyleRole = .normal,
        limit: Int? = nil,
        maxLines: Int = .max
    ) -> Int {
        let room = limit ?? (width - column - 1)
        let lines = text.wrapped(toColumns: room).map { [Span($0, role)] }
        return draw(lines, row: row, column: column, limit: room, maxRows: maxLines)
    }

    // MARK: Too small

    /// A device code and its address, alone and centred (below the compact layout's size).
    private mutating func paintCodeAlone(_ prompt: DeviceCodePrompt) {
        let address = Self.tokenRows(prompt.verificationURL, width: width)
        let rows = address + [""] + [prompt.userCode]
        let top = max(0, (canvas.size.rows - rows.count) / 2)
        for (offset, line) in rows.enumerated() {
            // A cut address starts at the left edge, so its rows read as one.
            let column = address.count > 1 && offset < address.count ? 0 : max(0, (width - line.displayWidth) / 2)
            canvas.put(line, row: top + offset, column: column, role: .code)
        }
    }

    /// A token (a URL, an ID) on rows of `width`: whole when it fits, else cut at the width only
    /// (a token is never broken at a hyphen or a slash, and never shortened with an ellipsis).
    static func tokenRows(_ token: String, width: Int) -> [String] {
        guard width > 0, token.displayWidth > width else { return [token] }
        var rows: [String] = []
        var current = ""
        for character in token {
            if (current + String(character)).displayWidth > width {
                rows.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { rows.append(current) }
        return rows
    }

    /// Between 40x12 and 80x24: the current stage, a device code and its address in full, the
    /// wait's elapsed time and next poll, a notice and the keys. Other screens say to enlarge.
    private mutating func paintCompact() {
        paintTitleBar()
        let footer = layout.footerRow
        let row = 1
        var lines: [(String, StyleRole)] = []
        if case .confirm(let question) = model.overlay {
            lines = confirmationText(question).map { ($0, .strong) }
        } else {
            if let run = model.run, let stage = model.focusedStage ?? (model.screen == .signIn ? .signIn : nil) {
                let status = run.status(of: stage)
                lines.append(("\(glyphs.status(status)) \(stage.title) \(glyphs.dot) \(status.label)", Theme.role(for: status)))
            }
            if model.screen == .signIn, let prompt = model.run?.deviceCode {
                lines.append(("Open in a browser:", .normal))
                lines += Self.tokenRows(prompt.verificationURL, width: width - 2).map { ($0, .code) }
                let remaining = prompt.expiresAt.timeIntervalSince(model.now)
                lines.append(("and enter the code:", .normal))
                lines.append((prompt.userCode, .code))
                lines.append((remaining > 0 ? "expires in \(TimeText.clock(remaining))" : "expired: Esc, then a new code", remaining > 60 ? .dim : .warning))
            } else if let run = model.run, run.isWaiting, let wait = run.wait, model.screen == .run {
                lines.append(("Propagation wait", .strong))
                lines.append(("Elapsed \(TimeText.clock(model.now.timeIntervalSince(wait.startedAt)))", .normal))
                let untilPoll = wait.nextPoll.timeIntervalSince(model.now)
                lines.append((untilPoll > 0 ? "Next poll at \(TimeText.timeOfDay(wait.nextPoll, in: model.timeZone))" : "Polling now\(glyphs.ellipsis)", .info))
                lines.append(("\(counted(wait.polls, "poll")) so far", .dim))
            } else {
                lines.append(("Terminal \(canvas.size.columns)x\(canvas.size.rows): this screen needs 80x24.", .warning))
                lines.append(("Enlarge the window; the wizard carries on.", .dim))
            }
        }
        // (A token's rows come cut to the width already; prose wraps; what does not fit above
        // the notice row ends in the ellipsis.)
        let wrapped: [StyledLine] = lines.flatMap { text, role in
            (role == .code ? [text] : text.wrapped(toColumns: width - 2)).map { [Span($0, role)] }
        }
        draw(wrapped, row: row, column: 1, limit: width - 1, maxRows: footer - 1 - row)
        paintNotice(row: footer - 1)
        if case .confirm = model.overlay {
            canvas.put(" y yes  n no", row: footer, column: 0, role: .key)
        } else {
            paintFooter()
        }
    }

    private mutating func paintTooSmall() {
        var lines = [
            "Terminal too small: \(canvas.size.columns)x\(canvas.size.rows).",
            "mailscope needs 80x24;",
            "40x12 shows the essentials.",
        ]
        if case .confirm(let question) = model.overlay {
            lines += [""] + confirmationText(question) + ["y yes  n no"]
        } else {
            lines += ["", model.isRunActive ? "q quit (asks first)" : "q quit"]
        }
        var wrapped = lines.flatMap { $0.isEmpty ? [""] : $0.wrapped(toColumns: max(1, canvas.size.columns - 2)) }
        while wrapped.count > canvas.size.rows, wrapped.count > 2 {
            wrapped.remove(at: 1)  // keep the first line and the keys
        }
        let top = max(0, (canvas.size.rows - wrapped.count) / 2)
        for (offset, line) in wrapped.enumerated() {
            let column = max(0, (canvas.size.columns - line.displayWidth) / 2)
            canvas.put(line, row: top + offset, column: column, role: offset == 0 ? .warning : .normal)
        }
    }
}
