import Foundation
import MailscopeCore
import MailscopeEngine
import SnapshotTesting
import Testing

@testable import MailscopeTUI

/// Issue 12's cosmetic list and item 16's token rule, on the rendered grid: cut text ends in an
/// ellipsis, popups clear their box and its edges, one footer, counters agree with their number,
/// sentences join with one full stop, a step's notice goes when the run moves on, PowerShell and
/// values are never broken inside a token.
@Suite("Issue 12: what a real admin sees")
struct CosmeticTests {
    private let waiting = Fixture.setupUpdates + Fixture.applyUpdates
    private let verified = Fixture.setupUpdates + Fixture.applyUpdates + Fixture.verifyUpdates

    private func rows(_ canvas: Canvas) -> [String] { canvas.plainText.components(separatedBy: "\n") }

    /// The screen's rows joined with single spaces, indentation dropped: what wrapped prose reads as.
    private func prose(_ canvas: Canvas) -> String {
        rows(canvas).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    // MARK: One rule: text that does not fit ends in an ellipsis

    @Test func textThatDoesNotFitEndsInAnEllipsis() {
        var canvas = Canvas(size: TerminalSize(columns: 12, rows: 5))
        canvas.put("out-of-scope access denied", row: 0, column: 0)
        canvas.put("abcdefghijkl", row: 1, column: 2, limit: 5)
        canvas.put("fits        ", row: 2, column: 4)  // only blanks cut: whole
        canvas.put("https://example", row: 3, column: 3, overflow: .clip)  // a token's row: cut bare
        canvas.put("access denied", row: 4, column: 0, limit: 8)
        #expect(rows(canvas) == ["out-of-scop…", "  abcd…", "    fits", "   https://e", "access…"])
        var ascii = Canvas(size: TerminalSize(columns: 10, rows: 1), ellipsis: "...")
        ascii.put("abcdefghijkl", row: 0, column: 0)
        #expect(ascii.plainText == "abcdefg...")
    }

    @Test func aCutStyledLineEndsInTheRoleOfTheSpanItCuts() {
        var canvas = Canvas(size: TerminalSize(columns: 20, rows: 2))
        var painter = Painter(model: Fixture.launchedModel(), theme: .color, canvas: canvas)
        painter.canvas.draw([Span("Fix: ", .failure), Span("check the network and retry")], row: 0, column: 0, limit: 12)
        // Spans that fill the room exactly, then one more: the cut shows on the last cell.
        painter.canvas.draw([Span("12345", .code), Span("678", .dim)], row: 1, column: 0, limit: 5)
        canvas = painter.canvas
        #expect(rows(canvas) == ["Fix: check…", "1234…"])
        #expect(canvas[row: 0, column: 10].role == .normal)
        #expect(canvas[row: 1, column: 4].role == .code)
    }

    /// The demo's sign-in note was cut at 80 columns (`…a few seconds; nothin`): it wraps, and
    /// what has no room ends in the ellipsis.
    @Test func theSignInNoteIsNeverCutBare() throws {
        var model = Fixture.runModel([.engine(.deviceCode(Fixture.deviceCode))])
        model.signInNote = "Simulated tenant: the sign-in completes by itself in a few seconds; nothing needs opening."
        let canvas = render(model, size: model.size, theme: .color)
        let row = try #require(rows(canvas).first { $0.contains("Simulated tenant") })
        #expect(row.hasSuffix("…") || prose(canvas).contains("nothing needs opening."), "\(canvas.plainText)")
        #expect(!row.hasSuffix("nothin"))
        model.signInNote = "Simulated tenant: the sign-in completes by itself; nothing needs opening."
        #expect(render(model, size: model.size, theme: .color).plainText.contains(model.signInNote!))
    }

    /// `out-of-scope access deni`: the verified outcome wraps at 80 columns.
    @Test func theVerifiedOutcomeWraps() {
        var model = Fixture.runModel(verified)
        model.press(.escape)  // the hand-off, back to the stage list
        let canvas = render(model, size: model.size, theme: .color)
        #expect(prose(canvas).contains("in-scope access allowed, out-of-scope access denied."), "\(canvas.plainText)")
        #expect(!rows(canvas).contains { $0.hasSuffix("access deni") })
    }

    /// At 80x24 a bad member line's message has one row: it ends in the ellipsis, never cut bare.
    @Test func aMemberLinesLongProblemEndsInAnEllipsis() throws {
        var model = Fixture.formModel(page: .account)
        model.form.focus = .members
        model.press(.control("u"))
        _ = update(&model, .paste("avery.adams@contoso.com\nbarnaby.bartholomew-beaumont-brightwater@contoso..com\n"))
        model.press(.up)
        let canvas = render(model, size: model.size, theme: .color)
        assertSnapshot(of: canvas.plainText, as: .lines, named: "member-editor-long-problem")
        let row = try #require(rows(canvas).first { $0.contains("Members line 2") })
        #expect(row.hasSuffix("…"), "\(canvas.plainText)")
    }

    // MARK: Popups

    /// A popup clears its whole box and a column on each side: nothing of the screen behind
    /// touches its borders (the stage rows' `…` showed beside the help's right border).
    @Test func popupsClearTheirBoxAndItsEdges() throws {
        var help = Fixture.runModel(waiting)
        help.press(.character("?"))
        var quit = Fixture.runModel(waiting)
        quit.press(.character("q"))
        var field = Fixture.formModel()
        field.press(.function(1))
        for (name, model) in [("help", help), ("quit", quit), ("field help", field)] {
            for size in [Fixture.standard, TerminalSize(columns: 120, rows: 40)] {
                var sized = model
                _ = update(&sized, .resize(size))
                let canvas = render(sized, size: size, theme: .color)
                let lines = (0..<size.rows).map { canvas.line($0) }
                let top = try #require(lines.firstIndex { $0.contains("┌") }, "\(name)")
                let bottom = try #require(lines.firstIndex { $0.contains("└") }, "\(name)")
                let left = lines[top].distance(from: lines[top].startIndex, to: lines[top].firstIndex(of: "┌")!)
                let right = lines[top].distance(from: lines[top].startIndex, to: lines[top].firstIndex(of: "┐")!)
                for row in top...bottom {
                    #expect(canvas[row: row, column: left - 1].text == " ", "\(name) \(size) row \(row)\n\(canvas.plainText)")
                    #expect(canvas[row: row, column: right + 1].text == " ", "\(name) \(size) row \(row)\n\(canvas.plainText)")
                }
            }
        }
    }

    /// The help had two footers (its own "Esc closes" and the screen's), a question too: one only.
    @Test func theHelpHasOneFooter() {
        var run = Fixture.runModel(waiting)
        run.press(.character("?"))
        var form = Fixture.formModel()
        form.press(.function(1))
        for model in [run, form] {
            let text = render(model, size: model.size, theme: .color).plainText
            #expect(text.components(separatedBy: "Esc close").count == 2, "\(text)")
        }
        // So has a question: its keys once, in the footer.
        var quit = Fixture.runModel(waiting)
        quit.press(.character("q"))
        let text = render(quit, size: quit.size, theme: .color).plainText
        #expect(text.components(separatedBy: "yes").count == 2, "\(text)")
    }

    // MARK: Counters

    @Test func countersAgreeWithTheirNumber() {
        #expect(counted(1, "entry", plural: "entries") == "1 entry")
        #expect(counted(2, "entry", plural: "entries") == "2 entries")
        #expect(counted(0, "change") == "0 changes")
        #expect(counted(1, "poll") == "1 poll")
        var one = Fixture.runModel(Fixture.setupUpdates + [.engine(.log(Fixture.logEntries[0]))])
        one.press(.character("l"))
        #expect(render(one, size: one.size, theme: .color).plainText.contains("Log · 1 entry · "))
        var two = Fixture.runModel(Fixture.setupUpdates + Fixture.logEntries.prefix(2).map { .engine(.log($0)) })
        two.press(.character("l"))
        #expect(render(two, size: two.size, theme: .color).plainText.contains("Log · 2 entries · "))
    }

    // MARK: Sentences

    /// `domain.. Fix:`: a message that ends a sentence gets no second full stop where a fix is
    /// appended (the engine's join), and one that does not gets one.
    @Test func sentencesJoinWithOneFullStop() {
        #expect(Prose.sentences("requirement of the domain.", "Fix: use a longer password") ==
            "requirement of the domain. Fix: use a longer password")
        #expect(Prose.sentences("403 Forbidden", "Fix: sign in again") == "403 Forbidden. Fix: sign in again")
        #expect(Prose.sentences("it said \"stop.\"", "Next") == "it said \"stop.\" Next")
        #expect(Prose.sentences("Why?", "", "Because") == "Why? Because")
        // The engine's join (EngineError.description) is this call.
        let description = "Service account: " + Prose.sentences(
            "The password does not meet the length, complexity, or history requirement of the domain.",
            "Fix: write a longer password to the password file"
        )
        #expect(description.contains("domain. Fix: write"))
        var failed = Fixture.runModel(Fixture.setupUpdates)
        failed.send([.backend(.finished(.failed(description)))])
        let text = prose(render(failed, size: failed.size, theme: .color))
        #expect(!text.contains(".."), "\(text)")
    }

