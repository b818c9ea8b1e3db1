import Foundation
import MailscopeCore
import Testing

@testable import MailscopeEngine

/// The core (check, plan, apply, verify, the journal, recoveries, the wait) driven by a fake
/// driver: no simulator, no network. The fake's tenant is a set of stages that hold; a write makes
/// its stage hold, unless the fake is told to fail it or to lag.
@Suite("The core with a fake driver")
struct CoreWithFakeDriverTests {
    /// A target in memory: each stage needs one write until it is made.
    /// Used on the engine's actor during a run and read by the test after it (never both at once).
    final class FakeDriver: TargetDriver, @unchecked Sendable {
        var attached: RunContext?
        var run: RunContext { attached! }
        /// Stages whose write was made (they hold).
        var holding: Set<StageID> = []
        /// Every write performed, in order.
        var performed: [Write] = []
        /// Every stage read, in order.
        var reads: [StageID] = []
        /// Faults to throw from the next writes: the write is applied, its answer is lost.
        var lostAnswers = 0
        /// How many re-reads after a write still do not see it (replication lag).
        var lagging = 0
        /// Polls that see the scope not in force yet, before it settles.
        var pollsBeforeSettled = 0
        var polls = 0
        var inOrder = true
        var provenByTheWait: Set<StageID> = []
        /// A stage that fails with nothing apply could change.
        var blocked: StageID?
        /// Stages that, once written, read as "not verified yet" (only the wait can prove them).
        var unprovable: Set<StageID> = []
        /// A stage whose write waits out a first phase (a wait in two phases).
        var phaseBefore: StageID?
        /// Polls of the first phase that find it not over yet.
        var phasePollsBeforeOver = 0
        var phasePolls = 0
        /// The phase polls made before each write, by write (what the write waited for).
        var phasePollsAtWrite: [Int] = []
        /// Runs at each phase poll (the test leaves the wait from here).
        var onPhasePoll: (() async -> Void)?

        init(run: RunContext) { attached = run }
        init() {}

        static func script(for config: SetupConfig) -> String { "" }
        var observesInOrder: Bool { inOrder }
        var memberPropagation: String { "the fake applies members at once" }
        var stagesProvenByTheWait: Set<StageID> { provenByTheWait }

        func signIn() async throws -> SignedInTenant {
            run.record(StageReport(stage: .signIn, status: .verified, detail: "fake"))
            return SignedInTenant(id: "fake", displayName: "Fake", defaultDomain: "fake.test", signedInAs: "admin")
        }

        static func write(for stage: StageID) -> Write {
            switch stage {
            case .serviceAccount: .createApplication(name: "svc", uniqueName: "svc")
            case .distributionGroup: .createGroup(name: "Group", alias: "group", kind: .distribution)
            case .impersonationRole: .createExchangeServicePrincipal(appID: "a", objectID: "o", name: "svc")
            case .scope: .createScope(name: "Scope", filter: "f")
            case .signIn, .connect: .updateScope(name: "never", filter: "never")
            }
        }

        func observe(_ stage: StageID, engine: SetupEngine) async throws -> StageObservation {
            reads.append(stage)
            if stage == blocked {
                return StageObservation(
                    report: StageReport(stage: stage, status: .failed, detail: "nothing to add", fix: "fix the config"),
                    writes: [])
            }
            if stage == .connect {
                return StageObservation(report: StageReport(stage: stage, status: .pending, detail: "waits"), writes: [])
            }
            if holding.contains(stage) {
                if unprovable.contains(stage) || (provenByTheWait.contains(stage) && polls == 0) {
                    return StageObservation(
                        report: StageReport(stage: stage, status: .notVerified, detail: "not effective yet"), writes: [])
                }
                if lagging > 0 && performed.contains(Self.write(for: stage)) {
                    lagging -= 1
                    return StageObservation(
                        report: StageReport(stage: stage, status: .needsChange, detail: "not seen yet"),
                        writes: [Self.write(for: stage)])
                }
                return StageObservation(report: StageReport(stage: stage, status: .verified, detail: "holds"), writes: [])
            }
            return StageObservation(
                report: StageReport(stage: stage, status: .needsChange, detail: "missing"), writes: [Self.write(for: stage)])
        }

