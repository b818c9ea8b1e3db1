import Foundation
import MailscopeEngine

/// Where a session's frames and clipboard requests go: the ncurses adapter, or a test recorder.
@MainActor
public protocol WizardOutput: AnyObject {
    /// Shows `canvas` (an adapter writes only the cells that changed since the last frame).
    func draw(_ canvas: Canvas)
    /// Puts `text` on the terminal's clipboard (OSC 52).
    func copyToClipboard(_ text: String)
}

/// Runs the wizard: feeds messages through `update`, draws each model with `render`, and
/// performs the effects against the backend. Knows nothing about terminals.
///
/// Effects map to the backend one to one: `startRun` → `start(_:answers:)` (its updates come back
/// as `.backend` messages; updates of an earlier run are dropped), `confirmPlan` →
/// `confirmPlan(_:)`, `finishShellStep` → `finishShellStep(_:)`, `leaveWait` → `leaveWait()`, `cancelRun` → `cancel()`, `refreshSavedRun` →
/// `savedRun()`. `copyToClipboard` goes to the output, and `quit` ends `run()`.
@MainActor
public final class WizardSession {
    /// The model after the last message.
    public private(set) var model: WizardModel
    /// The theme frames are drawn with.
    public var theme: Theme

    /// A queued message; a backend update remembers which run it belongs to.
    enum Queued: Sendable {
        /// A key, resize, tick or answer from the backend.
        case message(WizardMessage)
        /// An update of run number `run`.
        case update(WizardUpdate, run: Int)
    }

    /// The queue, in arrival order.
    let queue: AsyncStream<Queued>

    private let backend: any WizardBackend
    private let output: any WizardOutput
    private let continuation: AsyncStream<Queued>.Continuation
    private var runUpdates: Task<Void, Never>?
    private var runGeneration = 0
    /// Whether the current run's updates have ended (`.finished` arrived or the stream closed).
    private var runHasEnded = true

    /// Creates a session.
    public init(model: WizardModel, theme: Theme, backend: any WizardBackend, output: any WizardOutput) {
        self.model = model
        self.theme = theme
        self.backend = backend
        self.output = output
        (queue, continuation) = AsyncStream.makeStream(of: Queued.self)
    }

    /// Queues a message (keys, resizes, ticks). Safe to call from any main-actor callback.
    public func send(_ message: WizardMessage) {
        continuation.yield(.message(message))
    }

    /// The message to process for a queued item, or `nil` for an update of an abandoned run.
    func accept(_ item: Queued) -> WizardMessage? {
        switch item {
        case .message(let message): message
        case .update(let update, let run): run == runGeneration ? .backend(update) : nil
        }
    }

    /// Shows at once that the wizard is stopping (a signal arrived): applied and drawn now, not
    /// queued behind an effect the session may be awaiting (a sign-in that has not answered yet).
    public func showInterrupted() {
        _ = update(&model, .interrupted)
        output.draw(render(model, size: model.size, theme: theme))
    }

    /// Ends `run()` after the queued messages (for example when input closed).
    public func finish() {
        continuation.finish()
    }

    /// Asks the backend for a saved run, then processes messages until an effect quits.
    /// - Returns: the exit code of the `quit` effect (0 if the messages end first).
    public func run() async -> Int32 {
        output.draw(render(model, size: model.size, theme: theme))
        let saved = await backend.savedRun()
        send(.launched(savedRun: saved))
        for await item in queue {
            guard let message = accept(item) else { continue }
            if let code = await process(message) { return code }
        }
        return 0
    }

    /// Applies one message: update, draw, perform the effects.
    /// - Returns: an exit code when an effect quits.
    @discardableResult
    public func process(_ message: WizardMessage) async -> Int32? {
        let effects = update(&model, message)
        output.draw(render(model, size: model.size, theme: theme))
        for effect in effects {
            if let code = await perform(effect) { return code }
        }
        return nil
    }

    /// Saves what can be saved before the process exits (a signal, a closed terminal): a wait is
    /// left (saved with its timer), other work is cancelled; then waits for the run to end (the
    /// backend saves before it reports `.finished`). Gives up after `timeout`.
    public func saveBeforeExit(timeout: Duration = .seconds(4)) async {
        guard let run = model.run, run.phase.isActive, !runHasEnded else { return }
        let backend = self.backend
        let leave = run.isWaiting || run.phase == .leavingWait
        let deadline = ContinuousClock.now.advanced(by: timeout)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { if leave { await backend.leaveWait() } else { await backend.cancel() } }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
        while !runHasEnded && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    private func perform(_ effect: WizardEffect) async -> Int32? {
        switch effect {
        case .startRun(let mode, let answers):
            runUpdates?.cancel()
            runGeneration += 1
            let generation = runGeneration
            runHasEnded = false
            let updates = await backend.start(mode, answers: answers)
            runUpdates = Task { [weak self] in
                for await backendUpdate in updates {
                    guard let self, self.runGeneration == generation else { return }
                    if case .finished = backendUpdate { self.runHasEnded = true }
                    self.continuation.yield(.update(backendUpdate, run: generation))
                }
                if let self, self.runGeneration == generation { self.runHasEnded = true }
            }
        case .confirmPlan(let accepted):
            await backend.confirmPlan(accepted)
        case .finishShellStep(let ran):
            await backend.finishShellStep(ran)
        case .leaveWait:
            await backend.leaveWait()
        case .cancelRun:
            await backend.cancel()
        case .refreshSavedRun:
            send(.savedRunLoaded(await backend.savedRun()))
        case .copyToClipboard(let text):
            output.copyToClipboard(text)
        case .quit(let code):
            runUpdates?.cancel()
            return code
        }
        return nil
    }
}
