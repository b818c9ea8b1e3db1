import Foundation
import MailscopeCore
import MailscopeEngine
import Testing

@testable import MailscopeTUI

/// Issue 14, part 1, in the wizard: "the vendor gives me an app ID" asks for the vendor app's ID
/// (and no longer for an app name), and maps to `service_account.app_id` both ways.
@Suite("The vendor's app in the wizard")
struct VendorAppQuestionTests {
    static let vendorAppID = "7a0c3e5b-9d41-4f6e-b2a8-3c5d1e9f0b72"

    @Test func choosingTheVendorsAppAsksForItsIDInsteadOfAName() {
        var model = Fixture.formModel(page: .tenant)
        #expect(model.form.displayedFields(on: .tenant).prefix(3) == [.target, .preset, .connection])
        #expect(model.form.displayedFields(on: .account).first == .serviceAccountName)
        model.form.focus = .connection
        model.press(.right)
        #expect(model.form.connection == .vendorApp)
        #expect(model.form.displayedFields(on: .account).first == .vendorAppID)
        #expect(model.form.error(for: .vendorAppID)?.field == "service_account.app_id", "an empty ID is not an answer")
        model.form.focus = .vendorAppID
        model.type("not-a-guid")
        #expect(model.form.error(for: .vendorAppID)?.message.contains("is not a GUID") == true)
        model.form.inputs[.vendorAppID] = TextInput(Self.vendorAppID)
        #expect(model.form.error(for: .vendorAppID) == nil)
        let config = model.form.answers.setupConfig()
        #expect(config.vendorAppID == Self.vendorAppID)
        #expect(config.validationErrors().isEmpty, "\(config.validationErrors())")
        // Back to an app mailscope makes: the ID is no longer an answer.
        model.form.page = .tenant
        model.form.focus = .connection
        model.press(.right)
        #expect(model.form.answers.setupConfig().vendorAppID == nil)
    }

    @Test func aConfigWithAVendorAppOpensOnThatChoiceAndExchangeServerNeverSendsIt() {
        var config = SetupConfig(preset: Preset.named("ioffice")!, tenant: "contoso.onmicrosoft.com")
        config.vendorAppID = Self.vendorAppID
        let form = FormState(answers: WizardAnswers(config: config))
        #expect(form.connection == .vendorApp)
        #expect(form.text(.vendorAppID) == Self.vendorAppID)
        #expect(form.choiceTitle(.connection) == "the vendor gives me an app ID")
        var server = form
        server.target = .exchangeServer
        #expect(!server.isApplicable(.vendorAppID))
        #expect(server.answers.setupConfig().vendorAppID == nil)
    }
}
