import Foundation
import MailscopeEngine
import Testing

@testable import MailscopeTUI

@Suite("Runs: sign-in, plan, apply, wait, hand-off, quitting")
struct RunUpdateTests {
    @Test func aFullScriptedRunReachesTheHandOff() {
        var model = Fixture.formModel(page: .scope)
        model.form.focus = .roles
        #expect(model.press(.enter) == [.startRun(.setup, Fixture.answers)])
        #expect(model.screen == .signIn)
        _ = update(&model, .backend(.engine(.deviceCode(Fixture.deviceCode))))
        #expect(model.run?.deviceCode == Fixture.deviceCode)
        _ = update(&model, .backend(.signedIn(Fixture.tenant)))
        #expect(model.screen == .run)
        #expect(model.run?.deviceCode == nil)
        #expect(model.run?.status(of: .signIn) == .verified)
        for backendUpdate in Fixture.setupUpdates.dropFirst(2) { _ = update(&model, .backend(backendUpdate)) }
        #expect(model.screen == .plan)
        #expect(model.run?.phase == .awaitingConfirmation)
        #expect(model.run?.plannedChangeCount == 8)
        #expect(model.run?.tenantMatch == .matches)
        #expect(model.press(.character("y")) == [.confirmPlan(true)])
        #expect(model.screen == .run)
        #expect(model.run?.phase == .running)
        for backendUpdate in Fixture.applyUpdates { _ = update(&model, .backend(backendUpdate)) }
        #expect(model.run?.isWaiting == true)
        #expect(model.run?.log.count == Fixture.logEntries.count)
        for backendUpdate in Fixture.verifyUpdates { _ = update(&model, .backend(backendUpdate)) }
        #expect(model.screen == .handOff)
        #expect(model.run?.phase == .finished(.verified))
        #expect(StageID.allCases.allSatisfy { model.run?.status(of: $0) == .verified })
    }

    @Test func thePlanNeedsAnExplicitAnswer() {
        var model = Fixture.runModel(Fixture.setupUpdates, confirm: false)
        #expect(model.press(.enter).isEmpty)  // Enter first focuses the Apply button
        #expect(model.planFocus == .apply)
        #expect(model.screen == .plan)
        model.press(.tab)
        #expect(model.planFocus == .decline)
        #expect(model.press(.enter) == [.confirmPlan(false)])
        #expect(model.screen == .form(.scope))
        #expect(model.run?.phase == .cancelling)
        #expect(model.notice?.text.contains("nothing was written") == true)
        _ = update(&model, .backend(.finished(.failed("declined"))))
        #expect(model.screen == .form(.scope))  // the admin already went back
    }

    @Test func aTenantThatDoesNotMatchBlocksTheApply() {
        var answers = Fixture.answers
        answers.tenant = "11111111-2222-3333-4444-555555555555"
        var model = Fixture.formModel(answers: answers)
        _ = model.beginRun(.setup, answers: answers)
        model.send(Fixture.setupUpdates.map { .backend($0) })
        #expect(model.run?.tenantMatch == .mismatch)
        #expect(model.press(.character("y")).isEmpty)
        #expect(model.screen == .plan)
        #expect(model.notice?.role == .failure)
        #expect(model.press(.escape) == [.confirmPlan(false)])
    }

    @Test func planScrollingStaysInBounds() {
        var model = Fixture.runModel(Fixture.setupUpdates, confirm: false)
        model.press(.up)
        #expect(model.planScroll == 0)
        for _ in 0..<100 { model.press(.down) }
        let last = PlanView.lineCount(model) - PlanView.visibleLines(model.size)
        #expect(last > 0)
        #expect(model.planScroll == last)
        model.press(.pageUp)
        #expect(model.planScroll == last - PlanView.visibleLines(model.size))
    }

    @Test func backFromSignInStopsTheRun() {
        var model = Fixture.runModel([.engine(.deviceCode(Fixture.deviceCode))])
        #expect(model.screen == .signIn)
        #expect(model.press(.character("c")) == [.copyToClipboard("FJ5ZK8QLM")])
        #expect(model.press(.escape) == [.cancelRun])
        #expect(model.screen == .form(.scope))
        #expect(model.run?.phase == .cancelling)
    }

    @Test func backDuringARunAsksThenStops() {
        var model = Fixture.runModel(Fixture.setupUpdates + [.engine(.stage(Fixture.appliedReports[0]))])
        #expect(model.press(.escape).isEmpty)
        #expect(model.overlay == .confirm(.stopRun))
        #expect(model.press(.character("n")).isEmpty)
        #expect(model.overlay == nil)
        model.press(.escape)
        #expect(model.press(.character("y")) == [.cancelRun])
        #expect(model.screen == .form(.scope))
        #expect(model.form.answers == Fixture.answers)
    }

