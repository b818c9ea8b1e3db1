import Foundation
import MailscopeCore
import MicrosoftClients

/// One target's way of carrying out the stages (Exchange Online, Exchange Server): the core
/// (`SetupEngine`) runs check → plan → apply → verify, the lock, the journal, recoveries and the
/// wait; a driver signs in, reads a stage, performs a write, polls and hands off.
///
/// A driver is owned by one engine and used only on its actor: its methods are
/// `nonisolated(nonsending)`, so they run on the engine's actor and may keep state (clients, what
/// was read so far) without locks. `engine` parameters let a driver ask the core to read another
/// stage, through the same path as every read (events, planned changes, errors with their fix).
protocol TargetDriver: AnyObject {
    /// Creates the driver for one run; throws `ConfigError` for a value only the target checks.
    init(run: RunContext) throws

    /// The run this driver serves.
    var run: RunContext { get }

    /// The script that sets up `config` from the Exchange/Graph PowerShell (or the Exchange
    /// Management Shell), built from the same writes the plan shows.
    static func script(for config: SetupConfig) -> String

    /// Whether stages must be read one after another (one proof serves several), or may overlap.
    var observesInOrder: Bool { get }

    /// The group's direct mailbox members this run read (lower-cased primary addresses), or `nil`
    /// where the target does not read them (MemberArrivals).
    var directMembersRead: [String]? { get }

    /// How long the target documents a new member takes to be reached, in words.
    var memberPropagation: String { get }

    /// Stages that only the propagation wait can prove (not verified yet until it does); the
    /// core reads them again once the wait has proven them.
    var stagesProvenByTheWait: Set<StageID> { get }

    /// Signs in, checks the signed-in identity, records the sign-in stage's report.
    nonisolated(nonsending) func signIn() async throws -> SignedInTenant

    /// Reads `stage` from the target and decides which writes would make it hold.
    nonisolated(nonsending) func observe(_ stage: StageID, engine: SetupEngine) async throws -> StageObservation

    /// Reads ahead what `stage` needs while earlier stages are being read (an overlapped check).
    nonisolated(nonsending) func prefetch(for stage: StageID) async

    /// Drops what `prefetch` read and was not used.
    func discardPrefetched()

    /// Performs one write (its journaling is the core's).
    nonisolated(nonsending) func perform(_ write: Write) async throws

    /// The stage a write belongs to.
    func stage(of write: Write) -> StageID

    /// The PowerShell equivalent of `write`, with the IDs known so far.
    func powershellLine(for write: Write) -> String

    /// After a crash during `pending`: makes the tenant safe to go on (e.g. removes a credential
    /// nobody holds). The core clears the pending write afterwards.
    nonisolated(nonsending) func reconcile(interrupted pending: Write, engine: SetupEngine) async throws

    /// Checks, after the plan and before its first write, what must hold for the run to prove anything.
    nonisolated(nonsending) func checkBeforeFirstWrite() async throws

    /// Reads what the propagation wait needs and was not read in this run yet.
    nonisolated(nonsending) func prepareWait(engine: SetupEngine) async throws

    /// One poll of the propagation wait: the configured and the effective state.
    nonisolated(nonsending) func poll() async throws -> PollEvidence

    /// The phase `write` must wait out before it is performed (the first phase of a wait in two),
    /// or nil when it goes at once.
    func phase(before write: Write) -> WaitPhase?

    /// One poll of `phase`: its evidence, and whether the phase is over.
    nonisolated(nonsending) func poll(_ phase: WaitPhase) async throws -> (evidence: PollEvidence, isOver: Bool)

    /// The phase of the propagation wait that follows this run's writes (nil: a wait in one phase).
    var propagationPhase: WaitPhase? { get }

    /// When a wait that started at `start` gives its verdict: `configured` (the config's deadline),
    /// or later when a change of this target is documented to take longer.
    func waitDeadline(startingAt start: Date, configured: Date) -> Date

    /// What lets the app reach a mailbox outside the scope, when `evidence` shows that exposure.
    nonisolated(nonsending) func exposureCause(of evidence: PollEvidence, engine: SetupEngine) async -> String?

    /// The connect stage's report for a poll.
    func connectReport(_ evidence: PollEvidence, waiting: Bool, exposureCause: String?) -> StageReport

    /// The values the vendor's product needs (a secret at most once).
    func handOff() -> [HandOffItem]

    /// What the configuration asks of `stage`, in words (beside what was found, for a failure a
    /// re-run cannot settle).
    func asked(of stage: StageID) -> String
}

extension TargetDriver {
    nonisolated(nonsending) func prefetch(for stage: StageID) async {}
    func discardPrefetched() {}
    nonisolated(nonsending) func checkBeforeFirstWrite() async throws {}
    func waitDeadline(startingAt start: Date, configured: Date) -> Date { configured }
    nonisolated(nonsending) func exposureCause(of evidence: PollEvidence, engine: SetupEngine) async -> String? {
        nil
    }
    func phase(before write: Write) -> WaitPhase? { nil }
    nonisolated(nonsending) func poll(_ phase: WaitPhase) async throws -> (evidence: PollEvidence, isOver: Bool) {
        (try await poll(), true)
    }
    var propagationPhase: WaitPhase? { nil }
}

/// The run's shared state, by its short names (a driver's stages read like the core's).
extension TargetDriver {
    var config: SetupConfig { run.config }
    var environment: EngineEnvironment { run.environment }
    var endpoints: CloudEndpoints { run.endpoints }
    var sender: RequestSender { run.sender }
    var store: JournalStore { run.store }
    var tenant: SignedInTenant? { run.tenant }
    var signInReport: StageReport { run.signInReport }
    var journal: Journal {
        get { run.journal }
        set { run.journal = newValue }
    }
    func emit(_ event: EngineEvent) { run.emit(event) }
    func log(_ level: LogEntry.Level, _ text: String, powershell: String? = nil) {
        run.log(level, text, powershell: powershell)
    }
    func persist() { run.persist() }
    func readPrivateFile(_ path: String, field: String) throws -> String {
        try run.readPrivateFile(path, field: field)
    }
}
