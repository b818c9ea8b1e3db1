import Foundation
import MailscopeEngine
import SnapshotTesting
import Testing

@testable import MailscopeTUI

/// Every screen rendered to text at 80x24, plus small/large sizes and the mono/ASCII themes.
/// Record with `SNAPSHOT_TESTING_RECORD=all swift test --filter MailscopeTUITests`.
@Suite("Screen snapshots")
struct ScreenSnapshotTests {
    private let waiting = Fixture.setupUpdates + Fixture.applyUpdates
    private let verified = Fixture.setupUpdates + Fixture.applyUpdates + Fixture.verifyUpdates

    @Test func startScreens() {
        assertScreen(Fixture.launchedModel(), named: "start")
        let saved = SavedRunSummary(answers: Fixture.answers, wait: Fixture.wait)
        assertScreen(Fixture.launchedModel(savedRun: saved), named: "start-resume")
        assertScreen(Fixture.launchedModel(), size: TerminalSize(columns: 60, rows: 20), named: "too-small-60x20")
        assertScreen(Fixture.launchedModel(), theme: .ascii, named: "start-ascii")
    }

    /// Issue 12: below 80x24, down to 40x12, the stage, the device code and its address in full,
    /// the wait's elapsed time and next poll, and the keys; below that, the code and address alone.
    @Test func compactScreens() {
        let small = TerminalSize(columns: 40, rows: 12)
        let tiny = TerminalSize(columns: 30, rows: 8)
        let code = Fixture.runModel([.engine(.deviceCode(Fixture.deviceCode))])
        assertScreen(code, size: small, named: "sign-in-40x12")
        assertScreen(code, size: tiny, named: "sign-in-30x8")
        let waiting = Fixture.runModel(waiting)
        assertScreen(waiting, size: small, named: "run-waiting-40x12")
        assertScreen(waiting, size: tiny, named: "run-waiting-30x8")
        var quitting = waiting
        quitting.press(.character("q"))
        assertScreen(quitting, size: small, named: "confirm-quit-40x12")
        assertScreen(Fixture.launchedModel(), size: small, named: "start-40x12")
    }

    @Test func formScreens() {
        assertScreen(Fixture.formModel(), named: "form-tenant")
        var invalid = Fixture.formModel()
        invalid.press(.control("u"))
        invalid.type("contoso..com")
        assertScreen(invalid, named: "form-tenant-invalid")
        assertScreen(Fixture.formModel(page: .account), named: "form-account")
        var rooms = Fixture.formModel(page: .account)
        rooms.form.focus = .scopeKind
        rooms.press(.right)
        assertScreen(rooms, named: "form-account-rooms")
        assertScreen(Fixture.formModel(page: .scope), named: "form-scope")
        var help = Fixture.formModel()
        help.press(.function(1))
        assertScreen(help, named: "form-field-help")
        var secret = Fixture.formModel()
        secret.form.focus = .signIn
        secret.press(.right, .enter)
        assertScreen(secret, named: "form-tenant-client-secret")
        var certificate = Fixture.formModel()
        certificate.form.focus = .signIn
        certificate.press(.right, .right, .enter)
        assertScreen(certificate, named: "form-tenant-certificate")
    }

    /// The members editor (issue 12): one entry a line with numbers, a mark on a repeated and on
    /// an invalid line, the count and the scroll position, and the problem of the cursor's line.
    @Test func memberEditorScreens() {
        var model = Fixture.formModel(page: .account)
        model.form.focus = .members
        model.press(.control("u"))
        _ = update(
            &model,
            .paste("avery.adams@contoso.com\nbob@\nAVERY.ADAMS@contoso.com, carol@contoso.com; dan@contoso.com eve@contoso.com\n")
        )
        model.press(.pageUp, .down)
        assertScreen(model, named: "member-editor")
        var many = Fixture.formModel(page: .account)
        many.form.focus = .members
        many.press(.control("u"))
        _ = update(&many, .paste((1...1000).map { "user\($0)@contoso.com" }.joined(separator: "\n")))
        assertScreen(many, named: "member-editor-1000")
        assertScreen(many, size: TerminalSize(columns: 120, rows: 40), named: "member-editor-1000-120x40")
    }

