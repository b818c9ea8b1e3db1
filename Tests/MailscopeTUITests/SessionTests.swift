import Foundation
import MailscopeEngine
import Testing

@testable import MailscopeTUI

/// The session performs effects against the backend: these tests check the mapping
/// (startRun → start, confirmPlan → confirmPlan, leaveWait → leaveWait, cancelRun → cancel,
/// refreshSavedRun → savedRun, copy → the output, quit → the exit code).
@MainActor
@Suite("Session: effects reach the backend")
struct SessionTests {
    private func makeSession(
        _ backend: ScriptedBackend,
        answers: WizardAnswers = Fixture.answers
    ) -> (
        WizardSession, RecordingOutput
    ) {
        let output = RecordingOutput()
        let model = WizardModel(
            now: Fixture.start,
            size: Fixture.standard,
            answers: answers,
            environmentLabel: "TEST",
            timeZone: Fixture.utc
        )
        return (WizardSession(model: model, theme: .color, backend: backend, output: output), output)
    }

    /// Processes queued messages until `condition` holds (backend updates arrive asynchronously).
    /// A watchdog ends the message stream after 5 s so a broken test fails instead of hanging.
    private func pump(_ session: WizardSession, until condition: (WizardModel) -> Bool) async -> Bool {
        let watchdog = Task { @MainActor in
            try? await Task.sleep(for: .seconds(5))
            if !Task.isCancelled { session.finish() }
        }
        defer { watchdog.cancel() }
        var iterator = session.queue.makeAsyncIterator()
        for _ in 0..<500 {
            if condition(session.model) { return true }
            guard let item = await iterator.next() else { return false }
            if let message = session.accept(item) { await session.process(message) }
        }
        return condition(session.model)
    }

    /// Presses Enter through the form's fields and pages until the run starts.
    private func walkForm(_ session: WizardSession) async {
        let runs = session.model.run
        for _ in 0..<15 where session.model.run == runs {
            await session.process(.key(.enter))
        }
    }

    @Test func aFullRunThroughTheSession() async {
        let backend = ScriptedBackend(
            beforePlan: Fixture.setupUpdates,
            afterConfirm: Fixture.applyUpdates + Fixture.verifyUpdates + []
        )
        let (session, output) = makeSession(backend)
        await session.process(.launched(savedRun: await backend.savedRun()))
        await session.process(.key(.enter))  // Workable
        await walkForm(session)
        #expect(session.model.run?.mode == .setup)
        #expect(await pump(session) { $0.screen == .plan })
        await session.process(.key(.character("c")))  // nothing to copy on the plan
        await session.process(.key(.character("y")))
        #expect(await pump(session) { $0.screen == .handOff })
        await session.process(.key(.down))
        await session.process(.key(.down))
        await session.process(.key(.character("c")))
        #expect(output.copied == ["Xq7~h2KpV9mR4tLw8ZcN1bFgYs6JdQe3Ua0oTi"])
        await session.process(.key(.enter))  // hides the secret
        let code = await session.process(.key(.enter))
        #expect(code == 0)
        #expect(!output.lastText.contains("Xq7~h2K"))
        let calls = await backend.calls
        #expect(calls == [.savedRun, .start(.setup, Fixture.answers), .confirmPlan(true)])
    }

    @Test func quittingDuringTheWaitLeavesItAndEndsWithCodeZero() async {
        let backend = ScriptedBackend(beforePlan: Fixture.setupUpdates, afterConfirm: Fixture.applyUpdates)
        let (session, _) = makeSession(backend)
        await session.process(.launched(savedRun: nil))
        await session.process(.key(.enter))
        await walkForm(session)
        #expect(await pump(session) { $0.screen == .plan })
        await session.process(.key(.character("y")))
        #expect(await pump(session) { $0.run?.isWaiting == true })
        await session.process(.key(.character("q")))
        #expect(await session.process(.key(.character("y"))) == nil)
        // The backend ends the run with .suspended; that update quits.
        var iterator = session.queue.makeAsyncIterator()
        var code: Int32?
        while code == nil, let item = await iterator.next() {
            if let message = session.accept(item) { code = await session.process(message) }
        }
        #expect(code == 0)
        #expect(await backend.calls.contains(.leaveWait))
    }