    @Test func leavingTheWaitSavesItAndReturnsToTheStart() {
        var model = Fixture.runModel(Fixture.setupUpdates + Fixture.applyUpdates)
        #expect(model.run?.isWaiting == true)
        model.press(.character("w"))
        #expect(model.overlay == .confirm(.leaveWait))
        #expect(model.press(.character("y")) == [.leaveWait])
        #expect(model.run?.phase == .leavingWait)
        #expect(update(&model, .backend(.finished(.suspended))) == [.refreshSavedRun])
        #expect(model.screen == .start)
        #expect(model.notice?.text.contains("resume") == true)
        _ = update(&model, .savedRunLoaded(SavedRunSummary(answers: Fixture.answers, wait: Fixture.wait)))
        #expect(model.startChoices.first == .resume)
    }

    @Test func escDuringTheWaitOffersToLeaveIt() {
        var model = Fixture.runModel(Fixture.setupUpdates + Fixture.applyUpdates)
        model.press(.escape)
        #expect(model.overlay == .confirm(.leaveWait))
        model.press(.escape)
        #expect(model.overlay == nil)
        #expect(model.run?.phase == .running)
    }

    @Test func quitWithoutARunIsImmediate() {
        var model = Fixture.launchedModel()
        #expect(model.press(.character("q")) == [.quit(0)])
    }

    @Test func quitDuringTheWaitSavesItThenQuits() {
        var model = Fixture.runModel(Fixture.setupUpdates + Fixture.applyUpdates)
        #expect(model.press(.character("q")).isEmpty)
        #expect(model.overlay == .confirm(.quit))
        #expect(model.press(.character("y")) == [.leaveWait])
        #expect(model.quitRequestedAt == Fixture.start)
        #expect(update(&model, .backend(.finished(.suspended))) == [.quit(0)])
    }

    @Test func quitWhileApplyingCancelsAndQuitsWhenTheRunEnds() {
        var model = Fixture.runModel(Fixture.setupUpdates)
        model.press(.character("q"))
        #expect(model.press(.character("y")) == [.cancelRun])
        #expect(update(&model, .tick(Fixture.at(5))).isEmpty)
        #expect(update(&model, .backend(.finished(.failed("cancelled")))) == [.quit(0)])
    }

    @Test func quitAtThePlanDeclinesIt() {
        var model = Fixture.runModel(Fixture.setupUpdates, confirm: false)
        model.press(.character("q"))
        #expect(model.press(.character("y")) == [.confirmPlan(false)])
    }

    @Test func aBackendThatNeverAnswersDoesNotKeepTheWizardOpen() {
        var model = Fixture.runModel(Fixture.setupUpdates + Fixture.applyUpdates)
        model.press(.character("q"))
        model.press(.character("y"))
        #expect(update(&model, .tick(Fixture.at(9))).isEmpty)
        #expect(update(&model, .tick(Fixture.at(10))) == [.quit(0)])
    }

    @Test func ticksMoveEveryCountdown() {
        var model = Fixture.runModel([.engine(.deviceCode(Fixture.deviceCode))])
        var text = render(model, size: model.size, theme: .color).plainText
        #expect(text.contains("expires in 15:00"))
        _ = update(&model, .tick(Fixture.at(61)))
        text = render(model, size: model.size, theme: .color).plainText
        #expect(text.contains("expires in 13:59"))
        _ = update(&model, .tick(Fixture.at(901)))
        text = render(model, size: model.size, theme: .color).plainText
        #expect(text.contains("expired"))

        var waiting = Fixture.runModel(Fixture.setupUpdates + Fixture.applyUpdates)
        _ = update(&waiting, .tick(Fixture.at(30)))
        text = render(waiting, size: waiting.size, theme: .color).plainText
        #expect(text.contains("Elapsed 12:33"))
        // The elapsed time is one clock wherever it shows; the next poll is a clock time of day.
        #expect(text.contains("Next poll at 08:00:42"))
        // One place on the screen shows it (the stage row and the bar do not repeat it).
        #expect(text.components(separatedBy: "12:33").count == 2)
        #expect(text.contains("] up to 2 h"))
        _ = update(&waiting, .tick(Fixture.at(60)))
        text = render(waiting, size: waiting.size, theme: .color).plainText
        #expect(text.contains("Next poll now"))
    }

