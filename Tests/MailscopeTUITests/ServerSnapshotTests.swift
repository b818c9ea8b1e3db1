import Foundation
import MailscopeEngine
import SnapshotTesting
import Testing

@testable import MailscopeTUI

/// The Exchange Server (on-premises) screens rendered to text: the target choice, the server form,
/// the preflight, the plan of Exchange Management Shell commands, the step screen (80x24, larger,
/// ASCII), the wait and the hand-off. Record with `SNAPSHOT_TESTING_RECORD=all`.
@Suite("Screen snapshots: Exchange Server")
struct ServerSnapshotTests {
    @Test func targetChoice() {
        var online = Fixture.formModel()
        online.press(.up, .up, .up)
        assertScreen(online, named: "form-target-online")
        var server = online
        server.press(.right)
        assertScreen(server, named: "form-target-server")
        assertScreen(server, theme: .ascii, named: "form-target-server-ascii")
    }

    @Test func serverForm() {
        assertScreen(ServerFixture.formModel(), named: "server-form-ews")
        assertScreen(ServerFixture.formModel(page: .serviceAccount), named: "server-form-service-account")
        assertScreen(ServerFixture.formModel(page: .account), named: "server-form-account")
        var scope = ServerFixture.formModel(page: .scope)
        scope.form.focus = .outOfScopeMailbox
        scope.press(.control("u"))
        scope.type("avery.adams@contoso.com")
        assertScreen(scope, named: "server-form-scope-invalid")
        var help = ServerFixture.formModel()
        help.press(.function(1))
        assertScreen(help, named: "server-form-help")
    }

    @Test func serverPreflightAndPlan() {
        assertScreen(ServerFixture.runModel([]), named: "server-sign-in")
        let plan = ServerFixture.runModel(ServerFixture.setupUpdates, confirm: false)
        assertScreen(plan, named: "server-plan")
        assertScreen(plan, size: TerminalSize(columns: 120, rows: 40), named: "server-plan-120x40")
    }

    /// Item 12: the plan counts the Exchange Management Shell steps the admin runs, the ones the
    /// stages waiting for the service account will bring too ("up to"), and says the wait comes.
    @Test func theServerPlanCountsShellStepsAndSaysTheWaitComes() {
        let plan = ServerFixture.runModel(ServerFixture.setupUpdates, confirm: false)
        var text = render(plan, size: plan.size, theme: .color).plainText
        #expect(text.contains("Plan: 3 Exchange Management Shell steps for you to run"), "\(text)")
        #expect(text.contains("up to 2 hours"), "\(text)")
        #expect(!text.contains("changes in"), "\(text)")

        let refused = ServerFixture.runModel(
            [.signedIn(ServerFixture.server)] + ServerFixture.refusedPlan.dropFirst().map { .engine(.stage($0)) }
                + [.planReady(ServerFixture.refusedPlan)],
            confirm: false
        )
        text = render(refused, size: refused.size, theme: .color).plainText
        #expect(text.contains("Plan: up to 3 Exchange Management Shell steps for you to run"), "\(text)")
        #expect(!text.contains("1 change in 1 stage"), "\(text)")
        #expect(text.contains("up to 2 hours"), "\(text)")
        assertScreen(refused, named: "server-plan-account-refused")
        let wide = render(refused, size: TerminalSize(columns: 120, rows: 40), theme: .color).plainText
        #expect(wide.contains("for you to run, then the propagation wait (up to 2 hours)"), "\(wide)")
    }

    @Test func shellStepScreens() {
        let role = ServerFixture.roleStepModel()
        assertScreen(role, named: "shell-step-role")
        assertScreen(role, theme: .ascii, named: "shell-step-role-ascii")
        assertScreen(role, size: TerminalSize(columns: 120, rows: 40), named: "shell-step-role-120x40")
        var scrolled = role
        for _ in 0..<20 { scrolled.press(.down) }
        assertScreen(scrolled, named: "shell-step-role-scrolled")
        var stopping = role
        stopping.press(.character("s"))
        assertScreen(stopping, named: "shell-step-stopping")
        let mailbox = ServerFixture.runModel(ServerFixture.setupUpdates + [.shellStep(ServerFixture.createMailbox)])
        assertScreen(mailbox, named: "shell-step-create-mailbox")
        let model = ServerFixture.roleStepModel()
        let canvas = render(model, size: model.size, theme: .mono)
        let mask = canvas.attributeMask(.mono)
        #expect(!mask.contains("c"))
        assertSnapshot(of: canvas.plainText + "\n---\n" + mask, as: .lines, named: "shell-step-role-mono")
    }

    @Test func serverWaitAndHandOff() {
        let waiting = ServerFixture.runModel(ServerFixture.setupUpdates + ServerFixture.waitUpdates)
        assertScreen(waiting, named: "server-run-waiting")
        let verified = ServerFixture.runModel(
            ServerFixture.setupUpdates + ServerFixture.waitUpdates + ServerFixture.verifyUpdates
        )
        assertScreen(verified, named: "server-hand-off")
    }
}
