import Foundation

/// The stages of a setup, in the order they run.
public enum StageID: String, CaseIterable, Codable, Sendable, Hashable {
    case signIn = "sign-in"
    case serviceAccount = "service-account"
    case distributionGroup = "distribution-group"
    case impersonationRole = "impersonation-role"
    case scope = "scope"
    case connect = "connect"

    /// The stage's name as the admin reads it.
    public var title: String {
        switch self {
        case .signIn: "Sign-in and preflight"
        case .serviceAccount: "Service account"
        case .distributionGroup: "Distribution group"
        case .impersonationRole: "Impersonation role"
        case .scope: "Scope"
        case .connect: "Connect"
        }
    }
}

/// What is known about a stage or a step. Never conveyed by colour alone: every case has a word.
public enum StageStatus: String, Codable, Sendable, Hashable {
    /// Not looked at yet.
    case pending
    /// Reading the tenant.
    case checking
    /// The tenant differs from the configuration; the plan lists the changes.
    case needsChange = "needs-change"
    /// Writing to the tenant.
    case applying
    /// Waiting for propagation; see `WaitProgress`.
    case waiting
    /// Observed to hold, with evidence.
    case verified
    /// Written, but not yet observed to hold (for example, replication lag).
    case notVerified = "not-verified"
    /// Failed; the report carries the reason and the fix.
    case failed
    /// Not applicable to this configuration.
    case skipped

    /// The word shown beside the stage.
    public var label: String {
        switch self {
        case .pending: "pending"
        case .checking: "checking"
        case .needsChange: "needs change"
        case .applying: "applying"
        case .waiting: "waiting"
        case .verified: "verified"
        case .notVerified: "not verified yet"
        case .failed: "failed"
        case .skipped: "skipped"
        }
    }
}

/// One change that `apply` would make, with its equivalent PowerShell line.
public struct PlannedChange: Codable, Sendable, Equatable, Hashable {
    /// The kind of change.
    public enum Action: String, Codable, Sendable { case create, update, remove }
    /// The kind of change.
    public var action: Action
    /// What changes, in a sentence.
    public var summary: String
    /// The PowerShell an admin would run to make the same change.
    public var powershell: String

    /// Creates a planned change.
    public init(action: Action, summary: String, powershell: String) {
        self.action = action
        self.summary = summary
        self.powershell = powershell
    }
}

/// A sub-step of a stage (for example "service principal" inside "Service account").
public struct StepReport: Codable, Sendable, Equatable, Hashable {
    /// The step's name.
    public var name: String
    /// Its status.
    public var status: StageStatus
    /// What was observed.
    public var detail: String

    /// Creates a step report.
    public init(name: String, status: StageStatus, detail: String) {
        self.name = name
        self.status = status
        self.detail = detail
    }
}

/// What a stage observed: its status, the evidence, and what it would change.
public struct StageReport: Codable, Sendable, Equatable {
    /// The stage.
    public var stage: StageID
    /// Its status.
    public var status: StageStatus
    /// One line of what was observed.
    public var detail: String
    /// The observations behind the status (requests made and what they answered).
    public var evidence: [String]
    /// What `apply` would change (empty when nothing needs changing).
    public var changes: [PlannedChange]
    /// Things the admin should know that do not fail the stage.
    public var warnings: [String]
    /// For a failed stage: what to do about it.
    public var fix: String?
    /// The stage's sub-steps.
    public var steps: [StepReport]

    /// Creates a report.
    public init(
        stage: StageID,
        status: StageStatus,
        detail: String,
        evidence: [String] = [],
        changes: [PlannedChange] = [],
        warnings: [String] = [],
        fix: String? = nil,
        steps: [StepReport] = []
    ) {
        self.stage = stage
        self.status = status
        self.detail = detail
        self.evidence = evidence
        self.changes = changes
        self.warnings = warnings
        self.fix = fix
        self.steps = steps
    }
}