    @Test func aCountdownTickRewritesOnlyTheChangedCharacters() {
        var model = Fixture.runModel(Fixture.setupUpdates + Fixture.applyUpdates)
        let before = render(model, size: model.size, theme: .color)
        _ = update(&model, .tick(Fixture.at(1)))
        let after = render(model, size: model.size, theme: .color)
        let runs = after.changes(since: before)
        let columns = runs.reduce(0) { $0 + $1.text.count }
        #expect(!runs.isEmpty)
        #expect(columns <= 12, "a one-second tick rewrote \(columns) cells: \(runs)")
        #expect(runs.allSatisfy { $0.text.allSatisfy { $0.isNumber || $0 == ":" } })
    }

    @Test func stageSelectionMovesAndSubStepsFollow() {
        var model = Fixture.runModel(Fixture.setupUpdates + Fixture.applyUpdates)
        #expect(model.focusedStage == .connect)
        model.press(.up, .up, .up, .up)
        #expect(model.focusedStage == .serviceAccount)
        let text = render(model, size: model.size, theme: .color).plainText
        #expect(text.contains("─ Service account"))
        #expect(text.contains("app registration"))
        model.press(.up, .up, .up)
        #expect(model.focusedStage == .signIn)
    }

    @Test func theLogPaneScrollsAndFollowsTheEnd() {
        let more = (1...20).map {
            WizardUpdate.engine(.log(LogEntry(at: Fixture.at(Double($0)), level: .info, text: "poll \($0)")))
        }
        var model = Fixture.runModel(Fixture.setupUpdates + Fixture.applyUpdates + more)
        model.press(.character("l"))
        #expect(model.showsLog)
        #expect(model.logScroll == nil)
        let last = LogView.lineCount(model) - LogView.visibleLines(model)
        let page = LogView.visibleLines(model) - 1
        model.press(.pageUp)
        #expect(model.logScroll == last - page)
        model.press(.down)
        #expect(model.logScroll == last - page + 1)
        model.press(.up, .up)
        #expect(model.logScroll == last - page - 1)
        model.press(.end)
        #expect(model.logScroll == nil)
        model.press(.escape)
        #expect(!model.showsLog)
        #expect(model.screen == .run)
    }

    /// Issue 12: j/k, g/G, Home/End and / search in the log and the plan.
    @Test func theLogAndThePlanScrollWithViKeysAndSearch() {
        let more = (1...20).map {
            WizardUpdate.engine(.log(LogEntry(at: Fixture.at(Double($0)), level: .info, text: "poll \($0)")))
        }
        var model = Fixture.runModel(Fixture.setupUpdates + Fixture.applyUpdates + more)
        model.press(.character("l"))
        let last = LogView.lineCount(model) - LogView.visibleLines(model)
        model.press(.character("g"))
        #expect(model.logScroll == 0)
        model.press(.character("j"), .character("j"), .character("k"))
        #expect(model.logScroll == 1)
        model.press(.character("G"))
        #expect(model.logScroll == nil)
        model.press(.home)
        #expect(model.logScroll == 0)
        model.press(.character("/"))
        model.type("poll 1")
        #expect(model.searchQuery?.text == "poll 1")
        model.press(.enter)
        #expect(model.searchQuery == nil)
        let lines = LogView.lines(model).map { $0.map(\.text).joined() }
        let first = lines.firstIndex { $0.contains("poll 1") }!
        #expect(model.logScroll == min(first, last))
        model.press(.character("/"), .enter)  // the next match: "poll 10"
        #expect(model.notice?.text.hasPrefix("Line \(lines.firstIndex { $0.contains("poll 10") }! + 1) of") == true)
        model.press(.character("/"))
        model.type("no such text")
        model.press(.enter)
        #expect(model.notice?.text == "Not found: no such text")
        model.press(.character("/"), .escape)
        #expect(model.searchQuery == nil && model.showsLog)

        var plan = Fixture.runModel(Fixture.setupUpdates, confirm: false)
        let planLast = max(0, PlanView.lineCount(plan) - PlanView.visibleLines(plan.size))
        plan.press(.character("G"))
        #expect(plan.planScroll == planLast)
        plan.press(.character("g"))
        #expect(plan.planScroll == 0)
        plan.press(.character("j"))
        #expect(plan.planScroll == min(1, planLast))
        plan.press(.end)
        #expect(plan.planScroll == planLast)
        plan.press(.character("/"))
        plan.type("New-ManagementScope")
        plan.press(.enter)
        #expect(plan.notice?.text.hasPrefix("Line ") == true)
        #expect(plan.screen == .plan)
    }