        func perform(_ write: Write) async throws {
            performed.append(write)
            phasePollsAtWrite.append(phasePolls)
            let stage = stage(of: write)
            holding.insert(stage)
            if lostAnswers > 0 {
                lostAnswers -= 1
                throw EngineError(stage: stage, message: "connection reset", fix: "run again", transient: true)
            }
        }

        func stage(of write: Write) -> StageID {
            StageID.changing.first { Self.write(for: $0) == write } ?? .connect
        }

        func powershellLine(for write: Write) -> String { "Fake-Write" }
        func reconcile(interrupted pending: Write, engine: SetupEngine) async throws {}
        func prepareWait(engine: SetupEngine) async throws {}

        func poll() async throws -> PollEvidence {
            polls += 1
            let settled = polls > pollsBeforeSettled
            return PollEvidence(
                at: run.environment.clock.now, configuredInScope: true, configuredOutOfScope: true,
                inScopeAllowed: settled, outOfScopeDenied: true, lines: ["poll \(polls)"])
        }

        func phase(before write: Write) -> WaitPhase? {
            phaseBefore.map(Self.write(for:)) == write ? .scopedRolesInScope : nil
        }

        func poll(_ phase: WaitPhase) async throws -> (evidence: PollEvidence, isOver: Bool) {
            phasePolls += 1
            await onPhasePoll?()
            var evidence = PollEvidence.none(at: run.environment.clock.now)
            evidence.lines = ["phase poll \(phasePolls)"]
            return (evidence, phasePolls > phasePollsBeforeOver)
        }

        var propagationPhase: WaitPhase? { phaseBefore == nil ? nil : .oldAccessRemoved }

        func connectReport(_ evidence: PollEvidence, waiting: Bool, exposureCause: String?) -> StageReport {
            StageReport(
                stage: .connect, status: evidence.isSettled ? .verified : (waiting ? .waiting : .notVerified),
                detail: evidence.lines.joined())
        }

        func handOff() -> [HandOffItem] { [HandOffItem(label: "Client ID", value: "fake")] }
        func asked(of stage: StageID) -> String { "what the fake asks of \(stage)" }
    }

    /// An engine on an immediate clock with a fresh state directory, and its fake driver.
    static func engine(
        _ configure: (FakeDriver) -> Void = { _ in }, events: EventLog = EventLog()
    ) throws -> (SetupEngine, FakeDriver, URL) {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-core-\(UUID().uuidString)")
        return try engine(state: state, configure, events: events)
    }

    static func engine(
        state: URL, _ configure: (FakeDriver) -> Void = { _ in }, events: EventLog = EventLog()
    ) throws -> (SetupEngine, FakeDriver, URL) {
        var environment = EngineEnvironment(
            transport: RefusingTransport(), clock: .immediate(), stateDirectory: state, variables: [:])
        environment.schedule = PollSchedule(
            intervals: [.seconds(60)], expectedEarliest: .seconds(1800), expectedLatest: .seconds(7200),
            verifyAttempts: 3, verifyDelay: .seconds(1))
        var config = SetupConfig(preset: Preset.named("workable")!, tenant: "contoso.onmicrosoft.com")
        config.members = ["avery.adams@contoso.com"]
        let driver = FakeDriver()
        configure(driver)
        let engine = try SetupEngine(
            config: config, environment: environment,
            driver: { run in
                driver.attached = run
                return driver
            }, events: { events.append($0) })
        return (engine, driver, state)
    }

