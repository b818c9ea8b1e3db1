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

/// The setup engine: runs each stage as check → plan → apply → verify against the tenant, journals
/// every write so a killed run resumes without duplicates, and waits out propagation.
public actor SetupEngine {
    /// How many requests a transport for the engine should keep in flight at once.
    public static let concurrentRequests = RequestSender.concurrentRequests

    let config: SetupConfig
    let environment: EngineEnvironment
    let endpoints: CloudEndpoints
    let sender: RequestSender
    let store: JournalStore
    let emitEvent: @Sendable (EngineEvent) -> Void
    var journal: Journal
    var tenant: SignedInTenant?
    var graph: GraphClient?
    var exchange: ExchangeAdminClient?
    var facts = Facts()
    var suspendRequested = false
    /// Secrets created in this run, shown once on the hand-off.
    var freshSecret: Secret?
    /// The mailbox user's password created in this run, shown once on the hand-off.
    var freshMailboxPassword: Secret?
    var runLock: FileLock?
    /// The sleep between two polls of the propagation wait, cut short when the admin leaves.
    var waitSleeper: Task<Void, any Error>?
    var lockDepth = 0
    /// The stage being read, applied or waited for (named by errors that escape a run).
    var currentStage: StageID = .signIn
    /// Exchange Server: EWS as the service account, once signed in.
    var ews: EWSClient?
    /// Exchange Server: the service account's password (from its env variable or 0600 file).
    var servicePassword: Secret?
    /// Exchange Server: the last impersonation probe (reused by the stages of one pass).
    var serverProbe: ServerProbe?
    /// How many writes this engine has made (a read planned before the last one may be stale).
    var writesPerformed = 0
    /// The last report of each stage in this run (what a repeated failure shows as found).
    var lastReports: [StageID: StageReport] = [:]
    /// When this engine (this run) started: a write journaled since then was made in this run.
    var startedAt = Date.distantFuture

    /// Creates an engine for `config`. Throws `ConfigError` for invalid values, before anything is sent.
    public init(
        config: SetupConfig,
        environment: EngineEnvironment,
        events: @escaping @Sendable (EngineEvent) -> Void
    ) throws {
        let problems = config.validationErrors()
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        self.config = config
        self.environment = environment
        self.endpoints = try config.endpoints()
        let notices = events
        let clock = environment.clock
        self.sender = RequestSender(
            transport: environment.transport,
            clock: environment.clock,
            policy: environment.requestTimeout.map { environment.retryPolicy.bounded(byRequestTimeout: $0) }
                ?? environment.retryPolicy,
            onRetry: { notice in notices(.log(LogEntry(at: clock.now, level: .warning, text: notice.description))) }
        )
        self.store = JournalStore(stateDirectory: environment.stateDirectory, config: config)
        self.emitEvent = events
        let now = environment.clock.now
        startedAt = now
        let loaded = store.loadReporting()
        if let setAside = loaded.setAside {
            events(.log(LogEntry(at: now, level: .warning, text: setAside, powershell: nil)))
        }
        var journal = loaded.journal ?? Journal(configFingerprint: config.fingerprint, now: now)
        journal.configFingerprint = config.fingerprint
        self.journal = journal
    }

    /// The journal as last saved.
    public var currentJournal: Journal { journal }

    /// Where this setup's journal is kept.
    public nonisolated var journalPath: String { store.journalURL.path }

    /// The stage being read, applied or waited for (where a stopped run stopped).
    public var stageInProgress: StageID { currentStage }

    /// The signed-in tenant, once signed in.
    public var signedInTenant: SignedInTenant? { tenant }

    /// Asks a running propagation wait to stop after saving (the admin left the wait).
    public func requestSuspend() {
        suspendRequested = true
        waitSleeper?.cancel()
    }

    // MARK: Runs

    /// Runs `body` holding this setup's run lock (reentrant within this engine), so two
    /// processes never rewrite one journal at once.
    func exclusively<T>(_ body: () async throws -> T) async throws -> T {
        if lockDepth == 0 {
            let url = store.directory.appendingPathComponent("run.lock")
            guard let lock = try FileLock(exclusive: url) else {
                throw EngineError(
                    stage: .signIn, message: "another mailscope run is using this setup (\(url.path) is locked)",
                    fix: "let that run finish, or stop it; a propagation wait that was left holds no lock")
            }
            runLock = lock
        }
        lockDepth += 1
        defer {
            lockDepth -= 1
            if lockDepth == 0 {
                runLock?.release()
                runLock = nil
            }
        }
        guard lockDepth == 1 else { return try await body() }
        // Whatever escapes a run leaves as an EngineError naming the stage and the fix.
        do {
            let result = try await body()
            if journal.lastFailure != nil {
                journal.lastFailure = nil
                persist()
            }
            return result
        } catch let error as MicrosoftError {
            throw recorded(
                EngineError(
                    stage: currentStage, message: error.description, fix: Self.fix(for: error),
                    transient: Self.isTransient(error)))
        } catch let error as TransportError {
            throw EngineError(
                stage: currentStage, message: error.description, fix: Self.fix(for: error), transient: error.mayPass)
        } catch let error as EngineError {
            throw recorded(error)
        }
    }

    /// Records `error` in the journal; when the last run ended with the same failure, a re-run
    /// cannot help, so the fix says so and shows what was asked beside what exists.
    func recorded(_ error: EngineError) -> EngineError {
        guard !error.transient else { return error }
        var error = error
        if let last = journal.lastFailure, last.stage == error.stage, last.message == error.message {
            journal.lastFailure?.count += 1
            error.fix =
                "this is the same failure as the last \(last.count == 1 ? "run" : "\(last.count) runs"), so running again will not change it. "
                + difference(in: error.stage)
                + (error.fix.localizedCaseInsensitiveContains("run again") ? "" : " " + error.fix)
        } else {
            journal.lastFailure = Journal.RecordedFailure(stage: error.stage, message: error.message, count: 1)
        }
        persist()
        return error
    }

    /// What the config asks of `stage` beside what the last read of the tenant found, with hidden
    /// characters shown, so a difference a re-run cannot settle can be seen.
    func difference(in stage: StageID) -> String {
        let p = { FieldRules.printable($0, limit: 120) }
        let asked: String
        switch stage {
        case .signIn: asked = "tenant \"\(p(config.tenant))\""
        case .serviceAccount: asked = "app \"\(p(config.serviceAccountName))\" (uniqueName \(config.applicationUniqueName))"
        case .distributionGroup:
            asked = "group \"\(p(config.groupName))\" (alias \(p(config.effectiveGroupAlias))) with \(config.members.count) member(s)"
        case .impersonationRole: asked = "Exchange's pointer to the app \"\(p(config.serviceAccountName))\""
        case .scope:
            asked = "scope \"\(p(config.scopeName))\" (filter \(wantedFilter.map(p) ?? "not known: no group DN")) for \(config.roles.joined(separator: ", "))"
        case .connect: asked = "access to \(config.inScopeMailbox ?? "a mailbox in the scope") and none outside it"
        }
        let found = lastReports[stage].map { report in
            ([report.detail] + report.evidence.prefix(4)).map(p).joined(separator: "; ")
        } ?? "nothing read yet"
        return "Asked: \(asked). Found: \(found)."
    }

    /// Signs in and reads every stage, changing nothing. Stages that do not hold are reported
    /// as needing change, with the writes `apply` would make.
    public func check() async throws -> [StageReport] {
        try await exclusively { try await checkHoldingLock() }
    }

    private func checkHoldingLock() async throws -> [StageReport] {
        try await signIn()
        let reports = try await isServer ? observeInOrder() : observeOverlapped()
        journal.reports = [signInReport] + reports
        persist()
        return [signInReport] + reports
    }

    /// Reads the stages one after another (Exchange Server: one EWS proof serves several stages).
    private func observeInOrder() async throws -> [StageReport] {
        var reports: [StageReport] = []
        for stage in StageID.allCases where stage != .signIn {
            let observation = try await observe(stage)
            reports.append(observation.report)
            emit(.stage(observation.report))
        }
        return reports
    }

    /// Reads the Exchange Online stages, overlapping those that do not depend on each other: the
    /// service account and the group (with its member pages) at once; the role as soon as the
    /// service account is known; the scope's own reads beside the group, judged once the group's
    /// DN is known; the connect probes last. Every stage that was started is waited for, and the
    /// first failure in stage order is the one reported, as in a run that read them in order.
    private func observeOverlapped() async throws -> [StageReport] {
        defer { facts.scopeReads = nil }
        async let serviceAccount = settled(.serviceAccount)
        async let group = settled(.distributionGroup)
        let serviceAccountResult = await serviceAccount
        let serviceAccountKnown = (try? serviceAccountResult.get()) != nil
        async let role = serviceAccountKnown ? settled(.impersonationRole) : nil
        async let scopeReads = serviceAccountKnown ? prefetchScopeReads() : nil
        emitIfObserved(serviceAccountResult)
        let groupResult = await group
        emitIfObserved(groupResult)
        let roleResult = await role
        emitIfObserved(roleResult)
        facts.scopeReads = await scopeReads
        var reports: [StageReport] = []
        for result in [serviceAccountResult, groupResult, roleResult] {
            guard let result else { continue }
            reports.append(try result.get().report)
        }
        for stage in [StageID.scope, .connect] {
            let observation = try await observe(stage)
            reports.append(observation.report)
            emit(.stage(observation.report))
        }
        return reports
    }

    private func emitIfObserved(_ result: Result<StageObservation, any Error>?) {
        if case .success(let observation) = result { emit(.stage(observation.report)) }
    }

    /// Observes `stage`, keeping a failure as a value so overlapped stages can all finish.
    private func settled(_ stage: StageID) async -> Result<StageObservation, any Error> {
        do { return .success(try await observe(stage)) } catch { return .failure(error) }
    }

    /// Signs in and reads every stage: the plan `apply` would carry out.
    public func plan() async throws -> [StageReport] {
        try await check()
    }

    /// Signs in, plans, asks `confirm` (skipped when nothing changes), applies stage by stage,
    /// verifies each, then waits for propagation and proves access both ways.
    public func apply(confirm: @Sendable ([StageReport]) async -> Bool) async throws -> RunResult {
        try await exclusively { try await applyHoldingLock(confirm: confirm) }
    }

    private func applyHoldingLock(confirm: @Sendable ([StageReport]) async -> Bool) async throws -> RunResult {
        try await signIn()
        try await reconcileInterruptedWrite()
        var planned: [StageReport] = []
        var observations: [StageID: StageObservation] = [:]
        for stage in StageID.allCases where stage != .signIn && stage != .connect {
            let observation = try await observe(stage)
            observations[stage] = observation
            planned.append(observation.report)
            emit(.stage(observation.report))
        }
        let writesWhenPlanned = writesPerformed
        // A stage that fails with nothing apply could change (no configured member is a mailbox,
        // an exclusive scope) stops the run before its first write.
        if let blocked = planned.first(where: { $0.status == .failed && $0.changes.isEmpty }) {
            persistReports([signInReport] + planned)
            throw EngineError(
                stage: blocked.stage, message: blocked.detail,
                fix: blocked.fix ?? "correct the configuration; nothing was written")
        }
        try await requireInScopeMailbox()
        let writes = planned.flatMap(\.changes)
        if !writes.isEmpty {
            guard await confirm([signInReport] + planned) else {
                log(.info, "Plan declined: nothing was written.")
                return .declined
            }
        }
        var unverified: [StageID] = []
        for stage in StageID.allCases where stage != .signIn && stage != .connect {
            // What the plan read still holds while nothing was written since: no second, identical read.
            let report = try await applyStage(stage, planned: writesPerformed == writesWhenPlanned ? observations[stage] : nil)
            // On Exchange Server the role and the scope can only be seen working once Exchange
            // applies them: "not verified yet" there is what the propagation wait settles.
            let awaitsPropagation =
                isServer && (stage == .impersonationRole || stage == .scope)
                && (report.status == .notVerified || report.status == .pending) && report.changes.isEmpty
            if report.status != .verified && report.status != .skipped && !awaitsPropagation {
                unverified.append(stage)
            }
        }
        guard unverified.isEmpty else { return .drift(unverified) }
        let result = try await waitForPropagation()
        if result == .verified && isServer {
            // The last poll proved the role and the scope: record them as seen.
            for stage in [StageID.impersonationRole, .scope] {
                let observation = try await observe(stage)
                emit(.stage(observation.report))
                journal.reports.removeAll { $0.stage == stage }
                journal.reports.append(observation.report)
            }
            persist()
        }
        if result == .verified { emit(.handOff(handOff())) }
        return result
    }

    /// Keeps `reports` as the journal's last reports (what `check` and the wizard show next).
    func persistReports(_ reports: [StageReport]) {
        journal.reports = reports
        persist()
    }

    // MARK: Stage application

    /// Observes `stage`, performs its writes with journaling, then re-reads until they are seen
    /// (replication lag) and reports what was observed.
    func applyStage(_ stage: StageID, planned: StageObservation? = nil) async throws -> StageReport {
        currentStage = stage
        var observation: StageObservation
        if let planned { observation = planned } else { observation = try await observe(stage) }
        guard !observation.writes.isEmpty else {
            emit(.stage(observation.report))
            return observation.report
        }
        var report = observation.report
        report.status = .applying
        emit(.stage(report))
        var recoveries = 0
        let stageStarted = environment.clock.now
        let stageDeadline = environment.requestTimeout.map { $0 * 6 }
        func withinDeadline() -> Bool {
            guard let stageDeadline else { return true }
            return environment.clock.now.timeIntervalSince(stageStarted) < stageDeadline.timeInterval
        }
        writing: while true {
            do {
                for write in observation.writes {
                    try await performJournaled(write)
                }
                break writing
            } catch let notRun as ShellStepNotRun {
                report = observation.report
                report.status = .needsChange
                report.detail = "waiting for the Exchange Management Shell: \(notRun.step.summary)"
                report.fix = "\(notRun.reason); then run mailscope again to verify over EWS"
                emit(.stage(report))
                journal.reports.removeAll { $0.stage == stage }
                journal.reports.append(report)
                persist()
                return report
            } catch let error as EngineError
                where error.transient && recoveries < Self.maximumRecoveries && withinDeadline()
            {
                // The write may or may not have been applied: never resend it blindly. Re-read the
                // tenant (removing a secret whose answer was lost) and make only what is missing.
                recoveries += 1
                log(.warning, "\(error.message); re-reading the tenant before going on")
                try await environment.clock.sleep(for: environment.schedule.verifyDelay * recoveries)
                try await reconcileInterruptedWrite()
                observation = try await observe(stage)
                if observation.writes.isEmpty { break writing }
            }
        }
        var delay = environment.schedule.verifyDelay
        for attempt in 1...max(1, environment.schedule.verifyAttempts) {
            observation = try await observe(stage)
            if observation.writes.isEmpty { break }
            if attempt < environment.schedule.verifyAttempts {
                try await environment.clock.sleep(for: delay)
                delay = delay * 2
            }
        }
        report = observation.report
        if !observation.writes.isEmpty {
            report.status = .notVerified
            report.detail = "written, but not yet visible when read back (directory replication); run again to verify"
        }
        emit(.stage(report))
        journal.reports.removeAll { $0.stage == stage }
        journal.reports.append(report)
        persist()
        return report
    }

    /// How many times one stage re-reads the tenant after a fault on the way before the run stops.
    static let maximumRecoveries = 3

    /// Records `write` as pending, performs it, then records it as done.
    func performJournaled(_ write: Write) async throws {
        journal.pendingWrite = write
        persist()
        log(.write, PowerShell.summary(of: write), powershell: powershellLine(write))
        do {
            try await perform(write)
        } catch let notRun as ShellStepNotRun {
            journal.pendingWrite = nil
            persist()
            throw notRun
        }
        serverProbe = nil
        writesPerformed += 1
        journal.pendingWrite = nil
        journal.completedWrites.append(Journal.CompletedWrite(write: write, at: environment.clock.now))
        if journal.completedWrites.count > 200 {
            journal.completedWrites.removeFirst(journal.completedWrites.count - 200)
        }
        if write.affectsEffectiveAccess {
            journal.rbacChangedAt = environment.clock.now
            journal.wait = nil
        }
        persist()
    }

    func powershellLine(_ write: Write) -> String {
        var write = write
        // A write planned before its app existed names it by placeholder; show the real ID once known.
        if case .createServicePrincipal(let appID) = write, appID.hasPrefix("<"), let known = facts.appID {
            write = .createServicePrincipal(appID: known)
        }
        return PowerShell.line(
            for: write,
            appObjectID: facts.appObjectID,
            servicePrincipalID: facts.servicePrincipalID,
            groupName: config.groupKind == .microsoft365 ? config.effectiveGroupAlias : (facts.group?.name ?? config.groupName),
            groupKind: config.groupKind
        )
    }

    // MARK: Events and journal

    func emit(_ event: EngineEvent) {
        if case .stage(let report) = event, report.status != .checking { lastReports[report.stage] = report }
        emitEvent(event)
    }

    func log(_ level: LogEntry.Level, _ text: String, powershell: String? = nil) {
        emit(
            .log(LogEntry(at: environment.clock.now, level: level, text: Redactor.redact(text), powershell: powershell))
        )
    }

    func persist() {
        journal.updatedAt = environment.clock.now
        do {
            try store.save(journal)
        } catch {
            log(.error, "could not save the journal at \(store.journalURL.path): \(error)")
        }
    }
}

