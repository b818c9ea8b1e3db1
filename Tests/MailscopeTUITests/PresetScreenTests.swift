import Foundation
import MailscopeEngine
import Testing

@testable import MailscopeTUI

/// Issue 16: the start screen shows the highlighted preset's rows of the preset table; the hand-off
/// leads with the vendor form's fields; a preset with no path on the target is named on the form.
@Suite("the preset table and the vendor's form in the wizard")
struct PresetScreenTests {
    private let verified = Fixture.setupUpdates + Fixture.applyUpdates + Fixture.verifyUpdates

    @Test func theStartScreenShowsTheHighlightedPresetsTable() throws {
        var model = Fixture.launchedModel()
        let workable = render(model, size: model.size, theme: .color).plainText
        #expect(workable.contains("Workable: its guide today"))
        #expect(workable.contains("✖ no longer possible"))
        #expect(workable.contains("Exchange Server: the alternate configuration"))
        model.press(.down, .down)  // iOFFICE
        assertScreen(model, named: "start-ioffice")
        model.press(.down, .down)  // Workato
        assertScreen(model, named: "start-workato")
        assertScreen(model, size: TerminalSize(columns: 120, rows: 40), named: "start-workato-120x40")
        assertScreen(model, theme: .ascii, named: "start-workato-ascii")
        // Every method of the highlighted preset is on the screen with both verdicts.
        let text = render(model, size: model.size, theme: .color).plainText
        for method in PresetConnections.of("workato").methods {
            #expect(text.contains(String(method.name.prefix(30))), "\(method.name)")
        }
        #expect(text.contains("Exchange Server: nothing"))
        model.press(.down, .down)  // Re-check: no table
        #expect(!render(model, size: model.size, theme: .color).plainText.contains("its guide today"))
    }

    /// With room for it (120x40), every how and why of the table is whole: wrapped, never cut.
    @Test func withRoomTheTablesProseIsWrappedNotCut() {
        var model = Fixture.launchedModel()
        let size = TerminalSize(columns: 120, rows: 40)
        for _ in 0..<5 {
            let text = render(model, size: size, theme: .color).plainText
            let table = text.components(separatedBy: "its guide today").dropFirst().joined()
            #expect(!table.contains("…"), "cut at 120x40: \(table)")
            model.press(.down)
        }
    }

    @Test func theHandOffLeadsWithTheVendorsFormInItsOrder() {
        var answers = Fixture.answers
        answers.presetID = "workato"
        var model = Fixture.runModel(verified)
        model.run?.answers = answers
        model.run?.handOff = PresetConnections.arrangedHandOff(Fixture.engineHandOff, config: answers.setupConfig())
        assertScreen(model, named: "hand-off-workato")
        let text = render(model, size: model.size, theme: .color).plainText
        #expect(text.contains("Workato's form asks for these, in its order:"))
        let rows = text.components(separatedBy: "\n")
        let order = ["Tenant ID/Domain", "User ID", "Client ID", "Client secret", "Enter them in", "mailscope's other values:"]
        let positions = order.compactMap { label in rows.firstIndex { $0.contains(label) } }
        #expect(positions.count == order.count && positions == positions.sorted(), "\(text)")
    }

    @Test func aPresetWithNoPathOnTheTargetIsNamedOnTheForm() {
        var answers = ServerFixture.answers
        answers.presetID = "workato"
        let model = ServerFixture.formModel(answers: answers)
        let error = model.form.error(for: .preset)
        #expect(error?.message.contains("Microsoft Graph") == true)
        #expect(error?.message.contains("exchange-online") == true)
        #expect(model.form.firstInvalidField(through: .tenant) == .preset)
        answers.presetID = "workable"
        #expect(ServerFixture.formModel(answers: answers).form.error(for: .preset) == nil)
    }
}