    @Test func theSecretIsShownOnceThenOnlyItsHint() {
        var model = Fixture.runModel(Fixture.setupUpdates + Fixture.applyUpdates + Fixture.verifyUpdates)
        #expect(model.screen == .handOff)
        model.press(.down, .down)
        #expect(model.press(.character("c")) == [.copyToClipboard("Xq7~h2KpV9mR4tLw8ZcN1bFgYs6JdQe3Ua0oTi")])
        #expect(model.press(.enter).isEmpty)
        #expect(model.secretsHidden)
        #expect(model.run?.handOff[2].value == "Xq7…")
        #expect(model.press(.character("c")).isEmpty)
        #expect(model.notice?.role == .warning)
        model.press(.escape)
        #expect(model.screen == .run)
        model.press(.enter)
        #expect(model.screen == .handOff)
        #expect(!render(model, size: model.size, theme: .color).plainText.contains("Xq7~h2K"))
        #expect(model.press(.enter) == [.quit(0)])
    }

    @Test func aRecheckWithDriftOffersARepair() {
        var model = Fixture.formModel()
        model.formMode = .recheck
        _ = model.beginRun(.recheck, answers: Fixture.answers)
        model.send(Fixture.recheckUpdates.map { .backend($0) })
        #expect(model.screen == .run)
        #expect(model.run?.driftedStages == [.impersonationRole, .scope])
        #expect(model.focusedStage == .impersonationRole)
        #expect(model.press(.character("r")) == [.startRun(.setup, Fixture.answers)])
        #expect(model.screen == .signIn)
        #expect(model.run?.mode == .setup)
    }

    @Test func updatesOfAFinishedRunDoNotReopenIt() {
        var model = Fixture.runModel(Fixture.setupUpdates + Fixture.applyUpdates + Fixture.verifyUpdates)
        _ = update(&model, .backend(.planReady(Fixture.plan)))
        #expect(model.screen == .handOff)
        #expect(model.run?.phase == .finished(.verified))
    }

    @Test func aFailedRunShowsWhyAndGoesBackToTheForm() {
        var model = Fixture.runModel(Fixture.setupUpdates)
        let failed = StageReport(
            stage: .serviceAccount,
            status: .failed,
            detail: "403 Authorization_RequestDenied",
            fix: "sign in as a Global Administrator or Privileged Role Administrator"
        )
        _ = update(&model, .backend(.engine(.stage(failed))))
        _ = update(&model, .backend(.finished(.failed("Service account: 403 Authorization_RequestDenied"))))
        #expect(model.focusedStage == .serviceAccount)
        let text = render(model, size: model.size, theme: .color).plainText
        #expect(text.contains("Fix: sign in as a Global Administrator"))
        model.press(.escape)
        #expect(model.screen == .form(.scope))
    }

    /// Issue 12: after a failure, r retries with the answers kept and Enter opens the failing
    /// stage's field (it went to the start screen, and the answers were lost).
    @Test func aFailedRunRetriesOrOpensTheFailingFieldWithTheAnswersKept() {
        var answers = Fixture.answers
        answers.serviceAccountName = "custom_service"
        func failedModel() -> WizardModel {
            var model = Fixture.formModel(answers: answers)
            _ = model.beginRun(.setup, answers: answers)
            model.send(Fixture.setupUpdates.map { .backend($0) })
            let failed = StageReport(stage: .serviceAccount, status: .failed, detail: "403", fix: "sign in as an admin")
            _ = update(&model, .backend(.engine(.stage(failed))))
            _ = update(&model, .backend(.finished(.failed("Service account: 403"))))
            model.form = FormState(answers: Fixture.answers)  // whatever the form held before
            return model
        }
        var retry = failedModel()
        #expect(retry.press(.character("r")) == [.startRun(.setup, answers)])
        #expect(retry.screen == .signIn)
        var fix = failedModel()
        #expect(fix.press(.enter).isEmpty)
        #expect(fix.screen == .form(.account))
        #expect(fix.form.focus == .serviceAccountName)
        #expect(fix.form.answers == answers)
    }

    @Test func resizeIsAMessage() {
        var model = Fixture.launchedModel()
        _ = update(&model, .resize(TerminalSize(columns: 60, rows: 20)))
        #expect(model.size == TerminalSize(columns: 60, rows: 20))
        #expect(render(model, size: model.size, theme: .color).plainText.contains("this screen needs 80x24"))
        _ = update(&model, .resize(TerminalSize(columns: 30, rows: 8)))
        #expect(render(model, size: model.size, theme: .color).plainText.contains("Terminal too small: 30x8"))
        #expect(model.press(.character("q")) == [.quit(0)])
    }
}
