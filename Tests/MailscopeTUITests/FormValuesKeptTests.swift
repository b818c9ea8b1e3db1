import Foundation
import MailscopeCore
import MailscopeEngine
import Testing

@testable import MailscopeTUI

/// Item 15: the header follows the preset chosen in the form, and switching "Password from" (or
/// going back from a run) keeps every value typed.
@Suite("Form values are kept")
struct FormValuesKeptTests {
    @Test func theHeaderFollowsThePresetSwitchedAfterARun() {
        var model = ServerFixture.runModel(ServerFixture.setupUpdates, confirm: false)
        #expect(render(model, size: model.size, theme: .color).line(0).contains("set up · Workable"))
        model.press(.character("n"))  // don't apply: back to the form
        guard case .form = model.screen else {
            Issue.record("expected the form, got \(model.screen)")
            return
        }
        model.form.page = .tenant
        model.screen = .form(.tenant)
        model.form.focus = .preset
        model.press(.right)
        let name = Preset.named(model.form.presetID)?.displayName ?? "?"
        #expect(model.form.presetID != "workable")
        let header = render(model, size: model.size, theme: .color).line(0)
        #expect(header.contains("set up · \(name)"), "\(header)")
        #expect(!header.contains("Workable"), "\(header)")
    }

    @Test func passwordFromFileVariableFileKeepsThePath() {
        var model = ServerFixture.formModel(page: .account)
        let path = ServerFixture.answers.passwordFile
        model.form.focus = .passwordSource
        model.press(.right)
        #expect(model.form.passwordSource == .environmentVariable)
        model.form.focus = .passwordVariable
        model.type("SVC_PASSWORD")
        model.form.focus = .passwordSource
        model.press(.right)
        #expect(model.form.passwordSource == .file)
        #expect(model.form.answers.passwordFile == path)
        #expect(model.form.text(.passwordFile) == path)

        // Through a run and back: the value of the source not chosen is kept too.
        _ = model.beginRun(.setup, answers: model.form.answers)
        _ = update(&model, .backend(.planReady(ServerFixture.plan)))
        model.press(.character("n"))
        #expect(model.form.answers.passwordFile == path)
        model.form.focus = .passwordSource
        model.press(.right)
        #expect(model.form.answers.passwordEnvironmentVariable == "SVC_PASSWORD")
        model.press(.right)
        #expect(model.form.answers.passwordFile == path)
    }
}
