import Foundation
import MailscopeEngine

extension WizardModel {
    /// Handles a key press through the key-binding table; unbound characters type into a text field.
    mutating func handle(_ key: Key) -> [WizardEffect] {
        notice = nil
        guard let binding = KeyMap.binding(for: key, in: self) else {
            if searchQuery != nil, case .character(let character) = key {
                searchQuery?.insert(character)
            } else if KeyMap.isEditingText(self), case .character(let character) = key {
                type(character)
            } else if key == .escape, screen == .start, overlay == nil {
                notice = Notice("This is the first step; q quits.", role: .info)
            }
            return []
        }
        return perform(binding.action)
    }

    /// Performs an action on the current screen.
    mutating func perform(_ action: WizardAction) -> [WizardEffect] {
        if let query = searchQuery { return performInSearch(action, query: query) }
        switch overlay {
        case .help: return performInHelp(action)
        case .confirm(let question): return answer(question, yes: action == .yes)
        case nil: break
        }
        switch action {
        case .help:
            overlay = .help(field: { if case .form = screen { return form.focus } else { return nil } }())
            helpScroll = 0
            return []
        case .quit:
            return requestQuit()
        case .toggleLog:
            showsLog.toggle()
            logScroll = nil
            return []
        default:
            break
        }
        if showsLog { return performInLog(action) }
        switch screen {
        case .start: return performOnStart(action)
        case .form(let page): return performOnForm(action, page: page)
        case .signIn: return performOnSignIn(action)
        case .plan: return performOnPlan(action)
        case .run: return performOnRun(action)
        case .shellStep: return performOnShellStep(action)
        case .handOff: return performOnHandOff(action)
        }
    }

    // MARK: Quit and confirmations

    private mutating func requestQuit() -> [WizardEffect] {
        guard isRunActive else { return [.quit(quitStatus)] }
        overlay = .confirm(.quit)
        return []
    }

    private mutating func answer(_ question: Confirmation, yes: Bool) -> [WizardEffect] {
        overlay = nil
        guard yes, var state = run else { return [] }
        defer { run = state }
        let stopEffects: [WizardEffect]
        switch state.phase {
        case .leavingWait, .cancelling, .finished: stopEffects = []
        case .awaitingConfirmation:
            stopEffects = [.confirmPlan(false)]
            state.phase = .cancelling
        case .running where state.isWaiting:
            stopEffects = [.leaveWait]
            state.phase = .leavingWait
        case .running:
            stopEffects = [.cancelRun]
            state.phase = .cancelling
        }
        switch question {
        case .quit:
            quitRequestedAt = now
            notice = Notice(state.phase == .leavingWait ? "Saving the wait…" : "Saving the run…", role: .info)
            if !state.phase.isActive { return [.quit(quitStatus)] }
        case .stopRun:
            reopenForm(with: state.answers)
            formMode = state.mode == .recheck ? .recheck : .setup
            openForm(at: .scope)
            notice = Notice("Stopped. Change the answers if needed, then continue to run again.", role: .info)
        case .leaveWait:
            notice = Notice("Saving the wait…", role: .info)
        }
        return stopEffects
    }

    // MARK: Search

    /// The pane being searched: the log when it is shown, else the plan.
    private var searchesLog: Bool { showsLog }

    private mutating func performInSearch(_ action: WizardAction, query: TextInput) -> [WizardEffect] {
        switch action {
        case .deleteBackward: searchQuery?.deleteBackward()
        case .back:
            searchQuery = nil
        case .choose:
            searchQuery = nil
            let text = query.text.isEmpty ? (lastSearch ?? "") : query.text
            guard !text.isEmpty else { return [] }
            lastSearch = text
            find(text, after: !query.text.isEmpty ? -1 : 0)
        default: break
        }
        return []
    }

    /// Scrolls the log or the plan to the next line holding `text` (case-insensitive), after the
    /// first line shown plus `after`, wrapping around.
    private mutating func find(_ text: String, after: Int) {
        let lines: [String]
        let first: Int
        let last: Int
        if searchesLog {
            lines = LogView.lines(self).map { $0.map(\.text).joined() }
            last = max(0, lines.count - LogView.visibleLines(self))
            first = min(logScroll ?? last, last)
        } else {
            lines = PlanView.lines(self, glyphs: .unicode).map { $0.map(\.text).joined() }
            last = max(0, lines.count - PlanView.visibleLines(size))
            first = planScroll
        }
        let start = first + after + 1
        let order = Array(start..<lines.count) + Array(0..<min(max(0, start), lines.count))
        guard let found = order.first(where: { lines[$0].range(of: text, options: .caseInsensitive) != nil }) else {
            notice = Notice("Not found: \(text)", role: .warning)
            return
        }
        if searchesLog {
            logScroll = min(found, last)
            if logScroll == last { logScroll = last }  // keep the view where the match is
        } else {
            planScroll = min(found, last)
        }
        notice = Notice("Line \(found + 1) of \(lines.count): \(text)  (/ then Enter: next)", role: .info)
    }

    // MARK: Overlays and panes

