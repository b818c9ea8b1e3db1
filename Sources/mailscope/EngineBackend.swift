import Foundation
import MailscopeCore
import MailscopeEngine
import MailscopeTUI
import MicrosoftClients

/// The wizard's backend over the real engine: turns the admin's answers into a config, runs the
/// engine in a task, and streams its events to the wizard.
actor EngineBackend: WizardBackend {
    /// How the backend reaches the tenant.
    struct Target: Sendable {
        /// The HTTP transport.
        var transport: any HTTPTransport
        /// The clock.
        var clock: WallClock
        /// The state directory.
        var stateDirectory: URL
        /// The poll schedule.
        var schedule: PollSchedule
        /// Custom cloud URLs (the simulator's), or nil for the cloud in the answers.
        var customCloud: (login: String, graph: String, exchange: String)?
        /// A CA bundle.
        var caBundle: String?
    }

    private let target: Target
    private var engine: SetupEngine?
    private var runTask: Task<Void, Never>?
    private var planDecision: CheckedContinuation<Bool, Never>?
    private var earlyDecision: Bool?

    init(target: Target) { self.target = target }

    private var savedAnswersURL: URL { target.stateDirectory.appendingPathComponent("last-run.json") }

    func savedRun() async -> SavedRunSummary? {
        guard let data = FileManager.default.contents(atPath: savedAnswersURL.path),
            let answers = try? JSONDecoder().decode(WizardAnswers.self, from: data)
        else { return nil }
        let config = makeConfig(answers)
        let journal = JournalStore(stateDirectory: target.stateDirectory, config: config).load()
        return SavedRunSummary(answers: answers, wait: journal?.wait)
    }

    func start(_ mode: WizardRunMode, answers: WizardAnswers) async -> AsyncStream<WizardUpdate> {
        let (stream, continuation) = AsyncStream.makeStream(of: WizardUpdate.self)
        earlyDecision = nil
        let config = makeConfig(answers)
        if let data = try? JSONEncoder().encode(answers) { try? PrivateFiles.write(data, to: savedAnswersURL) }
        let environment = EngineEnvironment(
            transport: target.transport,
            clock: target.clock,
            stateDirectory: target.stateDirectory,
            schedule: target.schedule
        )
        let engine: SetupEngine
        do {
            engine = try SetupEngine(config: config, environment: environment) { event in
                continuation.yield(.engine(event))
            }
        } catch {
            continuation.yield(.finished(.failed(String(describing: error))))
            continuation.finish()
            return stream
        }
        self.engine = engine
        runTask = Task { [weak self] in
            let outcome = await Self.run(mode: mode, engine: engine, backend: self, continuation: continuation)
            continuation.yield(.finished(outcome))
            continuation.finish()
        }
        return stream
    }

    private static func run(
        mode: WizardRunMode,
        engine: SetupEngine,
        backend: EngineBackend?,
        continuation: AsyncStream<WizardUpdate>.Continuation
    ) async -> RunOutcome {
        do {
            let tenant = try await engine.signIn()
            continuation.yield(.signedIn(tenant))
            switch mode {
            case .recheck:
                let reports = try await engine.check()
                let drifted = reports.filter { $0.status != .verified && $0.status != .skipped }.map(\.stage)
                return drifted.isEmpty ? .verified : .drift(drifted)
            case .setup, .resume:
                let result = try await engine.apply { reports in
                    continuation.yield(.planReady(reports))
                    return await backend?.awaitPlanDecision() ?? false
                }
                switch result {
                case .verified: return .verified
                case .drift(let stages): return .drift(stages)
                case .declined: return .failed("The plan was declined; nothing was written.")
                case .deadlineReached: return .failed("The change did not take effect by the deadline; re-check later.")
                case .suspended: return .suspended
                }
            }
        } catch let error as EngineError {
            return .failed(error.description)
        } catch is CancellationError {
            return .suspended
        } catch {
            return .failed(Redactor.redact(String(describing: error)))
        }
    }

    /// Waits for the admin's answer to the plan. An answer (or a cancel) that arrives before the
    /// wait starts is kept, and cancelling the run answers "no", so the run can never hang here.
    private func awaitPlanDecision() async -> Bool {
        if let decided = earlyDecision {
            earlyDecision = nil
            return decided
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                planDecision = continuation
            }
        } onCancel: {
            Task { await self.confirmPlan(false) }
        }
    }

    func confirmPlan(_ accepted: Bool) async {
        if let waiting = planDecision {
            planDecision = nil
            waiting.resume(returning: accepted)
        } else {
            earlyDecision = accepted
        }
    }

    func leaveWait() async {
        await engine?.requestSuspend()
    }

    func cancel() async {
        await confirmPlan(false)
        await engine?.requestSuspend()
        runTask?.cancel()
        _ = await runTask?.value
    }

    private func makeConfig(_ answers: WizardAnswers) -> SetupConfig {
        var config = SetupConfig(preset: Preset.named(answers.presetID) ?? Preset.all[0], tenant: answers.tenant)
        config.signIn = AdminSignIn(rawValue: answers.signIn.rawValue) ?? .deviceCode
        config.serviceAccountName = answers.serviceAccountName
        config.groupName = answers.groupName
        config.groupKind = answers.groupKind
        config.members = answers.members
        config.scopeKind = answers.scopeKind
        config.scopeName = answers.scopeName
        config.roles = answers.roles
        config.caBundle = target.caBundle
        if let cloud = target.customCloud {
            config.cloud = "custom"
            config.loginURL = cloud.login
            config.graphURL = cloud.graph
            config.exchangeURL = cloud.exchange
        }
        return config
    }
}
