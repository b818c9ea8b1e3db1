import Foundation
import MailscopeEngine

extension WizardModel {
    /// The most log lines kept in memory.
    static let logLimit = 2000

    /// Applies a backend update to the run.
    mutating func apply(_ backendUpdate: WizardUpdate) -> [WizardEffect] {
        guard var state = run else { return [] }
        defer { run = state }
        if notice?.untilProgress == true, Self.movesOn(backendUpdate) { notice = nil }
        switch backendUpdate {
        case .engine(.stage(let report)):
            state.reports[report.stage] = report
            state.lastUpdatedStage = report.stage
        case .engine(.deviceCode(let prompt)):
            state.deviceCode = prompt
            if state.phase.isActive { screen = .signIn }
        case .engine(.waiting(let progress)):
            state.wait = progress
            if screen == .signIn { screen = .run }
        case .engine(.log(let entry)):
            state.log.append(entry)
            if state.log.count > Self.logLimit { state.log.removeFirst(state.log.count - Self.logLimit) }
        case .engine(.handOff(let items)):
            state.handOff = items
            secretsHidden = false
            handOffSelection = 0
        case .signedIn(let tenant):
            state.tenant = tenant
            state.deviceCode = nil
            if state.reports[.signIn] == nil {
                state.reports[.signIn] = StageReport(
                    stage: .signIn,
                    status: .verified,
                    detail: "\(tenant.displayName) as \(tenant.signedInAs)"
                )
            }
            if screen == .signIn { screen = .run }
        case .planReady(let reports):
            state.plan = reports
            for report in reports { state.reports[report.stage] = report }
            guard state.phase == .running else { break }
            state.phase = .awaitingConfirmation
            screen = .plan
            planScroll = 0
            planFocus = nil
        case .shellStep(let step):
            guard state.phase.isActive else { break }
            state.shellStepsShown += 1
            state.shellStep = PendingShellStep(step: step, number: state.shellStepsShown)
            screen = .shellStep
            shellScroll = 0
        case .finished(let outcome):
            let previous = state.phase
            let stoppedAt = state.shellStep?.state == .stopping ? state.shellStep?.step : nil
            state.phase = .finished(outcome)
            state.deviceCode = nil
            state.shellStep = nil
            run = state
            if quitRequestedAt != nil { return [.quit(0)] }
            return finish(outcome, after: previous, stoppedAt: stoppedAt)
        }
        return []
    }

    /// Whether an update shows the run moving on (a stage settled, a new step, the wait, the
    /// plan, the hand-off, the end), which ends a notice about the step before it.
    private static func movesOn(_ backendUpdate: WizardUpdate) -> Bool {
        switch backendUpdate {
        case .engine(.stage(let report)): ![.pending, .checking, .applying].contains(report.status)
        case .engine(.waiting), .engine(.handOff), .shellStep, .planReady, .finished: true
        case .engine(.deviceCode), .engine(.log), .signedIn: false
        }
    }

    /// Moves to the screen that fits how the run ended.
    /// - Parameter stoppedAt: the Exchange Management Shell step the admin stopped before, if any.
    private mutating func finish(_ outcome: RunOutcome, after previous: RunPhase, stoppedAt: ShellStep? = nil)
        -> [WizardEffect]
    {
        if previous == .cancelling { return [] }  // the admin already went back
        overlay = overlay == .confirm(.quit) ? nil : overlay
        switch outcome {
        case .verified:
            if run?.handOff.isEmpty == false {
                screen = .handOff
            } else {
                screen = .run
                notice = Notice("Every stage is verified.", role: .success)
            }
        case .suspended:
            screen = .start
            startSelection = 0
            if let stoppedAt {
                notice = Notice(
                    "Stopped before \"\(stoppedAt.summary)\". The run is saved: Resume shows the step again.",
                    role: .info
                )
            } else {
                notice = Notice(
                    "The wait is saved. Run `\(resumeCommand)` again to resume it; its timer keeps running.",
                    role: .info
                )
            }
            return [.refreshSavedRun]
        case .drift(let stages):
            screen = .run
            selectedStage = stages.first
        case .failed:
            screen = .run  // the run screen shows the reason and the failed stage's fix
        }
        return []
    }
}
