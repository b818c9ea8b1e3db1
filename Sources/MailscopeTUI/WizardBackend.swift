import Foundation
import MailscopeEngine

/// How the admin signs in.
public enum SignInMethod: String, Sendable, Codable, CaseIterable {
    /// OAuth device code: a URL and a code to type in a browser elsewhere (works over SSH).
    case deviceCode = "device-code"
    /// Client credentials with a client secret (unattended).
    case clientSecret = "client-secret"
    /// Client credentials with a certificate (unattended).
    case certificate
}

/// The answers the admin gave in the wizard's forms.
public struct WizardAnswers: Sendable, Equatable, Codable {
    /// The preset's key (`workable`, `eptura`, `nylas`, `workato`, `custom`).
    public var presetID: String
    /// Tenant ID (GUID) or verified domain.
    public var tenant: String
    /// How the admin signs in.
    public var signIn: SignInMethod
    /// The service account (Entra app) name.
    public var serviceAccountName: String
    /// The group's name (empty for a rooms scope).
    public var groupName: String
    /// The group's kind.
    public var groupKind: GroupKind
    /// The members' addresses.
    public var members: [String]
    /// The scope kind.
    public var scopeKind: ScopeKind
    /// The management scope's name.
    public var scopeName: String
    /// The application roles.
    public var roles: [String]

    /// Creates answers.
    public init(
        presetID: String,
        tenant: String,
        signIn: SignInMethod,
        serviceAccountName: String,
        groupName: String,
        groupKind: GroupKind,
        members: [String],
        scopeKind: ScopeKind,
        scopeName: String,
        roles: [String]
    ) {
        self.presetID = presetID
        self.tenant = tenant
        self.signIn = signIn
        self.serviceAccountName = serviceAccountName
        self.groupName = groupName
        self.groupKind = groupKind
        self.members = members
        self.scopeKind = scopeKind
        self.scopeName = scopeName
        self.roles = roles
    }

    /// The answers a preset suggests for `tenant`.
    public init(preset: Preset, tenant: String) {
        self.init(
            presetID: preset.id,
            tenant: tenant,
            signIn: .deviceCode,
            serviceAccountName: preset.serviceAccountName,
            groupName: preset.groupName,
            groupKind: .distribution,
            members: [],
            scopeKind: preset.scopeKind,
            scopeName: preset.scopeName,
            roles: preset.roles
        )
    }
}

/// What kind of run the wizard asks for.
public enum WizardRunMode: String, Sendable, Codable {
    /// First-time setup: check, plan, confirm, apply, verify, wait.
    case setup
    /// Re-check an existing setup, changing nothing.
    case recheck
    /// Resume a saved run (for example a propagation wait the admin left).
    case resume
}

/// The tenant the admin signed in to, shown before any write (the engine's own type).
public typealias TenantIdentity = SignedInTenant

/// How a run ended.
public enum RunOutcome: Sendable, Equatable {
    /// Every stage verified.
    case verified
    /// A re-check found drift in these stages (nothing was changed).
    case drift([StageID])
    /// The admin left the propagation wait; the run is saved and resumes later.
    case suspended
    /// The run stopped on an error; the message says why and what to do.
    case failed(String)
}

/// What the backend tells the wizard while a run goes on.
public enum WizardUpdate: Sendable, Equatable {
    /// An engine event (stage status, device code, wait progress, log line, hand-off).
    case engine(EngineEvent)
    /// Signed in: the tenant the run will touch.
    case signedIn(TenantIdentity)
    /// The plan is ready; the backend waits for `confirmPlan`.
    case planReady([StageReport])
    /// The run ended.
    case finished(RunOutcome)
}

/// A saved run the wizard can offer to resume.
public struct SavedRunSummary: Sendable, Equatable {
    /// The answers of that run.
    public var answers: WizardAnswers
    /// The wait it was in, if any.
    public var wait: WaitProgress?

    /// Creates a summary.
    public init(answers: WizardAnswers, wait: WaitProgress?) {
        self.answers = answers
        self.wait = wait
    }
}

/// The wizard's view of the engine. The executable implements it over the real engine (against
/// Microsoft or the built-in simulated tenant); tests implement it with scripted updates.
public protocol WizardBackend: Sendable {
    /// The saved run, if one can be resumed.
    func savedRun() async -> SavedRunSummary?
    /// Starts a run; updates stream until `.finished`.
    func start(_ mode: WizardRunMode, answers: WizardAnswers) async -> AsyncStream<WizardUpdate>
    /// Answers the plan confirmation (`true` applies it, `false` ends the run without writing).
    func confirmPlan(_ accepted: Bool) async
    /// Leaves the propagation wait: the wait is saved and the run ends with `.suspended`.
    func leaveWait() async
    /// Stops the run after saving what is known.
    func cancel() async
}