    // MARK: A step's notice

    /// "Confirmed: …" stayed on screen to the hand-off: it goes when the run moves on.
    @Test func theConfirmedNoticeGoesWhenTheRunMovesOn() {
        var model = ServerFixture.roleStepModel()
        model.press(.enter)
        #expect(model.notice?.text.hasPrefix("Confirmed") == true)
        let log = LogEntry(at: Fixture.at(1), level: .info, text: "checking over EWS")
        _ = update(&model, .backend(.engine(.log(log))))
        _ = update(&model, .backend(.engine(.stage(StageReport(stage: .impersonationRole, status: .checking, detail: "")))))
        #expect(model.notice?.text.hasPrefix("Confirmed") == true)  // still about this step
        _ = update(&model, .backend(.engine(.stage(StageReport(stage: .impersonationRole, status: .verified, detail: "assigned")))))
        #expect(model.notice == nil)
        #expect(!render(model, size: model.size, theme: .color).plainText.contains("Confirmed"))
        var next = ServerFixture.roleStepModel()
        next.press(.enter)
        _ = update(&next, .backend(.shellStep(ServerFixture.createGroup)))
        #expect(next.notice == nil)
        // Notices about a key stay until the next key.
        var copied = ServerFixture.roleStepModel()
        copied.press(.character("c"))
        _ = update(&copied, .backend(.engine(.stage(StageReport(stage: .serviceAccount, status: .verified, detail: "")))))
        #expect(copied.notice != nil)
    }

