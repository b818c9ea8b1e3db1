import Foundation
import MailscopeEngine

/// Applies `message` to `model` and returns what the runtime must do. Pure: no clock, no I/O.
public func update(_ model: inout WizardModel, _ message: WizardMessage) -> [WizardEffect] {
    switch message {
    case .launched(let savedRun):
        return model.launch(savedRun: savedRun)
    case .savedRunLoaded(let savedRun):
        model.savedRun = savedRun
        model.startSelection = min(model.startSelection, model.startChoices.count - 1)
        return []
    case .resize(let size):
        model.size = size
        model.clampScrolling()
        return []
    case .tick(let date):
        model.now = date
        if let requested = model.quitRequestedAt, date.timeIntervalSince(requested) >= WizardModel.quitGracePeriod {
            return [.quit(0)]
        }
        return []
    case .backend(let backendUpdate):
        return model.apply(backendUpdate)
    case .key(let key):
        return model.handle(key)
    case .paste(let text):
        return model.paste(text)
    case .interrupted:
        // The runtime saves and exits by itself; the screen says so at once.
        model.overlay = nil
        if model.quitRequestedAt == nil { model.quitRequestedAt = model.now }
        model.notice = Notice(
            model.isRunActive
                ? "Stopping\u{2026} saving the run first (Ctrl-C again quits at once)."
                : "Stopping\u{2026}",
            role: .warning
        )
        return []
    }
}

extension WizardModel {
    /// The first message: remembers the saved run and enters the mode asked for on the command line.
    mutating func launch(savedRun: SavedRunSummary?) -> [WizardEffect] {
        hasLaunched = true
        self.savedRun = savedRun
        if savedRun != nil && initialMode == nil { startSelection = 0 }
        let mode = initialMode
        initialMode = nil
        switch mode {
        case .none:
            return []
        case .resume:
            guard let savedRun else {
                notice = Notice("There is no saved run to resume; choose what to do.", role: .warning)
                return []
            }
            return beginRun(.resume, answers: savedRun.answers, wait: savedRun.wait)
        case .recheck:
            formMode = .recheck
            if form.firstInvalidField(through: .scope) == nil { return beginRun(.recheck, answers: form.answers) }
            openForm(at: .tenant)
            return []
        case .setup:
            formMode = .setup
            openForm(at: .tenant)
            return []
        }
    }

    /// Starts a run: the sign-in screen shows until the backend reports the tenant.
    mutating func beginRun(_ mode: WizardRunMode, answers: WizardAnswers, wait: WaitProgress? = nil) -> [WizardEffect] {
        var state = RunState(mode: mode, answers: answers, startedAt: now)
        state.wait = wait
        run = state
        screen = .signIn
        overlay = nil
        selectedStage = nil
        showsLog = false
        logScroll = nil
        planScroll = 0
        planFocus = nil
        shellScroll = 0
        handOffSelection = 0
        secretsHidden = false
        return [.startRun(mode, answers)]
    }

    /// Fills the form with a run's `answers` again (back from the run). Values the answers leave out
    /// because their choice was not taken (the other "Password from" source, a sign-in's secret,
    /// a rooms scope's group) are kept from the form as it was, so switching back finds them.
    mutating func reopenForm(with answers: WizardAnswers) {
        let previous = form
        form = FormState(answers: answers)
        form.keepUnchosenValues(from: previous)
    }

    /// Shows the form at `page`, focused on its first invalid field (or its first field).
    mutating func openForm(at page: FormPage) {
        let page = form.pages.contains(page) ? page : form.pages[0]
        screen = .form(page)
        form.page = page
        let fields = form.fields(on: page)
        form.focus =
            fields.first { form.error(for: $0) != nil && !$0.isChoice } ?? fields.first { !$0.isChoice } ?? fields[0]
    }

    /// Keeps scroll positions inside what there is to show after a resize.
    mutating func clampScrolling() {
        planScroll = min(planScroll, max(0, PlanView.lineCount(self) - PlanView.visibleLines(size)))
        shellScroll = min(shellScroll, ShellStepView.maxScroll(self))
        if let scroll = logScroll {
            logScroll = min(scroll, max(0, LogView.lineCount(self) - LogView.visibleLines(self)))
        }
    }
}
