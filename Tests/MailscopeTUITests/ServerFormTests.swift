import Foundation
import MailscopeCore
import MailscopeEngine
import Testing

@testable import MailscopeTUI

@Suite("Exchange Server target: answers and forms")
struct ServerFormTests {
    @Test func answersSavedBeforeTheServerTargetStillDecode() throws {
        let old = """
            {"presetID":"workable","tenant":"contoso.onmicrosoft.com","signIn":"device-code",
             "serviceAccountName":"workable_service","groupName":"WorkableUsers","groupKind":"distribution",
             "members":["alice@contoso.onmicrosoft.com","room.berlin@contoso.onmicrosoft.com"],"scopeKind":"group",
             "scopeName":"WorkableUsersScope",
             "roles":["Application Calendars.ReadWrite","Application Mail.ReadWrite","Application Mail.Send"]}
            """
        let decoded = try JSONDecoder().decode(WizardAnswers.self, from: Data(old.utf8))
        #expect(decoded == Fixture.answers)
        #expect(decoded.target == .exchangeOnline)
        #expect(decoded.ewsAuthentication == .ntlm)
        let roundTrip = try JSONDecoder().decode(
            WizardAnswers.self,
            from: JSONEncoder().encode(ServerFixture.answers)
        )
        #expect(roundTrip == ServerFixture.answers)
    }

    @Test func theAnswersMakeTheEnginesConfigForEitherTarget() {
        let server = ServerFixture.config
        #expect(server.target == .exchangeServer)
        #expect(server.ewsURL == "https://mail.contoso.com/EWS/Exchange.asmx")
        #expect(server.serviceAccountLogon == "CONTOSO\\svc-booking")
        #expect(server.servicePassword == .file("/home/admin/.config/mailscope/svc-booking.password"))
        #expect(server.validationErrors().isEmpty)
        // Exchange Online ignores the server answers, so its config (and journal) does not change.
        var online = ServerFixture.answers
        online.target = .exchangeOnline
        online.tenant = "contoso.onmicrosoft.com"
        let config = online.setupConfig()
        #expect(config.target == .exchangeOnline)
        #expect(config.ewsURL == nil && config.serviceAccountAddress == nil && config.servicePassword == nil)
        var plain = online
        plain.ewsURL = ""
        plain.serviceAccountAddress = ""
        plain.serviceAccountLogon = nil
        plain.passwordFile = nil
        plain.outOfScopeMailbox = ""
        #expect(config.fingerprint == plain.setupConfig().fingerprint)
    }