    // MARK: OSC 52

    /// The `c` key says that it copied with OSC 52 and when the terminal may ignore it, whole at 80
    /// columns (the caveat first, so a narrow screen cuts the name, not the caveat).
    @Test func aCopySaysWhenTheTerminalMayIgnoreIt() throws {
        var model = ServerFixture.roleStepModel()
        model.clipboardCaveat = "tmux needs `set-clipboard on`"
        model.press(.character("c"))
        let canvas = render(model, size: model.size, theme: .color)
        let row = try #require(rows(canvas).first { $0.contains("OSC 52") })
        #expect(row == " Copied (OSC 52; tmux needs `set-clipboard on`): the command, 3 lines")
        var code = Fixture.runModel([.engine(.deviceCode(Fixture.deviceCode))])
        code.press(.character("c"))
        #expect(code.notice?.text == "Copied (OSC 52; some terminals ignore it): the code")
        var handOff = Fixture.runModel(verified)
        handOff.press(.down)
        handOff.press(.character("c"))
        #expect(handOff.notice?.text == "Copied (OSC 52; some terminals ignore it): Client (application) ID")
    }

    // MARK: Tokens: PowerShell literals and values

    /// PowerShell wraps between tokens only: a quoted literal (`'Application Mail.Send'`,
    /// `"MemberOfGroup -eq '…'"`) is never broken, at any width.
    @Test func powerShellNeverWrapsInsideAQuotedLiteral() {
        let commands =
            Fixture.plan.flatMap { $0.changes.map(\.powershell) }
            + [ServerFixture.assignImpersonation.command, ServerFixture.createMailbox.command, ServerFixture.createGroup.command]
            + ["New-ManagementRoleAssignment -App <spId> -Role 'Application Mail.Send' -CustomResourceScope 'WorkableUsersScope'"]
        for command in commands {
            for width in stride(from: 30, through: 120, by: 3) {
                let rows = commandLines(command, prompt: Span("PS> "), width: width, indent: 4).map { $0.map(\.text).joined() }
                for line in command.split(separator: "\n") {
                    for word in powerShellWords(String(line)) where word.contains(" ") && word.displayWidth <= width - 4 {
                        #expect(rows.contains { $0.contains(word) }, "\(word) broken at \(width):\n\(rows.joined(separator: "\n"))")
                    }
                }
            }
        }
        #expect(powerShellWords("Set-X -Name 'it''s a b' -F \"x `\" y\" 'z'") == ["Set-X", "-Name", "'it''s a b'", "-F", "\"x `\" y\"", "'z'"])
    }