/// What the stages have learned about the tenant so far in this run.
struct Facts: Sendable {
    var appObjectID: String?
    var appID: String?
    var application: JSONValue?
    var servicePrincipalID: String?
    var group: GroupFacts?
    var members: [ResolvedMember] = []
    var directMembers: [DirectMember] = []
    /// The tenant's room mailboxes (`Get-Mailbox -RecipientTypeDetails RoomMailbox`), with their object ids.
    var rooms: [ProbeMailbox]?
    /// Configured probe mailboxes resolved to their object ids, by lower-cased address (looked up once).
    var probeMailboxes: [String: ProbeMailbox] = [:]
    /// The licensed member mailbox outside the scope chosen for the denial probe.
    var outOfScopeCandidate: ProbeMailbox?
    var scopeID: String?
    var roleDefinitions: [String: String]?
    /// The scope stage's reads, made ahead by an overlapped check (used once, then cleared).
    var scopeReads: ScopeReads?
}

/// The group as Exchange sees it.
struct GroupFacts: Sendable, Equatable {
    var name: String
    var address: String
    var distinguishedName: String
    var objectID: String
    var recipientTypeDetails: String
}

/// A mailbox a probe addresses: its SMTP address (for Exchange's `Test-ServicePrincipalAuthorization`
/// and the evidence) and its Entra object id (for Graph, which addresses a user by id or user
/// principal name only, not by SMTP address: microsoft-graph-docs-contrib
/// `api-reference/v1.0/api/user-get.md`, `GET /users/{id | userPrincipalName}`).
struct ProbeMailbox: Sendable, Equatable {
    /// The SMTP address.
    var address: String
    /// The object id; nil when no user in the directory has the address.
    var objectID: String?
}

/// A configured member address, resolved in the directory.
struct ResolvedMember: Sendable, Equatable {
    var configured: String
    var primary: String?
    var objectID: String?
    var isGroup: Bool
}

/// A direct member of the group.
struct DirectMember: Sendable, Equatable {
    var objectID: String
    /// The primary SMTP address.
    var address: String
    var isGroup: Bool
    /// Every SMTP address (primary and aliases), lower-cased.
    var addresses: Set<String> = []
}