    @Test func signInScreens() {
        assertScreen(Fixture.runModel([]), named: "sign-in-requesting")
        let code = Fixture.runModel([.engine(.deviceCode(Fixture.deviceCode))])
        assertScreen(code, named: "sign-in-device-code")
        assertScreen(code, theme: .ascii, named: "sign-in-device-code-ascii")
    }

    @Test func planScreens() {
        assertScreen(Fixture.runModel(Fixture.setupUpdates, confirm: false), named: "plan")
        assertScreen(
            Fixture.runModel(Fixture.setupUpdates, confirm: false),
            size: TerminalSize(columns: 120, rows: 40),
            named: "plan-120x40"
        )
        var mismatch = Fixture.answers
        mismatch.tenant = "11111111-2222-3333-4444-555555555555"
        var model = Fixture.formModel(answers: mismatch)
        _ = model.beginRun(.setup, answers: mismatch)
        model.send(Fixture.setupUpdates.map { .backend($0) })
        assertScreen(model, named: "plan-tenant-mismatch")
    }

    @Test func runScreens() {
        let applying = Fixture.runModel(
            Fixture.setupUpdates + [
                .engine(.stage(Fixture.appliedReports[0])),
                .engine(
                    .stage(StageReport(stage: .distributionGroup, status: .applying, detail: "creating WorkableUsers"))
                ),
            ]
        )
        assertScreen(applying, named: "run-applying")
        assertScreen(Fixture.runModel(waiting), named: "run-waiting")
        assertScreen(Fixture.runModel(waiting), size: TerminalSize(columns: 120, rows: 40), named: "run-waiting-120x40")
        assertScreen(Fixture.runModel(waiting), theme: .ascii, named: "run-waiting-ascii")
        var log = Fixture.runModel(waiting)
        log.press(.character("l"))
        assertScreen(log, named: "run-log")
        var help = Fixture.runModel(waiting)
        help.press(.character("?"))
        assertScreen(help, named: "run-help")
    }

    @Test func monoScreensNeverRelyOnColour() {
        let model = Fixture.runModel(waiting)
        let canvas = render(model, size: model.size, theme: .mono)
        let mask = canvas.attributeMask(.mono)
        #expect(!mask.contains("c"))
        assertSnapshot(of: canvas.plainText + "\n---\n" + mask, as: .lines, named: "run-waiting-mono")
    }

    @Test func confirmationScreens() {
        var quit = Fixture.runModel(waiting)
        quit.press(.character("q"))
        assertScreen(quit, named: "confirm-quit-during-wait")
        var leave = Fixture.runModel(waiting)
        leave.press(.character("w"))
        assertScreen(leave, named: "confirm-leave-wait")
    }

    @Test func endScreens() {
        assertScreen(Fixture.runModel(verified), named: "hand-off")
        var hidden = Fixture.runModel(verified)
        hidden.press(.enter)
        hidden.press(.down, .down, .down, .down, .down, .down)
        assertScreen(hidden, named: "hand-off-secret-hidden-scrolled")
        var recheck = Fixture.formModel()
        recheck.formMode = .recheck
        _ = recheck.beginRun(.recheck, answers: Fixture.answers)
        recheck.send(Fixture.recheckUpdates.map { .backend($0) })
        assertScreen(recheck, named: "recheck-drift")
        var failed = Fixture.runModel(Fixture.setupUpdates)
        failed.send([
            .backend(
                .engine(
                    .stage(
                        StageReport(
                            stage: .serviceAccount,
                            status: .failed,
                            detail: "403 Authorization_RequestDenied",
                            fix: "sign in as a Global Administrator or Privileged Role Administrator, then run again"
                        )
                    )
                )
            ),
            .backend(.finished(.failed("Service account: 403 Authorization_RequestDenied"))),
        ])
        assertScreen(failed, named: "run-failed")
    }