    @Test func declineAndCancelReachTheBackend() async {
        let backend = ScriptedBackend(beforePlan: Fixture.setupUpdates, afterConfirm: [])
        let (session, _) = makeSession(backend)
        await session.process(.launched(savedRun: nil))
        await session.process(.key(.enter))
        await walkForm(session)
        #expect(await pump(session) { $0.screen == .plan })
        await session.process(.key(.character("n")))
        #expect(session.model.screen == .form(.scope))
        await walkForm(session)  // runs again
        #expect(await pump(session) { $0.screen == .plan })
        await session.process(.key(.character("q")))
        await session.process(.key(.character("y")))
        let calls = await backend.calls
        #expect(calls.filter { if case .start = $0 { true } else { false } }.count == 2)
        #expect(calls.contains(.confirmPlan(false)))
        #expect(calls.last == .confirmPlan(false))
    }

    @Test func updatesOfAnAbandonedRunAreDropped() async {
        let backend = ScriptedBackend(beforePlan: [.engine(.deviceCode(Fixture.deviceCode))], afterConfirm: [])
        let (session, _) = makeSession(backend)
        await session.process(.launched(savedRun: nil))
        await session.process(.key(.enter))
        await walkForm(session)
        #expect(await pump(session) { $0.run?.deviceCode != nil })
        await session.process(.key(.escape))  // stop signing in: cancel
        #expect(await backend.calls.last == .cancel)
        await walkForm(session)  // start again
        #expect(await pump(session) { $0.run?.deviceCode != nil })
        #expect(session.model.run?.phase == .running)  // the first run's .finished did not end this one
    }

    @Test func savingBeforeExitLeavesTheWait() async {
        let backend = ScriptedBackend(beforePlan: Fixture.setupUpdates, afterConfirm: Fixture.applyUpdates)
        let (session, _) = makeSession(backend)
        await session.process(.launched(savedRun: nil))
        await session.process(.key(.enter))
        await walkForm(session)
        #expect(await pump(session) { $0.screen == .plan })
        await session.process(.key(.character("y")))
        #expect(await pump(session) { $0.run?.isWaiting == true })
        await session.saveBeforeExit(timeout: .seconds(2))
        #expect(await backend.calls.last == .leaveWait)
    }

    @Test func theSavedRunIsReadAgainAfterLeavingTheWait() async {
        let saved = SavedRunSummary(answers: Fixture.answers, wait: Fixture.wait)
        let backend = ScriptedBackend(saved: saved, beforePlan: Fixture.setupUpdates, afterConfirm: [])
        let (session, _) = makeSession(backend)
        await session.process(.launched(savedRun: nil))
        _ = await session.process(.backend(.finished(.suspended)))  // no run: ignored
        var model = session.model
        model.run = RunState(mode: .setup, answers: Fixture.answers, startedAt: Fixture.start)
        #expect(update(&model, .backend(.finished(.suspended))) == [.refreshSavedRun])
    }

    @Test func shellStepAnswersReachTheBackend() async {
        let backend = ScriptedBackend(
            beforePlan: ServerFixture.setupUpdates,
            afterConfirm: [.shellStep(ServerFixture.createMailbox)]
        )
        let (session, output) = makeSession(backend, answers: ServerFixture.answers)
        await session.process(.launched(savedRun: nil))
        await session.process(.key(.enter))
        await walkForm(session)
        #expect(await pump(session) { $0.screen == .plan })
        await session.process(.key(.character("y")))
        #expect(await pump(session) { $0.screen == .shellStep })
        await session.process(.key(.character("c")))
        #expect(output.copied == [ServerFixture.createMailbox.command])
        #expect(output.lastText.contains("waiting for you"))
        await session.process(.key(.enter))
        #expect(session.model.screen == .run)
        await backend.send(.shellStep(ServerFixture.assignImpersonation))
        #expect(await pump(session) { $0.run?.shellStep?.number == 2 })
        #expect(output.lastText.contains("2 hours"))
        await session.process(.key(.character("s")))
        #expect(await pump(session) { $0.screen == .start })
        #expect(session.model.notice?.text.contains("Stopped before") == true)
        let calls = await backend.calls
        #expect(
            calls == [
                .start(.setup, ServerFixture.answers), .confirmPlan(true), .finishShellStep(true),
                .finishShellStep(false), .savedRun,
            ]
        )
    }
}