    /// The core never sends a request itself: every request is its driver's.
    struct RefusingTransport: HTTPTransport {
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            Issue.record("the core sent \(request.method) \(request.url)")
            throw TransportError.refusedURL(request.url.absoluteString, reason: "the core sends nothing")
        }
    }

    @Test func checkReadsEveryStageInOrderAndWritesNothing() async throws {
        let (engine, driver, _) = try Self.engine()
        let reports = try await engine.check()
        #expect(reports.map(\.stage) == StageID.allCases)
        #expect(driver.reads == [.serviceAccount, .distributionGroup, .impersonationRole, .scope, .connect])
        #expect(driver.performed.isEmpty)
        #expect(reports.filter { $0.status == .needsChange }.count == 4)
        #expect(reports.report(.scope)?.changes.first?.powershell == "Fake-Write")
    }

    @Test func anOverlappingDriverIsReadInTheSameStageOrder() async throws {
        let (engine, driver, _) = try Self.engine { $0.inOrder = false }
        let reports = try await engine.check()
        #expect(reports.map(\.stage) == StageID.allCases)
        #expect(Set(driver.reads) == Set(StageID.allCases.filter { $0 != .signIn }))
    }

    @Test func applyWritesEachMissingThingOnceVerifiesAndWaits() async throws {
        let events = EventLog()
        let (engine, driver, _) = try Self.engine({ $0.pollsBeforeSettled = 2 }, events: events)
        let result = try await engine.apply { _ in true }
        #expect(result == .verified)
        #expect(driver.performed == StageID.changing.map(FakeDriver.write(for:)))
        #expect(driver.polls == 3)
        let journal = await engine.currentJournal
        #expect(journal.pendingWrite == nil)
        #expect(journal.completedWrites.map(\.write) == driver.performed)
        #expect(journal.verifiedAt != nil)
        // The driver's values, arranged as the preset's vendor form asks (PresetConnections).
        let config = SetupConfig(preset: Preset.named("workable")!, tenant: "contoso.onmicrosoft.com")
        #expect(events.handOff == PresetConnections.arrangedHandOff([HandOffItem(label: "Client ID", value: "fake")], config: config))
        #expect(events.handOff?.first == HandOffItem(label: "Client ID", value: "fake"))
    }

    @Test func aSecondApplyChangesNothing() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-core-\(UUID().uuidString)")
        let (first, driver, _) = try Self.engine(state: state)
        _ = try await first.apply { _ in true }
        let holding = driver.holding
        let (second, again, _) = try Self.engine(state: state) { $0.holding = holding }
        let result = try await second.apply { _ in Issue.record("asked to confirm with nothing to change"); return false }
        #expect(result == .verified)
        #expect(again.performed.isEmpty)
    }

    @Test func aLostAnswerIsNeverResentBlindly() async throws {
        let (engine, driver, _) = try Self.engine { $0.lostAnswers = 1 }
        let result = try await engine.apply { _ in true }
        #expect(result == .verified)
        // The write whose answer was lost was applied; the re-read found it, so it was not sent again.
        #expect(driver.performed == StageID.changing.map(FakeDriver.write(for:)))
    }

    @Test func aWriteNotSeenYetIsReadAgainUntilItIs() async throws {
        let (engine, driver, _) = try Self.engine { $0.lagging = 2 }
        let result = try await engine.apply { _ in true }
        #expect(result == .verified)
        #expect(driver.reads.filter { $0 == .serviceAccount }.count == 4)  // plan, then three verify reads
    }

    @Test func aWriteNeverSeenIsNotVerifiedYetAndTheRunStopsBeforeTheWait() async throws {
        // Each of the three verify reads of the first stage still misses its write.
        let (engine, driver, _) = try Self.engine { $0.lagging = 3 }
        let result = try await engine.apply { _ in true }
        #expect(result == .drift([.serviceAccount]))
        #expect(driver.polls == 0)
        let kept = await engine.currentJournal.reports.report(.serviceAccount)
        #expect(kept?.status == .notVerified)
    }

    @Test func aStageOnlyTheWaitCanProveGoesOnToTheWaitAndIsReadAgainAfterIt() async throws {
        let (engine, driver, _) = try Self.engine {
            $0.provenByTheWait = [.scope]
            $0.unprovable = []
        }
        #expect(try await engine.apply { _ in true } == .verified)
        // Read for the plan, again before its write (earlier stages wrote since), after its write,
        // and once more after the wait proved it.
        #expect(driver.reads.filter { $0 == .scope }.count == 4)
        let kept = await engine.currentJournal.reports.report(.scope)
        #expect(kept?.status == .verified)
    }

    @Test func aStageOtherTargetsCanProveOnlyByTheWaitIsNotExcusedHere() async throws {
        let (engine, _, _) = try Self.engine { $0.unprovable = [.scope] }
        #expect(try await engine.apply { _ in true } == .drift([.scope]))
    }

    @Test func aFailedStageWithNothingToChangeStopsBeforeTheFirstWrite() async throws {
        let (engine, driver, _) = try Self.engine { $0.blocked = .distributionGroup }
        await #expect(throws: EngineError.self) { try await engine.apply { _ in true } }
        #expect(driver.performed.isEmpty)
    }

    @Test func aDeclinedPlanWritesNothing() async throws {
        let (engine, driver, _) = try Self.engine()
        #expect(try await engine.apply { _ in false } == .declined)
        #expect(driver.performed.isEmpty)
    }

    @Test func theSameFailureTwiceSaysARerunWillNotHelpAndShowsTheDriversAsk() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-core-\(UUID().uuidString)")
        for run in 1...2 {
            let (engine, _, _) = try Self.engine(state: state) { $0.blocked = .scope }
            do {
                _ = try await engine.apply { _ in true }
                Issue.record("apply went on past a blocked stage")
            } catch let error as EngineError {
                if run == 2 {
                    #expect(error.fix.contains("running again will not change it"))
                    #expect(error.fix.contains("what the fake asks of scope"))
                }
            }
        }
    }

    @Test func theWaitEndsAtItsDeadlineOnTheTestClock() async throws {
        let (engine, driver, _) = try Self.engine { $0.pollsBeforeSettled = 10_000 }
        let result = try await engine.apply { _ in true }
        #expect(result == .deadlineReached)
        // Polls every minute for the whole deadline, in no time.
        #expect(driver.polls > 60)
    }

    // MARK: A wait in two phases (issue 14: a vendor's app moved from tenant-wide to scoped access)

    static func waits(_ events: EventLog) -> [WaitProgress] {
        events.all.compactMap { if case .waiting(let wait) = $0 { wait } else { nil } }
    }

    @Test func aWriteWaitsOutItsPhaseThenThePropagationWaitIsPhaseTwo() async throws {
        let events = EventLog()
        let (engine, driver, _) = try Self.engine(
            {
                $0.phaseBefore = .scope
                $0.phasePollsBeforeOver = 3
                $0.pollsBeforeSettled = 2
            }, events: events)
        #expect(try await engine.apply { _ in true } == .verified)
        let scopeWrite = try #require(driver.performed.firstIndex(of: FakeDriver.write(for: .scope)))
        #expect(driver.phasePollsAtWrite[scopeWrite] == 4, "the scope's write waited for the phase to be over")
        #expect(driver.phasePollsAtWrite[..<scopeWrite].allSatisfy { $0 == 0 }, "earlier writes did not wait")
        let waits = Self.waits(events)
        let firstPhase = waits.filter { $0.phase == .scopedRolesInScope }
        #expect(firstPhase.count == 3)
        #expect(waits.last?.phase == .oldAccessRemoved)
        #expect(
            events.all.contains {
                if case .stage(let report) = $0 { report.detail.hasPrefix("phase 1 of 2") } else { false }
            })
        let journal = await engine.currentJournal
        #expect(journal.wait == nil)
    }

    @Test func leavingTheFirstPhaseSavesItAndTheNextApplyResumesItsTimer() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-core-\(UUID().uuidString)")
        let events = EventLog()
        let (first, driver, _) = try Self.engine(
            state: state,
            {
                $0.phaseBefore = .scope
                $0.phasePollsBeforeOver = 5
            }, events: events)
        driver.onPhasePoll = { if driver.phasePolls == 2 { await first.requestSuspend() } }
        #expect(try await first.apply { _ in true } == .suspended)
        #expect(!driver.performed.contains(FakeDriver.write(for: .scope)), "left before the phase was over: not written")
        let saved = try #require(await first.currentJournal.wait)
        #expect(saved.phase == .scopedRolesInScope)
        #expect(saved.polls == 2)

        let holding = driver.holding
        let later = EventLog()
        let (second, again, _) = try Self.engine(
            state: state,
            {
                $0.holding = holding
                $0.phaseBefore = .scope
            }, events: later)
        #expect(try await second.apply { _ in true } == .verified)
        #expect(again.performed == [FakeDriver.write(for: .scope)])
        #expect(Self.waits(later).first?.startedAt == saved.startedAt, "the phase resumed with its timer")
    }

    @Test func aPhaseNotOverByTheDeadlineStopsBeforeItsWrite() async throws {
        let (engine, driver, _) = try Self.engine {
            $0.phaseBefore = .scope
            $0.phasePollsBeforeOver = 100_000
        }
        do {
            _ = try await engine.apply { _ in true }
            Issue.record("apply went on past a phase that never ended")
        } catch let error as EngineError {
            #expect(error.message.contains("phase 1 of 2"))
            #expect(error.message.contains("was not made"))
        }
        #expect(!driver.performed.contains(FakeDriver.write(for: .scope)))
        #expect(driver.phasePolls > 60)
        #expect(await engine.currentJournal.wait == nil)
    }
}
