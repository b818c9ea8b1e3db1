import Foundation
import Testing

@testable import MailscopeTUI

@Suite("Key bindings, footer and help")
struct KeyMapTests {
    private var models: [(String, WizardModel)] {
        let waiting = Fixture.setupUpdates + Fixture.applyUpdates
        var log = Fixture.runModel(waiting)
        log.press(.character("l"))
        var confirm = Fixture.runModel(waiting)
        confirm.press(.character("q"))
        var choice = Fixture.formModel()
        choice.form.focus = .preset
        var stopping = ServerFixture.roleStepModel()
        stopping.press(.character("s"))
        return [
            ("start", Fixture.launchedModel()), ("form text", Fixture.formModel()), ("form choice", choice),
            ("sign-in", Fixture.runModel([.engine(.deviceCode(Fixture.deviceCode))])),
            ("plan", Fixture.runModel(Fixture.setupUpdates, confirm: false)), ("run", Fixture.runModel(waiting)),
            ("hand-off", Fixture.runModel(waiting + Fixture.verifyUpdates)), ("log", log), ("confirm", confirm),
            ("shell step", ServerFixture.roleStepModel()), ("shell step stopping", stopping),
            ("server form", ServerFixture.formModel(page: .serviceAccount)),
        ]
    }

    @Test func everyBindingExplainsItselfAndNoKeyIsBoundTwice() {
        for (name, model) in models {
            let bindings = KeyMap.bindings(for: model)
            #expect(!bindings.isEmpty, "\(name)")
            var keys = Set<Key>()
            for binding in bindings {
                #expect(!binding.help.isEmpty, "\(name): \(binding.label)")
                for key in binding.keys {
                    #expect(keys.insert(key).inserted, "\(name): \(key) bound twice")
                }
            }
        }
    }

    @Test func theHelpOverlayListsEveryBindingOfTheScreenBelow() {
        for (name, model) in models where model.overlay == nil {
            var withHelp = model
            withHelp.overlay = .help(field: nil)
            withHelp.size = TerminalSize(columns: 120, rows: 60)
            let text = render(withHelp, size: withHelp.size, theme: .color).plainText
            for binding in KeyMap.bindings(for: model) {
                let firstWords = binding.help.split(separator: " ").prefix(3).joined(separator: " ")
                #expect(text.contains(firstWords), "\(name): help lacks '\(binding.help)'")
            }
        }
    }

    @Test func theFooterFitsAt80ColumnsAndEndsWithHelpAndQuit() {
        for (name, model) in models {
            let canvas = render(model, size: model.size, theme: .color)
            let footer = canvas.line(canvas.size.rows - 1)
            #expect(footer.trimmingCharacters(in: .whitespaces).count > 5, "\(name)")
            if model.overlay == nil && !KeyMap.isEditingText(model) {
                #expect(footer.contains("q quit"), "\(name): \(footer)")
            }
        }
    }

    @Test func textFieldsTakeLettersThatAreKeysElsewhere() {
        let model = Fixture.formModel()
        #expect(KeyMap.isEditingText(model))
        #expect(KeyMap.binding(for: .character("q"), in: model) == nil)
        #expect(KeyMap.binding(for: .character("l"), in: model) == nil)
        #expect(KeyMap.binding(for: .function(1), in: model)?.action == .help)
    }
}