    /// A token wider than the width gets lines of its own: it starts a line, and the next token
    /// starts the next one.
    @Test func aTokenWiderThanTheLineGetsLinesOfItsOwn() {
        let path = "'/srv/mailscope/" + String(repeating: "x", count: 40) + "/svc.password'"
        let rows = commandLines("Get-Content -Path \(path) -Raw", prompt: Span(""), width: 30, indent: 4)
            .map { $0.map(\.text).joined() }
        #expect(rows.first == "Get-Content -Path")
        #expect(rows.last == "    -Raw")
        #expect(rows.dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }.joined() == path)
        let prose = "Password from the file /home/admin/.config/mailscope/svc-booking.password now"
        #expect(prose.wrapped(toColumns: 30) == [
            "Password from the file", "/home/admin/.config/mailscope/", "svc-booking.password", "now",
        ])
    }

    /// Item 16 on the sign-in screen: an address too wide to sit indented gets its own rows from the
    /// left edge, whole (it was cut at the screen's edge).
    @Test func aLongSignInAddressIsShownWhole() {
        var prompt = Fixture.deviceCode
        prompt.verificationURL = "https://login.microsoftonline.us/common/oauth2/deviceauth/verify?tenant=7f3c2a91-5b6e-4d8a"
        let model = Fixture.runModel([.engine(.deviceCode(prompt))])
        let canvas = render(model, size: model.size, theme: .color)
        let joined = (0..<canvas.size.rows).map { canvas.line($0) }.joined()
        #expect(joined.contains(prompt.verificationURL), "\(canvas.plainText)")
    }

    /// Item 16 on the Exchange Server preflight: a password file path too wide to sit beside its
    /// label gets its own row, whole (it was cut at the edge).
    @Test func aLongPasswordPathOnThePreflightIsShownWhole() {
        var answers = ServerFixture.answers
        answers.passwordFile = "/home/admin/.config/mailscope/credentials/exchange-server/svc-booking.password"
        var model = ServerFixture.formModel(answers: answers)
        _ = model.beginRun(.setup, answers: answers)
        let canvas = render(model, size: model.size, theme: .color)
        #expect(canvas.plainText.contains(answers.passwordFile!), "\(canvas.plainText)")
        #expect(canvas.plainText.contains("Password from"))
    }

    /// The demo's wait hint (`mailscope demo` is longer) was cut bare at 80 columns
    /// ("…timer intac"): it fits whole.
    @Test func theLeaveHintFitsWithTheDemosCommand() {
        var model = Fixture.runModel(waiting)
        model.resumeCommand = "mailscope demo"
        let text = render(model, size: model.size, theme: .color).plainText
        #expect(text.contains("w leaves the wait: saved, and `mailscope demo` resumes it with its timer."), "\(text)")
    }
}
