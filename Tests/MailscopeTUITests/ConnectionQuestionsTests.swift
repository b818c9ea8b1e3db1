import Foundation
import MailscopeCore
import MailscopeEngine
import Testing

@testable import MailscopeTUI

/// Issue 14 in the wizard: delegated access, EWS, End Event Early and the licensed mailbox, each a
/// question only where it applies, each mapped to its config key.
@Suite("How the integration connects, in the form")
struct ConnectionQuestionsTests {
    static func form(_ presetID: String, tenant: String = "contoso.onmicrosoft.com") -> FormState {
        FormState(answers: WizardAnswers(preset: Preset.named(presetID)!, tenant: tenant))
    }

    @Test func delegatedAccessIsOfferedWhereTheGuideHasItAndDropsTheScopePage() {
        #expect(!Self.form("workable").connections.contains(.delegatedApp))
        var form = Self.form("workato")
        #expect(form.connections.last == .delegatedApp)
        #expect(form.pages == [.tenant, .account, .scope])
        form.cycleChoice(.connection, by: -1)
        #expect(form.connection == .delegatedApp)
        #expect(form.pages == [.tenant, .account], "no scope applies to delegated access")
        #expect(form.displayedFields(on: .account) == [.serviceAccountName, .redirectURI, .delegatedScopes])
        #expect(form.text(.redirectURI) == "https://www.workato.com/oauth/callback")
        form.cycleChoice(.delegatedScopes, by: 1)
        let config = form.answers.setupConfig()
        #expect(config.access == .delegated)
        #expect(config.delegatedScopes == .minimum)
        #expect(config.redirectURI?.absoluteString == "https://www.workato.com/oauth/callback")
        #expect(config.validationErrors().isEmpty, "\(config.validationErrors())")
        form.inputs[.redirectURI] = TextInput("http://workato.example/callback")
        #expect(form.error(for: .redirectURI)?.field == "service_account.redirect_uri")
        // Another preset without a delegated connection: back to an app mailscope makes.
        form.apply(Preset.named("workable")!)
        #expect(form.connection == .newApp)
        #expect(form.answers.setupConfig().access == .application)
    }

    @Test func theEWSQuestionFollowsThePresetAndMapsToUsesEWS() {
        var form = Self.form("ioffice")
        #expect(form.isApplicable(.usesEWS))
        #expect(form.usesEWS)
        #expect(form.answers.setupConfig().usesEWS)
        form.cycleChoice(.usesEWS, by: 1)
        #expect(!form.answers.setupConfig().usesEWS, "turned off in the form, off in the config")
        #expect(!Self.form("workable").isApplicable(.usesEWS), "Workable's guide uses Graph")
        #expect(Self.form("custom").isApplicable(.usesEWS))
    }

    @Test func endEventEarlyIsAskedForEpturasRoomsScopeOnly() {
        var form = Self.form("ioffice")
        #expect(form.isApplicable(.endEventEarly))
        #expect(!form.answers.setupConfig().endEventEarly)
        form.cycleChoice(.endEventEarly, by: 1)
        #expect(form.choiceTitle(.endEventEarly).contains("warned"))
        let config = form.answers.setupConfig()
        #expect(config.endEventEarly)
        #expect(config.validationErrors().isEmpty, "\(config.validationErrors())")
        form.scopeKind = .group
        #expect(!form.isApplicable(.endEventEarly), "a group scope does not reach the organizers")
        #expect(!form.answers.setupConfig().endEventEarly)
        #expect(!Self.form("workable").isApplicable(.endEventEarly))
    }

    @Test func epturaWithATenantGUIDAsksForTheLicensedMailboxInTheForm() {
        var form = Self.form("eptura", tenant: "4a7c9e21-3b5d-4f68-8e1a-2c6b9d0f7e53")
        #expect(form.isApplicable(.mailboxUser))
        #expect(form.error(for: .mailboxUser)?.field == "service_account.mailbox")
        form.inputs[.mailboxUser] = TextInput("eptura_service@contoso.com")
        #expect(form.error(for: .mailboxUser) == nil)
        #expect(form.answers.setupConfig().mailboxUser == "eptura_service@contoso.com")
        #expect(!Self.form("workable").isApplicable(.mailboxUser))
    }

    @Test func theNewAnswersAreSavedAndReadBackForTheNextRun() throws {
        var answers = WizardAnswers(preset: Preset.named("workato")!, tenant: "contoso.onmicrosoft.com")
        answers.access = .delegated
        answers.redirectURI = "https://www.workato.com/oauth/callback"
        answers.delegatedScopes = .list(["User.Read", "offline_access"])
        answers.usesEWS = false
        answers.endEventEarly = true
        answers.mailboxUser = "svc@contoso.onmicrosoft.com"
        answers.vendorAppID = "7a0c3e5b-9d41-4f6e-b2a8-3c5d1e9f0b72"
        let decoded = try JSONDecoder().decode(WizardAnswers.self, from: try JSONEncoder().encode(answers))
        #expect(decoded == answers)
        // A config's own list of delegated permissions survives the wizard, never widened to the default.
        var config = SetupConfig(preset: Preset.named("workato")!, tenant: "contoso.onmicrosoft.com")
        config.access = .delegated
        config.redirectURI = URL(string: "https://www.workato.com/oauth/callback")
        config.delegatedScopes = .list(["User.Read", "offline_access"])
        #expect(WizardAnswers(config: config).setupConfig().delegatedScopes == .list(["User.Read", "offline_access"]))
        let form = FormState(answers: WizardAnswers(config: config))
        #expect(form.choiceTitle(.delegatedScopes) == "as configured: User.Read offline_access")
        #expect(form.answers.setupConfig().delegatedScopes == .list(["User.Read", "offline_access"]))
    }

    @Test func epturasLicensedMailboxFollowsTheNameTypedInTheForm() {
        var form = Self.form("eptura")
        form.inputs[.serviceAccountName] = TextInput("rooms_svc")
        #expect(form.answers.setupConfig().mailboxUser == "rooms_svc@contoso.onmicrosoft.com")
    }
}
