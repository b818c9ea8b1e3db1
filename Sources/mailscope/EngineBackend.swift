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
        var customCloud: CloudEndpoints?
        /// A CA bundle.
        var caBundle: String?
        /// Exchange Server: a simulator's stand-in for the Exchange Management Shell
        /// (`http://127.0.0.1:PORT/_sim/ems`). The demo's steps run there once the admin confirms
        /// them; `nil` (a real server) leaves running them to the admin.
        var simulatedShell: URL? = nil
    }

    private let target: Target
    /// The admin's sign-in, kept in memory until the wizard quits.
    private let tokenSessions = TokenSessionCache()
    private var engine: SetupEngine?
    private var runTask: Task<Void, Never>?
    private var planDecision: CheckedContinuation<Bool, Never>?
    private var earlyDecision: Bool?
    /// The current run's updates.
    private var updates: AsyncStream<WizardUpdate>.Continuation?
    /// The Exchange Management Shell step on screen, waiting for the admin's answer.
    private var shellDecision: CheckedContinuation<Bool, Never>?
    /// Set when the admin stopped before a step: no further step is shown, no further engine
    /// event reaches the wizard, and the run ends `.suspended`.
    private var stop = StopSignal()

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
        resolveShellStep(false)  // a step of an earlier run can no longer be answered
        let stop = StopSignal()
        self.stop = stop
        updates = continuation
        let config = makeConfig(answers)
        if let data = try? JSONEncoder().encode(answers) { try? PrivateFiles.write(data, to: savedAnswersURL) }
        var environment = EngineEnvironment(
            transport: target.transport,
            clock: target.clock,
            stateDirectory: target.stateDirectory,
            schedule: target.schedule,
            shell: WizardShell(
                backend: self,
                runner: config.simulatedShell.flatMap(URL.init(string:)).map {
                    SimulatedShell(url: $0, transport: target.transport)
                }
            )
        )
        // One sign-in for the wizard's whole life: every run of this process shares its tokens (memory only).
        environment.tokenSessions = tokenSessions
        let engine: SetupEngine
        do {
            engine = try SetupEngine(config: config, environment: environment) { event in
                // After a stop, the stages the engine goes on to touch are not the admin's concern.
                guard !stop.isSet else { return }
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
            continuation.yield(.finished(stop.isSet ? .suspended : outcome))
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

    /// Shows `step` to the admin and waits for the answer: `true` when they ran it, `false` when
    /// they stop here (or the run is cancelled). Called by the engine's shell (`WizardShell`).
    func presentShellStep(_ step: ShellStep) async -> Bool {
        guard !stop.isSet, !Task.isCancelled else { return false }
        resolveShellStep(false)
        updates?.yield(.shellStep(step))
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled || stop.isSet {
                    continuation.resume(returning: false)
                } else {
                    shellDecision = continuation
                }
            }
        } onCancel: {
            Task { await self.resolveShellStep(false) }
        }
    }

    func finishShellStep(_ ran: Bool) async {
        guard shellDecision != nil else { return }
        if !ran {
            // Stop here: the engine records the step as not run (the journal keeps the run), then
            // the run task is cancelled so that nothing else is read or handed over.
            stop.set()
        }
        resolveShellStep(ran)
        if !ran { runTask?.cancel() }
    }

    /// Answers the waiting step, if any.
    private func resolveShellStep(_ ran: Bool) {
        guard let waiting = shellDecision else { return }
        shellDecision = nil
        waiting.resume(returning: ran)
    }

    func leaveWait() async {
        await engine?.requestSuspend()
    }

    func cancel() async {
        await confirmPlan(false)
        resolveShellStep(false)
        await engine?.requestSuspend()
        runTask?.cancel()
        _ = await runTask?.value
    }

    /// The engine's config for `answers`, for either target, with what this backend adds: the CA
    /// bundle, the simulator's cloud URLs (Exchange Online) or its shell stand-in (Exchange Server).
    private func makeConfig(_ answers: WizardAnswers) -> SetupConfig {
        var config = answers.setupConfig()
        config.caBundle = target.caBundle
        switch answers.target {
        case .exchangeOnline:
            if let cloud = target.customCloud { config.useCustomCloud(cloud) }
        case .exchangeServer:
            config.simulatedShell = target.simulatedShell?.absoluteString
        }
        return config
    }
}

/// The Exchange Management Shell as the wizard offers it: each step is shown to the admin (with
/// its exact command), and the engine goes on when they confirm they ran it, or records it as not
/// run when they stop. In the demo, `runner` (the simulator's stand-in for the admin's shell
/// window) then runs the confirmed step; the engine's path is the same either way.
struct WizardShell: ManagementShell {
    /// The backend that shows the step and waits for the admin.
    let backend: EngineBackend
    /// Runs a confirmed step (the demo's simulated shell); `nil` when the admin ran it themselves.
    let runner: (any ManagementShell)?

    func run(_ step: ShellStep, password: Secret?) async throws -> ShellStepOutcome {
        guard await backend.presentShellStep(step) else {
            return .notRun(reason: "stopped before it was run; run it in the Exchange Management Shell")
        }
        guard let runner else { return .ran(output: []) }
        return try await runner.run(step, password: password)
    }
}

/// A flag set once, read from any thread (the engine's event callback is synchronous).
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    /// Whether the flag is set.
    var isSet: Bool { lock.withLock { value } }

    /// Sets the flag.
    func set() { lock.withLock { value = true } }
}