    /// Item 14: one elapsed clock on the wait (in the panel's Elapsed line only), and an in-scope
    /// mailbox still denied during the window is "not yet" (waiting), not a red failure; an
    /// out-of-scope mailbox that answers stays red.
    @Test func theWaitSpeaksOneClockAndNotYetIsWaiting() throws {
        let model = Fixture.runModel(waiting)
        for size in [model.size, TerminalSize(columns: 40, rows: 12)] {
            let canvas = render(model, size: size, theme: .color)
            let text = canvas.plainText
            #expect(!text.contains(" min of "), "\(text)")
            #expect(!text.contains("waiting 12 min"), "\(text)")
            #expect(!text.contains("denied "), "\(text)")
        }
        let canvas = render(model, size: model.size, theme: .color)
        let lines = canvas.plainText.components(separatedBy: "\n")
        #expect(lines.contains { $0.contains("Elapsed 12:03") })
        // The elapsed clock shows once: the stage row says "waiting", the bar shows its span.
        #expect(canvas.plainText.components(separatedBy: "12:03").count == 2)
        #expect(lines.contains { $0.contains("] up to 2 h") })
        let row = try #require(lines.firstIndex { $0.contains("effective") })
        let line = lines[row]
        let notYet = try #require(line.range(of: "in-scope: not yet"))
        let column = line.distance(from: line.startIndex, to: notYet.upperBound) - 1
        #expect(canvas[row: row, column: column].role == .warning)
        #expect(line.contains("◷ in-scope: not yet"))
        #expect(!canvas.styleMask.components(separatedBy: "\n")[row].contains("r"))

        // Exposure stays a failure.
        var exposed = Fixture.wait
        exposed.lastPoll?.outOfScopeDenied = false
        var leaking = model
        leaking.run?.wait = exposed
        let leak = render(leaking, size: leaking.size, theme: .color)
        let leakLines = leak.plainText.components(separatedBy: "\n")
        let leakRow = try #require(leakLines.firstIndex { $0.contains("effective") })
        #expect(leakLines[leakRow].contains("✖ out-of-scope: ALLOWED"))
        #expect(leak.styleMask.components(separatedBy: "\n")[leakRow].contains("r"))
    }

    /// Item 16: on exit after the hand-off, the values (never the secret) and the re-check command
    /// stay on the normal screen, one whole value a line; the hand-off never breaks a token.
    @Test func theHandOffLeavesItsValuesWholeAndNeverBreaksAToken() throws {
        var model = Fixture.runModel(verified)
        let secret = try #require(model.run?.handOff.first { $0.isSecret }?.value)
        for size in [model.size, TerminalSize(columns: 120, rows: 40)] {
            let canvas = render(model, size: size, theme: .color)
            // Whole on a row, or cut only at the screen's edge: the rows joined give it back.
            let rows = (0..<size.rows).map { canvas.line($0) }.joined()
            for item in model.run?.handOff ?? [] where !item.value.contains(" ") {
                #expect(rows.contains(item.value), "\(item.label) is broken on screen:\n\(canvas.plainText)")
            }
        }
        let wide = render(model, size: TerminalSize(columns: 120, rows: 40), theme: .color).plainText
        let endpoint = try #require(model.run?.handOff.first { $0.label == "Token endpoint" }?.value)
        #expect(wide.contains(endpoint))
        model.press(.enter)  // hides the secret
        let lines = exitTranscript(model)
        let joined = lines.joined(separator: "\n")
        #expect(!joined.contains(secret))
        #expect(!joined.contains(String(secret.prefix(8))))
        for item in model.run?.handOff ?? [] where !item.isSecret {
            #expect(lines.contains { $0.hasPrefix("  " + item.label + ":") && $0.hasSuffix(item.value) }, "\(item.label)")
        }
        #expect(joined.contains("Re-check it later"))
        #expect(joined.contains("mailscope"))
        var left = Fixture.runModel(waiting)
        _ = update(&left, .backend(.finished(.suspended)))
        let resume = exitTranscript(left)
        #expect(resume.last == "  mailscope")
        #expect(exitTranscript(Fixture.runModel(waiting)).isEmpty)
    }

    @Test func styleMaskOfTheWaitScreen() {
        let model = Fixture.runModel(waiting)
        assertSnapshot(
            of: render(model, size: model.size, theme: .color).styleMask,
            as: .lines,
            named: "run-waiting-roles"
        )
    }
}