    private mutating func performInHelp(_ action: WizardAction) -> [WizardEffect] {
        switch action {
        case .moveDown: helpScroll += 1
        case .moveUp: helpScroll = max(0, helpScroll - 1)
        default: overlay = nil
        }
        return []
    }

    private mutating func performInLog(_ action: WizardAction) -> [WizardEffect] {
        let last = max(0, LogView.lineCount(self) - LogView.visibleLines(self))
        let page = max(1, LogView.visibleLines(self) - 1)
        let current = logScroll ?? last
        switch action {
        case .moveUp: logScroll = max(0, current - 1)
        case .moveDown: logScroll = min(last, current + 1)
        case .pageUp: logScroll = max(0, current - page)
        case .pageDown: logScroll = min(last, current + page)
        case .scrollToStart: logScroll = 0
        case .scrollToEnd: logScroll = nil
        case .search: searchQuery = TextInput()
        default: break
        }
        if logScroll == last, action != .search { logScroll = nil }
        return []
    }

    // MARK: Screens

    private mutating func performOnStart(_ action: WizardAction) -> [WizardEffect] {
        let choices = startChoices
        switch action {
        case .moveUp: startSelection = (startSelection + choices.count - 1) % choices.count
        case .moveDown: startSelection = (startSelection + 1) % choices.count
        case .choose:
            switch choices[startSelection] {
            case .resume:
                guard let savedRun else { return [] }
                return beginRun(.resume, answers: savedRun.answers, wait: savedRun.wait)
            case .preset(let id):
                guard let preset = Preset.named(id) else { return [] }
                if form.presetID != id { form.apply(preset) }
                formMode = .setup
                openForm(at: .tenant)
            case .recheck:
                if let savedRun { form = FormState(answers: savedRun.answers) }
                formMode = .recheck
                openForm(at: .tenant)
            }
        default: break
        }
        return []
    }

    private mutating func performOnSignIn(_ action: WizardAction) -> [WizardEffect] {
        switch action {
        case .copy:
            guard let code = run?.deviceCode?.userCode else { return [] }
            notice = copiedNotice("the code")
            return [.copyToClipboard(code)]
        case .back:
            guard var state = run else { return [] }
            var effects: [WizardEffect] = []
            if state.phase.isActive {
                state.phase = .cancelling
                effects = [.cancelRun]
            }
            run = state
            openForm(at: .scope)
            notice = Notice("Sign-in stopped; nothing was written.", role: .info)
            return effects
        default:
            return []
        }
    }

    private mutating func performOnPlan(_ action: WizardAction) -> [WizardEffect] {
        guard var state = run else { return [] }
        let last = max(0, PlanView.lineCount(self) - PlanView.visibleLines(size))
        switch action {
        case .moveUp: planScroll = max(0, planScroll - 1)
        case .moveDown: planScroll = min(last, planScroll + 1)
        case .pageUp: planScroll = max(0, planScroll - PlanView.visibleLines(size))
        case .pageDown: planScroll = min(last, planScroll + PlanView.visibleLines(size))
        case .scrollToStart: planScroll = 0
        case .scrollToEnd: planScroll = last
        case .search: searchQuery = TextInput()
        case .focusButtons: planFocus = planFocus == .apply ? .decline : .apply
        case .choose:
            switch planFocus {
            case .apply: return perform(.applyPlan)
            case .decline: return perform(.declinePlan)
            case nil:
                planFocus = .apply
                notice = Notice("Review the plan, then press Enter on Apply (or y). n or Esc leaves without writing.")
            }
        case .applyPlan:
            guard state.phase == .awaitingConfirmation else { return [] }
            guard state.tenantMatch != .mismatch else {
                notice = Notice(
                    "The signed-in tenant is not the one you typed; nothing will be written. Esc goes back.",
                    role: .failure
                )
                return []
            }
            state.phase = .running
            run = state
            screen = .run
            selectedStage = nil
            return [.confirmPlan(true)]
        case .declinePlan, .back:
            var effects: [WizardEffect] = []
            if state.phase == .awaitingConfirmation {
                state.phase = .cancelling
                effects = [.confirmPlan(false)]
            }
            run = state
            reopenForm(with: state.answers)
            openForm(at: .scope)
            notice = Notice("Plan not applied: nothing was written.", role: .info)
            return effects
        default: break
        }
        return []
    }