/// What the admin needs to finish a device-code sign-in in a browser elsewhere.
public struct DeviceCodePrompt: Codable, Sendable, Equatable {
    /// The code to type.
    public var userCode: String
    /// Where to type it.
    public var verificationURL: String
    /// When the code expires.
    public var expiresAt: Date
    /// The identity platform's own sentence.
    public var message: String

    /// Creates a prompt.
    public init(userCode: String, verificationURL: String, expiresAt: Date, message: String) {
        self.userCode = userCode
        self.verificationURL = verificationURL
        self.expiresAt = expiresAt
        self.message = message
    }
}

/// The outcome of one poll during the propagation wait.
public struct PollEvidence: Codable, Sendable, Equatable {
    /// When the poll ran.
    public var at: Date
    /// Configured state (`Test-ServicePrincipalAuthorization`): the in-scope mailbox is in scope.
    public var configuredInScope: Bool?
    /// Configured state: the out-of-scope mailbox is out of scope.
    public var configuredOutOfScope: Bool?
    /// Effective state: a real call as the app to the in-scope mailbox succeeded.
    public var inScopeAllowed: Bool?
    /// Effective state: a real call as the app to the out-of-scope mailbox was denied.
    public var outOfScopeDenied: Bool?
    /// What each probe answered, one line each.
    public var lines: [String]
    /// True where the configured state cannot be read (Exchange Server has no
    /// `Test-ServicePrincipalAuthorization`): the effective state alone decides.
    public var configuredUnobservable: Bool?
    /// True where the effective state cannot be tested (the vendor's own app: mailscope holds no
    /// credential of it): the configured state alone decides, and then both mailboxes must have a
    /// verdict (in scope, and out of scope).
    public var effectiveUnobservable: Bool?
    /// Delegated access (`service_account.access = "delegated"`): whether what can be proven
    /// without a user's sign-in holds (the app's redirect URI, its declared permissions, admin
    /// consent and a valid held credential); nil for application access.
    public var delegatedAppHolds: Bool?
    /// EWS as the app (Exchange Online, `service_account.uses_ews`): `GetFolder` of the in-scope
    /// mailbox's calendar succeeded; nil when not tested.
    public var ewsInScopeAllowed: Bool?
    /// EWS as the app: the same call for the out-of-scope mailbox was refused; nil when not tested.
    public var ewsOutOfScopeDenied: Bool?

    /// Creates poll evidence.
    public init(
        at: Date,
        configuredInScope: Bool?,
        configuredOutOfScope: Bool?,
        inScopeAllowed: Bool?,
        outOfScopeDenied: Bool?,
        lines: [String]
    ) {
        self.at = at
        self.configuredInScope = configuredInScope
        self.configuredOutOfScope = configuredOutOfScope
        self.inScopeAllowed = inScopeAllowed
        self.outOfScopeDenied = outOfScopeDenied
        self.lines = lines
    }

    /// Evidence of no poll yet.
    static func none(at date: Date) -> PollEvidence {
        PollEvidence(
            at: date, configuredInScope: nil, configuredOutOfScope: nil, inScopeAllowed: nil, outOfScopeDenied: nil,
            lines: [])
    }

    /// Whether both the configured and the effective state hold.
    public var isSettled: Bool {
        if let holds = delegatedAppHolds { return holds }
        if effectiveUnobservable == true {
            // Nothing else can prove the denial: the out-of-scope mailbox must be shown out of scope.
            return configuredUnobservable != true && configuredInScope == true && configuredOutOfScope == true
                && inScopeAllowed != false && outOfScopeDenied != false
        }
        return (configuredUnobservable == true || configuredInScope == true) && configuredOutOfScope != false
            && inScopeAllowed == true && outOfScopeDenied == true
    }
}

