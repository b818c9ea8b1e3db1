import Foundation
import MailscopeEngine

@testable import MailscopeTUI

/// A backend that records every call and plays scripted updates: `beforePlan` at start, then
/// (after `confirmPlan(true)`) `afterConfirm`. `leaveWait` and `cancel` end the run.
actor ScriptedBackend: WizardBackend {
    /// A call the wizard made.
    enum Call: Equatable, Sendable {
        case savedRun
        case start(WizardRunMode, WizardAnswers)
        case confirmPlan(Bool)
        case finishShellStep(Bool)
        case leaveWait
        case cancel
    }

    private(set) var calls: [Call] = []
    private let saved: SavedRunSummary?
    private let beforePlan: [WizardUpdate]
    private let afterConfirm: [WizardUpdate]
    private var continuation: AsyncStream<WizardUpdate>.Continuation?

    init(saved: SavedRunSummary? = nil, beforePlan: [WizardUpdate], afterConfirm: [WizardUpdate]) {
        self.saved = saved
        self.beforePlan = beforePlan
        self.afterConfirm = afterConfirm
    }

    func savedRun() async -> SavedRunSummary? {
        calls.append(.savedRun)
        return saved
    }

    func start(_ mode: WizardRunMode, answers: WizardAnswers) async -> AsyncStream<WizardUpdate> {
        calls.append(.start(mode, answers))
        continuation?.finish()
        let (stream, continuation) = AsyncStream.makeStream(of: WizardUpdate.self)
        self.continuation = continuation
        for update in beforePlan { continuation.yield(update) }
        return stream
    }

    func confirmPlan(_ accepted: Bool) async {
        calls.append(.confirmPlan(accepted))
        guard accepted else { return finish(.failed("declined")) }
        for update in afterConfirm { continuation?.yield(update) }
    }

    func finishShellStep(_ ran: Bool) async {
        calls.append(.finishShellStep(ran))
        if !ran { finish(.suspended) }
    }

    func leaveWait() async {
        calls.append(.leaveWait)
        finish(.suspended)
    }

    func cancel() async {
        calls.append(.cancel)
        finish(.failed("cancelled"))
    }

    /// Sends an update of the current run (as if the engine reported it later).
    func send(_ update: WizardUpdate) {
        continuation?.yield(update)
    }

    private func finish(_ outcome: RunOutcome) {
        continuation?.yield(.finished(outcome))
        continuation?.finish()
        continuation = nil
    }
}

/// Records what the session drew and copied.
@MainActor
final class RecordingOutput: WizardOutput {
    private(set) var frames: [Canvas] = []
    private(set) var copied: [String] = []

    func draw(_ canvas: Canvas) { frames.append(canvas) }
    func copyToClipboard(_ text: String) { copied.append(text) }

    var lastText: String { frames.last?.plainText ?? "" }
}