    private mutating func performOnRun(_ action: WizardAction) -> [WizardEffect] {
        guard let state = run else { return [] }
        let stages = StageID.allCases
        switch action {
        case .moveUp, .moveDown:
            let current = focusedStage.flatMap { stages.firstIndex(of: $0) } ?? 0
            let next = action == .moveUp ? max(0, current - 1) : min(stages.count - 1, current + 1)
            selectedStage = stages[next]
        case .leaveWait:
            if state.isWaiting { overlay = .confirm(.leaveWait) }
        case .repair:
            guard !state.phase.isActive else { return [] }
            formMode = .setup
            return beginRun(.setup, answers: state.answers)
        case .retry:
            guard case .finished(.failed) = state.phase else { return [] }
            reopenForm(with: state.answers)
            formMode = state.mode == .recheck ? .recheck : .setup
            return beginRun(formMode, answers: state.answers)
        case .choose:
            guard case .finished(let outcome) = state.phase else { return [] }
            if case .failed = outcome {
                reopenForm(with: state.answers)
                formMode = state.mode == .recheck ? .recheck : .setup
                let field = Self.field(for: focusedStage ?? .signIn, answers: state.answers)
                openForm(at: form.page(of: field) ?? .tenant)
                if form.isApplicable(field) { form.focus = field }
                notice = Notice("Every answer is kept; fix \(field.label) if it caused the failure, then continue.", role: .info)
                return []
            }
            if outcome == .verified, !state.handOff.isEmpty {
                screen = .handOff
            } else {
                screen = .start
            }
        case .back:
            if state.isWaiting {
                overlay = .confirm(.leaveWait)
            } else if state.phase.isActive {
                overlay = .confirm(.stopRun)
            } else {
                reopenForm(with: state.answers)
                openForm(at: .scope)
            }
        default: break
        }
        return []
    }

    /// The form field a failing stage is most likely about.
    static func field(for stage: StageID, answers: WizardAnswers) -> FormField {
        switch stage {
        case .signIn: answers.target == .exchangeServer ? .ewsURL : (answers.signIn == .deviceCode ? .tenant : .clientID)
        case .serviceAccount: answers.target == .exchangeServer ? .serviceAccountAddress : .serviceAccountName
        case .distributionGroup: answers.scopeKind == .group ? .members : .scopeKind
        case .impersonationRole: answers.target == .exchangeServer ? .scopeName : .roles
        case .scope: .scopeName
        case .connect: answers.target == .exchangeServer ? .outOfScopeMailbox : .members
        }
    }

    private mutating func performOnShellStep(_ action: WizardAction) -> [WizardEffect] {
        guard var state = run, var pending = state.shellStep else {
            if action == .back { screen = .run }
            return []
        }
        let last = ShellStepView.maxScroll(self)
        let page = max(1, ShellStepView.visibleCommandLines(self) - 1)
        switch action {
        case .moveUp: shellScroll = max(0, shellScroll - 1)
        case .moveDown: shellScroll = min(last, shellScroll + 1)
        case .pageUp: shellScroll = max(0, shellScroll - page)
        case .pageDown: shellScroll = min(last, shellScroll + page)
        case .copy:
            let lines = pending.step.command.split(separator: "\n", omittingEmptySubsequences: false).count
            notice = copiedNotice("the command, \(counted(lines, "line"))")
            return [.copyToClipboard(pending.step.command)]
        case .ranShellStep, .choose:
            guard pending.state == .waitingForAdmin, state.phase == .running else { return [] }
            state.shellStep = nil
            run = state
            screen = .run
            selectedStage = nil
            notice = Notice("Confirmed: mailscope goes on and checks the step over EWS.", role: .info, untilProgress: true)
            return [.finishShellStep(true)]
        case .stopAtShellStep:
            guard pending.state == .waitingForAdmin, state.phase == .running else { return [] }
            pending.state = .stopping
            state.shellStep = pending
            run = state
            notice = Notice("Stopping here: saving the run\u{2026}", role: .info)
            return [.finishShellStep(false)]
        case .back:
            overlay = .confirm(.stopRun)
        default: break
        }
        return []
    }

    private mutating func performOnHandOff(_ action: WizardAction) -> [WizardEffect] {
        let items = run?.handOff ?? []
        switch action {
        case .moveUp: handOffSelection = max(0, handOffSelection - 1)
        case .moveDown: handOffSelection = min(max(0, items.count - 1), handOffSelection + 1)
        case .copy:
            guard items.indices.contains(handOffSelection) else { return [] }
            let item = items[handOffSelection]
            if item.isSecret && secretsHidden {
                notice = Notice("The secret was shown once and is no longer held here.", role: .warning)
                return []
            }
            notice = copiedNotice(item.label)
            return [.copyToClipboard(item.value)]
        case .choose:
            if items.contains(where: \.isSecret) && !secretsHidden {
                hideSecrets()
                notice = Notice("The secret is hidden now (it is shown once). Enter or q quits.", role: .info)
                return []
            }
            return [.quit(0)]
        case .back:
            hideSecrets()
            screen = .run
        default: break
        }
        return []
    }

    /// What a copy says: sent with OSC 52, when the terminal may ignore it, and what (last, so a
    /// narrow screen cuts the name, not the caveat).
    private func copiedNotice(_ what: String) -> Notice {
        Notice("Copied (OSC 52; \(clipboardCaveat)): \(what)")
    }

    /// Replaces each secret by its hint: a secret is shown once, and then no longer held.
    private mutating func hideSecrets() {
        guard var state = run, !secretsHidden else { return }
        secretsHidden = true
        for index in state.handOff.indices where state.handOff[index].isSecret {
            state.handOff[index].value = String(state.handOff[index].value.prefix(3)) + "…"
        }
        run = state
    }
}