    @Test func theTargetComesFirstAndChoosesTheFieldsShown() {
        var model = Fixture.formModel()
        #expect(model.form.fields(on: .tenant) == [.target, .preset, .connection, .tenant, .signIn])
        #expect(model.form.pages == [.tenant, .account, .scope])
        model.press(.up, .up, .up)
        #expect(model.form.focus == .target)
        model.press(.right)
        #expect(model.form.target == .exchangeServer)
        #expect(model.form.fields(on: .tenant) == [.target, .preset, .ewsURL, .ewsAuthentication])
        #expect(model.form.pages == [.tenant, .serviceAccount, .account, .scope])
        #expect(
            model.form.fields(on: .serviceAccount) == [
                .serviceAccountName, .serviceAccountAddress, .serviceAccountLogon, .passwordSource, .passwordFile,
            ]
        )
        #expect(model.form.fields(on: .scope) == [.scopeName, .inScopeMailbox, .outOfScopeMailbox])
        #expect(!model.form.isApplicable(.tenant) && !model.form.isApplicable(.roles))
        #expect(model.form.answers.target == .exchangeServer)
        model.press(.left)
        #expect(model.form.target == .exchangeOnline)
        #expect(model.form.answers == Fixture.answers)  // back to Exchange Online: nothing else changed
    }

    @Test func serverFieldsValidateAsYouTypeWithTheConfigsMessages() {
        var answers = ServerFixture.answers
        answers.ewsURL = ""
        var model = ServerFixture.formModel(answers: answers)
        #expect(model.form.focus == .ewsURL)
        #expect(model.form.isPristineAndEmpty(.ewsURL))
        model.type("https://mail.contoso.com/owa")
        let error = model.form.error(for: .ewsURL)
        #expect(error?.field == "server.ews_url")
        #expect(error?.message.contains("/EWS/Exchange.asmx") == true)
        model.press(.control("u"))
        model.type("http://mail.contoso.com/EWS/Exchange.asmx")
        #expect(model.form.error(for: .ewsURL)?.message.contains("https") == true)
        model.press(.control("u"))
        model.type("https://mail.contoso.com/EWS/Exchange.asmx")
        #expect(model.form.error(for: .ewsURL) == nil)

        model.openForm(at: .scope)
        model.form.focus = .outOfScopeMailbox
        model.press(.control("u"))
        model.type("avery.adams@contoso.com")
        #expect(model.form.error(for: .outOfScopeMailbox)?.message.contains("also in group.members") == true)
        model.press(.control("u"))
        #expect(model.form.error(for: .outOfScopeMailbox)?.field == "connect.out_of_scope_mailbox")
        #expect(!model.form.isOptional(.outOfScopeMailbox))
        #expect(model.form.isOptional(.inScopeMailbox))
        #expect(model.form.error(for: .inScopeMailbox) == nil)  // empty: the first member is used
    }

    @Test func thePasswordIsNamedNeverTyped() {
        var model = ServerFixture.formModel(page: .serviceAccount)
        model.form.focus = .passwordSource
        model.press(.right)
        #expect(model.form.passwordSource == .environmentVariable)
        #expect(model.form.displayedFields(on: .serviceAccount).last == .passwordVariable)
        #expect(model.form.error(for: .passwordVariable)?.field == "service_account.password_env")
        model.press(.down)
        #expect(model.form.focus == .passwordVariable)
        model.type("hunter2!")
        #expect(model.form.error(for: .passwordVariable)?.message.contains("NAME, never the password") == true)
        model.press(.control("u"))
        model.type("SVC_BOOKING_PASSWORD")
        #expect(model.form.error(for: .passwordVariable) == nil)
        #expect(model.form.answers.passwordEnvironmentVariable == "SVC_BOOKING_PASSWORD")
        #expect(model.form.answers.passwordFile == nil)  // only the source chosen is an answer
    }

    @Test func roomsNeedAnInScopeRoomAndServerGroupsAreNeverMicrosoft365() {
        var model = ServerFixture.formModel(page: .account)
        model.form.focus = .groupKind
        model.press(.right, .right)
        #expect(model.form.groupKind == .distribution)  // distribution ↔ mail-enabled security only
        model.form.focus = .scopeKind
        model.press(.right)
        #expect(model.form.scopeKind == .rooms)
        #expect(!model.form.isApplicable(.groupAddress) && !model.form.isApplicable(.members))
        #expect(!model.form.isOptional(.inScopeMailbox))
        #expect(model.form.error(for: .inScopeMailbox)?.field == "connect.in_scope_mailbox")
        #expect(model.form.error(for: .inScopeMailbox)?.message.contains("room mailbox") == true)
    }

    @Test func enterWalksFourPagesThenStartsTheRun() {
        var model = ServerFixture.formModel()
        #expect(model.form.focus == .ewsURL)  // the first text field; the target is above it
        model.press(.enter, .enter)
        #expect(model.screen == .form(.serviceAccount))
        model.press(.enter, .enter, .enter, .enter, .enter)
        #expect(model.screen == .form(.account))
        model.press(.enter, .enter, .enter, .enter, .enter)  // (the group alias is one of them)
        #expect(model.screen == .form(.scope))
        model.press(.enter, .enter)
        #expect(model.press(.enter) == [.startRun(.setup, ServerFixture.answers)])
        #expect(model.screen == .signIn)
        model.press(.escape)
        #expect(model.screen == .form(.scope))
        model.press(.escape)
        #expect(model.screen == .form(.account))
        model.press(.escape)
        #expect(model.screen == .form(.serviceAccount))
    }

    @Test func anInvalidServerFieldOnAnEarlierPageTakesTheFocus() {
        var answers = ServerFixture.answers
        answers.serviceAccountAddress = "svc-booking"
        var model = ServerFixture.formModel(page: .scope, answers: answers)
        model.form.focus = .outOfScopeMailbox
        #expect(model.press(.enter).isEmpty)
        #expect(model.screen == .form(.serviceAccount))
        #expect(model.form.focus == .serviceAccountAddress)
        #expect(model.notice?.text == "Fix Service account (UPN) first.")
    }

    @Test func helpExplainsEachServerField() {
        var model = ServerFixture.formModel()
        model.press(.function(1))
        #expect(model.overlay == .help(field: .ewsURL))
        for field in FormField.allCases where FormPage.allCases.contains(where: { $0.fields(for: .exchangeServer).contains(field) }) {
            let text = field.explanation(for: .exchangeServer)
            #expect(!text.isEmpty)
            if FormState.configKeys(of: field).count == 1 {
                #expect(text.contains("config: "), "\(field) names its config key")
            }
        }
        #expect(FormField.serviceAccountName.explanation(for: .exchangeOnline).contains("Entra app"))
        #expect(!FormField.serviceAccountName.explanation(for: .exchangeServer).contains("Entra"))
    }

    @Test func theServerTargetIsTaggedInTheTitleAndResumeNamesTheHost() {
        let form = render(ServerFixture.formModel(), size: Fixture.standard, theme: .color)
        #expect(form.line(0).contains("on-premises"))
        let saved = SavedRunSummary(answers: ServerFixture.answers, wait: nil)
        let start = render(Fixture.launchedModel(savedRun: saved), size: Fixture.standard, theme: .color)
        #expect(start.plainText.contains("Workable · mail.contoso.com (on-premises)"))
    }
}
