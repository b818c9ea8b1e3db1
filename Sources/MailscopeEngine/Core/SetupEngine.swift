import Foundation
import MailscopeCore
import MicrosoftClients

/// The setup engine's core: runs each stage as check → plan → apply → verify through the target's
/// driver, journals every write so a killed run resumes without duplicates, and waits out
/// propagation. It knows no target: what a stage reads and writes is the driver's.
public actor SetupEngine {
    /// How many requests a transport for the engine should keep in flight at once.
    public static let concurrentRequests = RequestSender.concurrentRequests

    let run: RunContext
    let driver: any TargetDriver
    let store: JournalStore
    var suspendRequested = false
    /// Faults on the way in a row while polling a wait (a poll that succeeds clears it).
    var pollFaults = 0
    var runLock: FileLock?
    /// The sleep between two polls of the propagation wait, cut short when the admin leaves.
    var waitSleeper: Task<Void, any Error>?
    var lockDepth = 0

    /// Creates an engine for `config`, with the driver of its target. Throws `ConfigError` for
    /// invalid values, before anything is sent.
    public init(
        config: SetupConfig,
        environment: EngineEnvironment,
        events: @escaping @Sendable (EngineEvent) -> Void
    ) throws {
        try self.init(config: config, environment: environment, driver: Targets.driver(for:), events: events)
    }

    /// Creates an engine whose driver `makeDriver` makes (a test's fake driver, for one).
    init(
        config: SetupConfig,
        environment: EngineEnvironment,
        driver makeDriver: (RunContext) throws -> any TargetDriver,
        events: @escaping @Sendable (EngineEvent) -> Void
    ) throws {
        let problems = config.validationErrors()
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        let clock = environment.clock
        let sender = RequestSender(
            transport: environment.transport,
            clock: environment.clock,
            policy: environment.requestTimeout.map { environment.retryPolicy.bounded(byRequestTimeout: $0) }
                ?? environment.retryPolicy,
            onRetry: { notice in events(.log(LogEntry(at: clock.now, level: .warning, text: notice.description))) }
        )
        let store = JournalStore(stateDirectory: environment.stateDirectory, config: config)
        let loaded = store.loadReporting()
        if let setAside = loaded.setAside {
            events(.log(LogEntry(at: clock.now, level: .warning, text: setAside, powershell: nil)))
        }
        var journal = loaded.journal ?? Journal(configFingerprint: config.fingerprint, now: clock.now)
        journal.configFingerprint = config.fingerprint
        let run = RunContext(
            config: config, environment: environment, endpoints: try config.endpoints(), sender: sender,
            store: store, journal: journal, events: events)
        self.run = run
        self.store = store
        self.driver = try makeDriver(run)
    }

    /// The journal as last saved.
    public var currentJournal: Journal { run.journal }

    /// Where this setup's journal is kept.
    public nonisolated var journalPath: String { store.journalURL.path }

    /// The stage being read, applied or waited for (where a stopped run stopped).
    public var stageInProgress: StageID { run.currentStage }

    /// The signed-in tenant, once signed in.
    public var signedInTenant: SignedInTenant? { run.tenant }

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
            if run.journal.lastFailure != nil {
                run.journal.lastFailure = nil
                run.persist()
            }
            return result
        } catch let error as MicrosoftError {
            throw recorded(
                EngineError(
                    stage: run.currentStage, message: error.description, fix: Remedy.fix(for: error),
                    transient: Remedy.isTransient(error)))
        } catch let error as TransportError {
            throw EngineError(
                stage: run.currentStage, message: error.description, fix: Remedy.fix(for: error),
                transient: error.mayPass)
        } catch let error as EngineError {
            throw recorded(error)
        }
    }

    /// Records `error` in the journal; when the last run ended with the same failure, a re-run
    /// cannot help, so the fix says so and shows what was asked beside what exists.
    func recorded(_ error: EngineError) -> EngineError {
        guard !error.transient else { return error }
        var error = error
        if let last = run.journal.lastFailure, last.stage == error.stage, last.message == error.message {
            run.journal.lastFailure?.count += 1
            error.fix =
                "this is the same failure as the last \(last.count == 1 ? "run" : "\(last.count) runs"), so running again will not change it. "
                + difference(in: error.stage)
                + (error.fix.localizedCaseInsensitiveContains("run again") ? "" : " " + error.fix)
        } else {
            run.journal.lastFailure = Journal.RecordedFailure(stage: error.stage, message: error.message, count: 1)
        }
        run.persist()
        return error
    }

    /// What the config asks of `stage` beside what the last read of the tenant found, with hidden
    /// characters shown, so a difference a re-run cannot settle can be seen.
    func difference(in stage: StageID) -> String {
        let p = { FieldRules.printable($0, limit: 120) }
        let found =
            run.lastReports[stage].map { report in
                ([report.detail] + report.evidence.prefix(4)).map(p).joined(separator: "; ")
            } ?? "nothing read yet"
        return "Asked: \(driver.asked(of: stage)). Found: \(found)."
    }

    /// Signs in (once per engine): the driver checks who signed in and where; a failure is the
    /// sign-in stage's, recorded with its fix.
    @discardableResult
    public func signIn() async throws -> SignedInTenant {
        if let tenant = run.tenant { return tenant }
        run.emit(.stage(StageReport(stage: .signIn, status: .checking, detail: "signing in to \(run.config.tenant)")))
        do {
            let tenant = try await driver.signIn()
            run.tenant = tenant
            return tenant
        } catch let error as EngineError {
            run.record(StageReport(stage: .signIn, status: .failed, detail: error.message, fix: error.fix))
            throw error
        }
    }

    /// Signs in and reads every stage, changing nothing. Stages that do not hold are reported
    /// as needing change, with the writes `apply` would make.
    public func check() async throws -> [StageReport] {
        try await exclusively { try await checkHoldingLock() }
    }

    private func checkHoldingLock() async throws -> [StageReport] {
        try await signIn()
        let reports = notingMembersAdded(to: try await driver.observesInOrder ? observeInOrder() : observeOverlapped())
        run.journal.reports = [run.signInReport] + reports
        run.persist()
        return [run.signInReport] + reports
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
        let (planned, observations) = try await planStages()
        let writesWhenPlanned = run.writesPerformed
        try await driver.checkBeforeFirstWrite()
        if !planned.flatMap(\.changes).isEmpty {
            guard await confirm([run.signInReport] + planned) else {
                run.log(.info, "Plan declined: nothing was written.")
                return .declined
            }
        }
        var unverified: [StageID] = []
        for stage in StageID.changing {
            // What the plan read still holds while nothing was written since: no second, identical read.
            let report: StageReport
            do {
                report = try await applyStage(
                    stage, planned: run.writesPerformed == writesWhenPlanned ? observations[stage] : nil)
            } catch is WaitLeft {
                return .suspended
            }
            if report.status != .verified && report.status != .skipped && !awaitsPropagation(report) {
                unverified.append(stage)
            }
        }
        guard unverified.isEmpty else { return .drift(unverified) }
        let result = try await waitForPropagation()
        if result == .verified {
            try await recordStagesProvenByTheWait()
            recordMembersRead()
            run.emit(.handOff(PresetConnections.arrangedHandOff(driver.handOff(), config: run.config)))
        }
        return result
    }

    /// Reads the stages apply may change. A stage that fails with nothing apply could change (no
    /// configured member is a mailbox, an exclusive scope) stops the run before its first write.
    private func planStages() async throws -> ([StageReport], [StageID: StageObservation]) {
        var planned: [StageReport] = []
        var observations: [StageID: StageObservation] = [:]
        for stage in StageID.changing {
            let observation = try await observe(stage)
            observations[stage] = observation
            planned.append(observation.report)
            run.emit(.stage(observation.report))
        }
        if let blocked = planned.first(where: { $0.status == .failed && $0.changes.isEmpty }) {
            persistReports([run.signInReport] + planned)
            throw EngineError(
                stage: blocked.stage, message: blocked.detail,
                fix: blocked.fix ?? "correct the configuration; nothing was written")
        }
        return (planned, observations)
    }

    /// Whether `report` is "not verified yet" only because its stage can be seen working once the
    /// target applies it, which the propagation wait settles.
    private func awaitsPropagation(_ report: StageReport) -> Bool {
        driver.stagesProvenByTheWait.contains(report.stage)
            && (report.status == .notVerified || report.status == .pending) && report.changes.isEmpty
    }

    /// The wait proved the stages only it can prove: read them again and keep them as seen.
    private func recordStagesProvenByTheWait() async throws {
        let stages = StageID.allCases.filter(driver.stagesProvenByTheWait.contains)
        guard !stages.isEmpty else { return }
        for stage in stages {
            let observation = try await observe(stage)
            run.emit(.stage(observation.report))
            run.keep(observation.report, save: false)
        }
        run.persist()
    }

    /// Keeps `reports` as the journal's last reports (what `check` and the wizard show next).
    func persistReports(_ reports: [StageReport]) {
        run.journal.reports = reports
        run.persist()
    }

    /// After a crash during a write: the driver makes the tenant safe to go on, then the write
    /// is no longer pending.
    func reconcileInterruptedWrite() async throws {
        guard let pending = run.journal.pendingWrite else { return }
        run.log(.warning, "The last run stopped during: \(PowerShell.summary(of: pending)). Re-reading the tenant.")
        try await driver.reconcile(interrupted: pending, engine: self)
        run.journal.pendingWrite = nil
        run.persist()
    }
}

extension StageID {
    /// The stages apply may change, in order (not the sign-in, not the connect proof).
    static let changing: [StageID] = allCases.filter { $0 != .signIn && $0 != .connect }
}
