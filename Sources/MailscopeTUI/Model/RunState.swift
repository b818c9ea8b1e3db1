import Foundation
import MailscopeEngine

/// Where a run is.
public enum RunPhase: Sendable, Equatable {
    /// The backend is working (signing in, checking, applying, waiting).
    case running
    /// The plan is on screen; the backend waits for the admin's answer.
    case awaitingConfirmation
    /// The admin asked to leave the wait; the backend is saving it.
    case leavingWait
    /// The admin asked to stop; the backend is saving what is known.
    case cancelling
    /// The run ended.
    case finished(RunOutcome)

    /// Whether the backend still works on the run.
    public var isActive: Bool {
        if case .finished = self { return false }
        return true
    }
}

/// Whether the signed-in tenant is the one the admin typed.
public enum TenantMatch: Sendable, Equatable {
    /// The tenant ID or the default domain is the one typed.
    case matches
    /// The tenant ID differs from the GUID typed: nothing may be written.
    case mismatch
    /// A domain was typed that is not the default domain; the admin must check the ID shown.
    case unconfirmed
}

/// Where an Exchange Management Shell step handed to the admin is. Each state has a word.
public enum ShellStepState: Sendable, Equatable {
    /// On screen; the backend waits until the admin ran it (Enter) or stops here (`s`).
    case waitingForAdmin
    /// The admin chose to stop here; the backend is saving the run.
    case stopping

    /// The state's word on screen.
    public var label: String {
        switch self {
        case .waitingForAdmin: "waiting for you"
        case .stopping: "stopping"
        }
    }
}

/// An Exchange Management Shell step the backend handed over, and where it is.
public struct PendingShellStep: Sendable, Equatable {
    /// The step: its stage, summary, warning and exact command.
    public var step: ShellStep
    /// Where it is.
    public var state: ShellStepState
    /// Which step of the run this is (1 for the first shown).
    public var number: Int

    /// Creates a pending step.
    public init(step: ShellStep, state: ShellStepState = .waitingForAdmin, number: Int) {
        self.step = step
        self.state = state
        self.number = number
    }
}

/// What the wizard knows about the run in progress or the last one.
public struct RunState: Sendable, Equatable {
    /// What kind of run.
    public var mode: WizardRunMode
    /// The answers it runs with.
    public var answers: WizardAnswers
    /// Where it is.
    public var phase: RunPhase = .running
    /// When it started (from the last tick).
    public var startedAt: Date
    /// The tenant signed in to.
    public var tenant: TenantIdentity?
    /// The device-code prompt, while sign-in waits for the admin.
    public var deviceCode: DeviceCodePrompt?
    /// The last report of each stage.
    public var reports: [StageID: StageReport] = [:]
    /// The plan awaiting confirmation (or last confirmed).
    public var plan: [StageReport] = []
    /// The propagation wait, once it started.
    public var wait: WaitProgress?
    /// The log, oldest first.
    public var log: [LogEntry] = []
    /// The values for the vendor's product.
    public var handOff: [HandOffItem] = []
    /// The stage whose report changed last.
    public var lastUpdatedStage: StageID?
    /// Exchange Server: the Exchange Management Shell step on screen, while one is.
    public var shellStep: PendingShellStep?
    /// Exchange Server: how many Exchange Management Shell steps this run has shown.
    public var shellStepsShown = 0

    /// Creates the state of a run that is starting.
    public init(mode: WizardRunMode, answers: WizardAnswers, startedAt: Date) {
        self.mode = mode
        self.answers = answers
        self.startedAt = startedAt
    }

    /// The status of `stage` (pending until reported).
    public func status(of stage: StageID) -> StageStatus {
        reports[stage]?.status ?? (stage == .signIn && tenant != nil ? .verified : .pending)
    }

    /// Whether the propagation wait is what the run is doing now.
    public var isWaiting: Bool {
        phase.isActive && wait != nil && reports[.connect]?.status == .waiting
    }

    /// The number of changes in the plan.
    public var plannedChangeCount: Int { plan.reduce(0) { $0 + $1.changes.count } }

    /// Whether the signed-in tenant is the one typed. For Exchange Server: whether the server signed
    /// in to is the EWS URL's host.
    public var tenantMatch: TenantMatch? {
        guard let tenant else { return nil }
        if answers.target == .exchangeServer {
            return answers.ewsHost?.lowercased() == tenant.id.lowercased() ? .matches : .mismatch
        }
        let typed = answers.tenant.trimmingCharacters(in: .whitespaces).lowercased()
        if UUID(uuidString: typed) != nil { return typed == tenant.id.lowercased() ? .matches : .mismatch }
        return typed == tenant.defaultDomain.lowercased() ? .matches : .unconfirmed
    }

    /// The stages that do not hold, for a finished re-check.
    public var driftedStages: [StageID] {
        if case .finished(.drift(let stages)) = phase { return stages }
        return []
    }
}
