import Foundation
import MailscopeEngine
import Testing

@testable import MailscopeTUI

@Suite("Exchange Server target: Exchange Management Shell steps")
struct ShellStepTests {
    @Test func aStepTakesTheScreenAndEnterConfirmsIt() {
        var model = ServerFixture.roleStepModel()
        #expect(model.screen == .shellStep)
        #expect(model.run?.shellStep == PendingShellStep(step: ServerFixture.assignImpersonation, number: 1))
        #expect(model.run?.shellStep?.state.label == "waiting for you")
        #expect(model.press(.character("c")) == [.copyToClipboard(ServerFixture.assignImpersonation.command)])
        #expect(model.notice?.text.contains("3 lines") == true)
        #expect(model.press(.enter) == [.finishShellStep(true)])
        #expect(model.screen == .run)
        #expect(model.run?.shellStep == nil)
        #expect(model.notice?.text.hasPrefix("Confirmed") == true)
        #expect(model.press(.enter).isEmpty)  // answered once only
        _ = update(&model, .backend(.shellStep(ServerFixture.createGroup)))
        #expect(model.run?.shellStep?.number == 2)
        #expect(model.shellScroll == 0)
    }

    @Test func stoppingHereSavesTheRunForLater() {
        var model = ServerFixture.roleStepModel()
        #expect(model.press(.character("s")) == [.finishShellStep(false)])
        #expect(model.run?.shellStep?.state == .stopping)
        #expect(model.screen == .shellStep)
        #expect(model.press(.enter).isEmpty)
        #expect(model.press(.character("s")).isEmpty)
        #expect(update(&model, .backend(.finished(.suspended))) == [.refreshSavedRun])
        #expect(model.screen == .start)
        #expect(model.run?.shellStep == nil)
        #expect(model.notice?.text.contains("Stopped before \"Assign ApplicationImpersonation") == true)
        #expect(model.notice?.text.contains("Resume") == true)
    }

    @Test func aLongCommandScrollsWithinBounds() {
        var model = ServerFixture.roleStepModel()
        let count = ShellStepView.commandLines(model).count
        let visible = ShellStepView.visibleCommandLines(model)
        #expect(count > visible)  // the role step does not fit at 80x24: it scrolls, it is not cut
        model.press(.up)
        #expect(model.shellScroll == 0)
        for _ in 0..<50 { model.press(.down) }
        #expect(model.shellScroll == count - visible)
        model.press(.pageUp)
        #expect(model.shellScroll == max(0, count - visible - (visible - 1)))
        // Every character of the command is on some line (wrapping drops only the break's space).
        let shown = ShellStepView.commandLines(model).map { $0.map(\.text).joined() }.joined()
        let squeezed = { (text: String) in text.filter { !$0.isWhitespace } }
        #expect(squeezed(shown) == squeezed(ServerFixture.assignImpersonation.command))
        model.send([.resize(TerminalSize(columns: 160, rows: 50))])
        #expect(model.shellScroll == ShellStepView.maxScroll(model))
    }

    @Test func escAsksToStopTheRunAndQuitCancels() {
        var model = ServerFixture.roleStepModel()
        #expect(model.press(.escape).isEmpty)
        #expect(model.overlay == .confirm(.stopRun))
        #expect(model.press(.character("n")).isEmpty)
        #expect(model.screen == .shellStep)
        model.press(.character("q"))
        #expect(model.overlay == .confirm(.quit))
        #expect(model.press(.character("y")) == [.cancelRun])
        #expect(update(&model, .backend(.finished(.failed("cancelled")))) == [.quit(0)])
    }

    @Test func aStepAfterTheRunEndedIsIgnored() {
        var model = ServerFixture.runModel(ServerFixture.setupUpdates + [.finished(.failed("EWS at mail.contoso.com: 503"))])
        _ = update(&model, .backend(.shellStep(ServerFixture.createMailbox)))
        #expect(model.screen == .run)
        #expect(model.run?.shellStep == nil)
    }

    @Test func theServerSignedInToIsCheckedAgainstTheEWSURL() {
        let model = ServerFixture.runModel(ServerFixture.setupUpdates, confirm: false)
        #expect(model.run?.tenantMatch == .matches)
        #expect(model.screen == .plan)
        var other = ServerFixture.answers
        other.ewsURL = "https://exchange.fabrikam.com/EWS/Exchange.asmx"
        var mismatch = ServerFixture.formModel(answers: other)
        _ = mismatch.beginRun(.setup, answers: other)
        mismatch.send(ServerFixture.setupUpdates.map { .backend($0) })
        #expect(mismatch.run?.tenantMatch == .mismatch)
        #expect(mismatch.press(.character("y")).isEmpty)
    }

    @Test func theKeysSayWhatTheyDoOnTheStepScreen() {
        let model = ServerFixture.roleStepModel()
        let hints = KeyMap.bindings(for: model).compactMap(\.hint)
        #expect(hints.starts(with: ["I ran it", "copy", "stop here", "scroll"]))
        var stopping = model
        stopping.press(.character("s"))
        #expect(!KeyMap.bindings(for: stopping).contains { $0.action == .ranShellStep || $0.action == .stopAtShellStep })
    }
}
