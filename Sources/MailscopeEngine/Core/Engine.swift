import Foundation
import MailscopeCore
import MicrosoftClients

/// What the engine needs from the outside world, injected so tests control time and the network.
public struct EngineEnvironment: Sendable {
    /// The HTTP transport (libcurl in production; the same, pointed at the simulator, in tests).
    public var transport: any HTTPTransport
    /// The clock.
    public var clock: WallClock
    /// Where journals and held credentials live.
    public var stateDirectory: URL
    /// The retry policy for every request.
    public var retryPolicy: RetryPolicy
    /// The process environment (for `auth.secret_env`).
    public var variables: [String: String]
    /// The propagation-wait schedule.
    public var schedule: PollSchedule
    /// Where Exchange Server's Exchange Management Shell steps go (the admin, or a simulator).
    public var shell: any ManagementShell
    /// What the admin allowed for credentials this machine does not hold.
    public var credentials: CredentialChoices = CredentialChoices()
    /// Sign-in sessions shared by the runs of one process (the wizard's), or nil for one per run.
    public var tokenSessions: TokenSessionCache?
    /// The longest one request may take (`--request-timeout`); it also bounds each request's
    /// retries (three timeouts' worth) and a stage's recoveries after faults (six).
    public var requestTimeout: Duration?

    /// Creates an environment.
    public init(
        transport: any HTTPTransport,
        clock: WallClock,
        stateDirectory: URL,
        retryPolicy: RetryPolicy = .standard,
        variables: [String: String] = ProcessInfo.processInfo.environment,
        schedule: PollSchedule = .standard,
        shell: any ManagementShell = UnattendedShell()
    ) {
        self.transport = transport
        self.clock = clock
        self.stateDirectory = stateDirectory
        self.retryPolicy = retryPolicy
        self.variables = variables
        self.schedule = schedule
        self.shell = shell
    }
}

/// What the admin allowed when the app has credentials made by mailscope whose secret this
/// machine does not hold (another state directory has it, or it is lost).
public struct CredentialChoices: Sendable, Equatable {
    /// Add a new credential beside them (otherwise none is added and the stage says why).
    public var addNew: Bool
    /// Remove the client secrets made by mailscope that nobody here holds.
    public var removeUntracked: Bool

    /// Creates the choices; by default nothing is added beside or removed.
    public init(addNew: Bool = false, removeUntracked: Bool = false) {
        self.addNew = addNew || removeUntracked
        self.removeUntracked = removeUntracked
    }
}

/// When the propagation wait polls.
public struct PollSchedule: Sendable, Equatable {
    /// The gaps between polls, in order; the last one repeats.
    public var intervals: [Duration]
    /// The documented window in which changes usually take effect.
    public var expectedEarliest: Duration
    /// The documented window's end.
    public var expectedLatest: Duration
    /// How many times a verify re-reads after a write before calling it "not verified yet".
    public var verifyAttempts: Int
    /// The first gap between verify re-reads (doubles each time).
    public var verifyDelay: Duration

    /// Polls at 1, 2, 4, 8 then every 15 minutes. Probing as the app keeps its permission cache
    /// alive (an idle app's cache resets after 30 minutes), so polls are spaced out, not frequent.
    public static let standard = PollSchedule(
        intervals: [.seconds(60), .seconds(120), .seconds(240), .seconds(480), .seconds(900)],
        expectedEarliest: .seconds(1800),
        expectedLatest: .seconds(7200),
        verifyAttempts: 6,
        verifyDelay: .seconds(2)
    )

    /// Creates a schedule.
    public init(
        intervals: [Duration],
        expectedEarliest: Duration,
        expectedLatest: Duration,
        verifyAttempts: Int,
        verifyDelay: Duration
    ) {
        self.intervals = intervals
        self.expectedEarliest = expectedEarliest
        self.expectedLatest = expectedLatest
        self.verifyAttempts = verifyAttempts
        self.verifyDelay = verifyDelay
    }

    func interval(after polls: Int) -> Duration {
        intervals.isEmpty ? .seconds(900) : intervals[min(polls, intervals.count - 1)]
    }
}

/// The tenant the admin signed in to.
public struct SignedInTenant: Sendable, Equatable, Codable {
    /// Tenant ID (`tid`).
    public var id: String
    /// Tenant name.
    public var displayName: String
    /// Default domain.
    public var defaultDomain: String
    /// Who signed in.
    public var signedInAs: String

    /// Creates a signed-in tenant.
    public init(id: String, displayName: String, defaultDomain: String, signedInAs: String) {
        self.id = id
        self.displayName = displayName
        self.defaultDomain = defaultDomain
        self.signedInAs = signedInAs
    }
}

/// How a run ended.
public enum RunResult: Sendable, Equatable {
    /// Every stage verified.
    case verified
    /// Some stages do not hold (check) or could not be verified (apply); nothing more to do now.
    case drift([StageID])
    /// The admin declined the plan; nothing was written.
    case declined
    /// The propagation wait reached its deadline without the effective state settling.
    case deadlineReached
    /// The wait was left; it resumes later with its timer.
    case suspended
}

/// An error that stops a run, with the fix.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stage it happened in.
    public var stage: StageID
    /// What went wrong.
    public var message: String
    /// What to do.
    public var fix: String
    /// A fault on the way (a broken connection, a timeout, an answer cut short, a busy service),
    /// not a problem with the setup: re-reading the tenant and going on may succeed.
    public var transient: Bool = false

    public var description: String { "\(stage.title): \(Prose.sentences(message, "Fix: \(fix)"))" }
}