/// The state of the propagation wait, persisted so that a resumed run keeps its timer.
public struct WaitProgress: Codable, Sendable, Equatable {
    /// When the last change that must propagate was made.
    public var startedAt: Date
    /// The earliest the change usually takes effect (30 minutes).
    public var expectedEarliest: Date
    /// The latest the change usually takes effect (2 hours).
    public var expectedLatest: Date
    /// When polling gives up with a verdict.
    public var deadline: Date
    /// When the next poll runs.
    public var nextPoll: Date
    /// How many polls have run.
    public var polls: Int
    /// The last poll's evidence.
    public var lastPoll: PollEvidence?
    /// Which phase of a two-phase wait this is (nil: the one propagation wait). Journals written
    /// before phases existed decode without it.
    public var phase: WaitPhase?

    /// Creates wait progress.
    public init(
        startedAt: Date,
        expectedEarliest: Date,
        expectedLatest: Date,
        deadline: Date,
        nextPoll: Date,
        polls: Int,
        lastPoll: PollEvidence?
    ) {
        self.startedAt = startedAt
        self.expectedEarliest = expectedEarliest
        self.expectedLatest = expectedLatest
        self.deadline = deadline
        self.nextPoll = nextPoll
        self.polls = polls
        self.lastPoll = lastPoll
    }
}

/// A phase of a wait in two phases: moving an app that already has wider access (a vendor app's
/// tenant-wide consent, a legacy application access policy) to scoped access without an outage.
/// The scoped role assignments must first show in scope for the in-scope mailbox; only then is the
/// old access removed, and the second phase waits until the mailbox outside the scope is refused.
public enum WaitPhase: String, Codable, Sendable, Equatable {
    /// Phase 1 of 2: the scoped roles are assigned; the old access stays until
    /// `Test-ServicePrincipalAuthorization` shows the roles in scope for the in-scope mailbox.
    case scopedRolesInScope
    /// Phase 2 of 2: the old access is removed; waiting until the mailbox outside the scope is refused.
    case oldAccessRemoved

    /// The phase in a few words, with its number.
    public var title: String {
        switch self {
        case .scopedRolesInScope: "phase 1 of 2: scoped roles taking effect"
        case .oldAccessRemoved: "phase 2 of 2: old access removed"
        }
    }

    /// What the phase waits for, in a sentence.
    public var waitsFor: String {
        switch self {
        case .scopedRolesInScope:
            "the old access (tenant-wide grants, an access policy) stays, so the app keeps working, until "
                + "Test-ServicePrincipalAuthorization shows the scoped roles in scope for the in-scope mailbox"
        case .oldAccessRemoved: "waiting until the mailbox outside the scope is refused"
        }
    }
}

/// One value the vendor's product needs, shown on the hand-off screen.
public struct HandOffItem: Codable, Sendable, Equatable {
    /// What the value is.
    public var label: String
    /// The value. A secret is shown once, then only its hint.
    public var value: String
    /// Whether the value is a secret.
    public var isSecret: Bool

    /// Creates a hand-off item.
    public init(label: String, value: String, isSecret: Bool = false) {
        self.label = label
        self.value = value
        self.isSecret = isSecret
    }
}

/// A line of the run's log.
public struct LogEntry: Codable, Sendable, Equatable {
    /// How serious the line is.
    public enum Level: String, Codable, Sendable { case info, warning, error, write }
    /// When it was logged.
    public var at: Date
    /// How serious it is.
    public var level: Level
    /// The text, with secrets already removed.
    public var text: String
    /// For a write: the equivalent PowerShell.
    public var powershell: String?

    /// Creates a log entry.
    public init(at: Date, level: Level, text: String, powershell: String? = nil) {
        self.at = at
        self.level = level
        self.text = text
        self.powershell = powershell
    }
}

/// What the engine reports while it runs; the wizard and the command line both consume these.
public enum EngineEvent: Sendable, Equatable {
    /// A stage's status changed.
    case stage(StageReport)
    /// A device-code sign-in is waiting for the admin.
    case deviceCode(DeviceCodePrompt)
    /// The propagation wait advanced.
    case waiting(WaitProgress)
    /// A log line.
    case log(LogEntry)
    /// The values for the vendor's product.
    case handOff([HandOffItem])
}
