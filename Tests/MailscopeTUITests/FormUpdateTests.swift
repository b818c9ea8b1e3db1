import MailscopeEngine
import Testing

@testable import MailscopeTUI

@Suite("Start screen and forms")
struct FormUpdateTests {
    @Test func choosingAPresetOpensTheFormWithItsDefaults() {
        var model = Fixture.launchedModel()
        #expect(model.screen == .start)
        model.press(.down, .down, .down)  // Nylas (after Eptura Workplace and iOFFICE)
        #expect(model.press(.enter).isEmpty)
        #expect(model.screen == .form(.tenant))
        #expect(model.form.presetID == "nylas")
        #expect(model.form.text(.serviceAccountName) == "nylas_service")
        #expect(model.form.text(.roles) == "Calendars.ReadWrite")
        #expect(model.form.focus == .tenant)
        #expect(model.formMode == .setup)
    }

    @Test func startSelectionWrapsAndOffersResumeFirst() {
        var model = Fixture.launchedModel()
        model.press(.up)
        #expect(model.startChoices[model.startSelection] == .recheck)
        let saved = SavedRunSummary(answers: Fixture.answers, wait: Fixture.wait)
        var resumable = Fixture.launchedModel(savedRun: saved)
        #expect(resumable.startChoices.first == .resume)
        #expect(resumable.startSelection == 0)
        let effects = resumable.press(.enter)
        #expect(effects == [.startRun(.resume, Fixture.answers)])
        #expect(resumable.run?.wait == Fixture.wait)  // the timer shows before the backend answers
        #expect(resumable.screen == .signIn)
    }

    @Test func validationFollowsEveryKeystroke() {
        var model = Fixture.formModel()
        model.press(.control("u"))
        #expect(model.form.error(for: .tenant) != nil)
        model.type("contoso")
        #expect(model.form.error(for: .tenant)?.message.contains("needs a dot") == true)
        model.type(".onmicrosoft.com")
        #expect(model.form.error(for: .tenant) == nil)
        model.press(.control("u"))
        model.type("7f3c2a91-5b6e-4d8a-9c1f-2e4b6a8d0c1")  // one digit short of a GUID
        #expect(model.form.error(for: .tenant)?.message.contains("not a valid GUID") == true)
        model.type("3")
        #expect(model.form.error(for: .tenant) == nil)
    }

    @Test(arguments: ["\u{200D}", "\u{202E}", "\u{FEFF}", "\u{0}", "\u{85}"])
    func aHiddenCharacterInANameIsRefusedInTheForm(_ hidden: String) {
        // The same rule as the config (issue 11): what the admin cannot see never reaches a name.
        var model = Fixture.formModel()
        model.form.focus = .groupName
        model.press(.control("u"))
        model.type("All\(hidden)Staff")
        #expect(model.form.error(for: .groupName)?.message.contains("must hold only visible text") == true)
        model.form.focus = .scopeName
        model.press(.control("u"))
        model.type("Scope\(hidden)")
        #expect(model.form.error(for: .scopeName)?.message.contains("must hold only visible text") == true)
    }

    @Test func anEmptyFieldIsRequiredUntilTouchedThenInvalid() {
        var answers = Fixture.answers
        answers.tenant = ""
        var model = Fixture.formModel(answers: answers)
        #expect(model.form.isPristineAndEmpty(.tenant))
        model.press(.tab)
        #expect(!model.form.isPristineAndEmpty(.tenant))
        #expect(model.form.error(for: .tenant) != nil)
    }

    @Test func enterWalksTheFieldsAndPagesThenStartsTheRun() {
        var model = Fixture.formModel()
        #expect(model.form.focus == .tenant)
        model.press(.enter)
        #expect(model.form.focus == .signIn)
        model.press(.enter)
        #expect(model.screen == .form(.account))
        model.press(.enter, .enter, .enter, .enter, .enter)  // (the group alias is one of them)
        #expect(model.form.focus == .members)
        model.press(.enter)
        #expect(model.screen == .form(.scope))
        model.press(.enter)
        let effects = model.press(.enter)
        #expect(effects == [.startRun(.setup, Fixture.answers)])
        #expect(model.screen == .signIn)
    }

    @Test func anInvalidFieldBlocksContinuingAndTakesTheFocus() {
        var answers = Fixture.answers
        answers.members = []
        var model = Fixture.formModel(page: .account, answers: answers)
        model.form.focus = .members
        #expect(model.press(.enter).isEmpty)
        #expect(model.screen == .form(.account))
        #expect(model.form.focus == .members)
        #expect(model.notice?.text == "Fix Members first.")
        model.type("alice@contoso.onmicrosoft.com, bob@")
        #expect(model.form.error(for: .members)?.message.contains("'bob@'") == true)
        model.press(.backspace, .backspace, .backspace, .backspace, .backspace, .backspace)
        #expect(model.form.answers.members == ["alice@contoso.onmicrosoft.com"])
        model.press(.enter)
        #expect(model.screen == .form(.scope))
    }

    /// Issue 12: a paste is one message; its line breaks are text, never Enter.
    @Test func aPastedListIsOneChangeAndItsLineBreaksAreNotEnter() {
        var model = Fixture.formModel(page: .account)
        model.form.focus = .members
        model.press(.control("u"))
        let effects = update(
            &model,
            .paste("avery.adams@contoso.com\r\nbea@contoso.com\rAvery.Adams@CONTOSO.com, cy@contoso.com;dee@contoso.com  eve@contoso.com\n")
        )
        #expect(effects.isEmpty)
        #expect(model.screen == .form(.account))
        #expect(model.form.focus == .members)
        #expect(
            model.form.answers.members == [
                "avery.adams@contoso.com", "bea@contoso.com", "cy@contoso.com", "dee@contoso.com", "eve@contoso.com",
            ]
        )
        #expect(model.form.text(.members).split(separator: "\n").count == 5)  // one a line, the repeat dropped
        #expect(model.form.error(for: .members) == nil)
        // A typed list is accepted too, and deduplicated without regard to case.
        model.press(.control("u"))
        model.type("a@contoso.com b@contoso.com, A@Contoso.com")
        #expect(model.form.answers.members == ["a@contoso.com", "b@contoso.com"])
        #expect(model.form.memberList.duplicateCount == 1)
        model.press(.tab)
        #expect(model.form.text(.members) == "a@contoso.com\nb@contoso.com")
    }

    @Test func aPasteIntoALineFieldKeepsOneLineAndIsValidatedOnce() {
        var model = Fixture.formModel()
        model.press(.control("u"))
        _ = update(&model, .paste("contoso.onmicrosoft.com\n"))
        #expect(model.form.text(.tenant) == "contoso.onmicrosoft.com")
        #expect(model.form.focus == .tenant)
        model.form.focus = .roles
        model.press(.control("u"))
        _ = update(&model, .paste("Calendars.ReadWrite\nMail.Send\n"))
        #expect(model.form.text(.roles) == "Calendars.ReadWrite, Mail.Send")
    }

    @Test func theMemberEditorMovesBetweenLinesAndShowsEachLinesProblem() {
        var model = Fixture.formModel(page: .account)
        model.form.focus = .members
        model.press(.control("u"))
        _ = update(&model, .paste("a@contoso.com\nbob@\nc@contoso.com"))
        #expect(model.form.memberList.lineProblems[1]?.isDuplicate == false)
        #expect(model.form.error(for: .members)?.message.hasPrefix("line 2:") == true)
        model.press(.up)
        #expect(model.form.inputs[.members]?.cursorPosition.line == 1)
        model.press(.end)
        model.type("contoso.com")
        #expect(model.form.error(for: .members) == nil)
        model.press(.up, .up)  // past the first line: the previous field
        #expect(model.form.focus == .groupKind)
        model.press(.down)
        #expect(model.form.focus == .members)
    }

    @Test func aThousandPastedAddressesAreReadOnce() {
        var model = Fixture.formModel(page: .account)
        model.form.focus = .members
        model.press(.control("u"))
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            _ = update(&model, .paste((1...1000).map { "user\($0)@contoso.com" }.joined(separator: "\n")))
            _ = render(model, size: model.size, theme: .color)
        }
        #expect(model.form.answers.members.count == 1000)
        #expect(elapsed < .seconds(1))
    }

    /// Issue 12: client secret and certificate ask for what they need, checked by the config's rules.
    @Test func clientSecretSignInAsksForTheAppAndWhereItsSecretIs() {
        var model = Fixture.formModel()
        model.form.focus = .signIn
        model.press(.right)
        #expect(model.form.signIn == .clientSecret)
        #expect(
            model.form.fields(on: .tenant) == [
                .target, .preset, .connection, .tenant, .signIn, .clientID, .secretSource, .secretVariable,
            ])
        // Continuing is refused until the app's ID and the secret's variable are given.
        model.press(.enter)
        #expect(model.form.focus == .clientID)
        model.press(.enter, .enter, .enter)
        #expect(model.screen == .form(.tenant))
        #expect(model.form.focus == .clientID)
        #expect(model.form.error(for: .clientID)?.message.contains("is required for client-secret sign-in") == true)
        model.type("not-a-guid")
        #expect(model.form.error(for: .clientID)?.message.contains("is not a GUID") == true)
        model.press(.control("u"))
        model.type("0f2e4d6c-8b1a-4c3e-9d5f-7a6b8c9d0e1f")
        #expect(model.form.error(for: .clientID) == nil)
        model.form.focus = .secretVariable
        #expect(model.form.error(for: .secretVariable)?.field == "auth.secret_env")
        model.type("my secret!")
        #expect(model.form.error(for: .secretVariable)?.message.contains("NAME, never the secret") == true)
        model.press(.control("u"))
        model.type("MAILSCOPE_ADMIN_SECRET")
        #expect(model.form.error(for: .secretVariable) == nil)
        // A file instead of a variable.
        model.form.focus = .secretSource
        model.press(.right)
        #expect(model.form.fields(on: .tenant).suffix(2) == [.secretSource, .secretFile])
        #expect(model.form.error(for: .secretFile) != nil)
        model.press(.tab)
        model.type("/home/admin/.config/mailscope/admin.secret")
        #expect(model.form.error(for: .secretFile) == nil)
        let answers = model.form.answers
        #expect(answers.clientID == "0f2e4d6c-8b1a-4c3e-9d5f-7a6b8c9d0e1f")
        #expect(answers.secretFile == "/home/admin/.config/mailscope/admin.secret")
        #expect(answers.secretEnvironmentVariable == nil)
        let config = answers.setupConfig()
        #expect(config.clientID == answers.clientID && config.adminSecret == .file(answers.secretFile ?? ""))
        #expect(config.validationErrors().isEmpty)
    }

    @Test func certificateSignInAsksForTheCertificateAndItsKey() {
        var model = Fixture.formModel()
        model.form.focus = .signIn
        model.press(.right, .right)
        #expect(model.form.signIn == .certificate)
        #expect(model.form.fields(on: .tenant).suffix(3) == [.clientID, .certificateFile, .privateKeyFile])
        #expect(model.form.error(for: .certificateFile)?.message.contains("is required for certificate sign-in") == true)
        #expect(model.form.error(for: .privateKeyFile)?.field == "auth.private_key_file")
        model.form.focus = .clientID
        model.type("0f2e4d6c-8b1a-4c3e-9d5f-7a6b8c9d0e1f")
        model.press(.tab)
        model.type("admin.pem")
        model.press(.tab)
        model.type("admin.key")
        #expect(model.form.firstInvalidField(through: .scope) == nil)
        #expect(model.form.answers.setupConfig().privateKeyFile == "admin.key")
        // Device code again: none of it is asked or kept in the config.
        model.form.focus = .signIn
        model.press(.right)
        #expect(model.form.answers.setupConfig().clientID == nil)
    }

    @Test func aQuestionMarkInATextFieldIsACharacter() {
        var model = Fixture.formModel()
        model.press(.control("u"))
        model.type("what?")
        #expect(model.form.text(.tenant) == "what?")
        #expect(model.overlay == nil)
        model.press(.function(1))
        #expect(model.overlay == .help(field: .tenant))
    }

    @Test func textEditingMovesTheCursor() {
        var model = Fixture.formModel()
        model.press(.control("u"))
        model.type("contso.com")
        model.press(.home, .right, .right, .right, .right)
        model.type("o")
        #expect(model.form.text(.tenant) == "contoso.com")
        model.press(.end, .backspace, .left, .delete)
        #expect(model.form.text(.tenant) == "contoso.c")
        #expect(model.form.inputs[.tenant]?.cursor == 9)
    }

    @Test func lettersTypeIntoTextFieldsButActOnChoices() {
        var model = Fixture.formModel()
        model.press(.control("u"))
        #expect(model.type("q").isEmpty)  // not quit
        #expect(model.form.text(.tenant) == "q")
        model.press(.tab)  // sign-in method (a choice)
        #expect(model.form.focus == .signIn)
        model.press(.right)
        #expect(model.form.signIn == .clientSecret)
        model.press(.left, .left)
        #expect(model.form.signIn == .certificate)
        #expect(model.press(.character("q")) == [.quit(0)])  // no run: quits at once
    }

    @Test func changingThePresetKeepsWhatTheAdminEdited() {
        var model = Fixture.formModel(page: .account)
        model.press(.control("u"))
        model.type("my_app")
        model.openForm(at: .tenant)
        model.form.focus = .preset
        model.press(.right)  // eptura
        #expect(model.form.presetID == "eptura")
        #expect(model.form.text(.serviceAccountName) == "my_app")
        #expect(model.form.scopeKind == .rooms)
        #expect(model.form.text(.scopeName) == "ResourceMailboxes")
        #expect(!model.form.isApplicable(.members))
        #expect(model.form.answers.members.isEmpty)
        #expect(model.form.error(for: .members) == nil)
    }

    @Test func rolesAcceptShortNamesAndRejectUnknownOnes() {
        var model = Fixture.formModel(page: .scope)
        model.form.focus = .roles
        model.press(.control("u"))
        model.type("Calendars.ReadWrite, Mail.Send")
        #expect(model.form.answers.roles == ["Application Calendars.ReadWrite", "Application Mail.Send"])
        #expect(model.form.error(for: .roles) == nil)
        model.type(", ApplicationImpersonation")
        #expect(model.form.error(for: .roles)?.message.contains("removed from Exchange Online") == true)
    }

    @Test func escGoesBackPageByPageToTheStart() {
        var model = Fixture.formModel(page: .scope)
        model.press(.escape)
        #expect(model.screen == .form(.account))
        model.press(.escape)
        #expect(model.screen == .form(.tenant))
        model.press(.escape)
        #expect(model.screen == .start)
        #expect(model.press(.escape).isEmpty)
        #expect(model.screen == .start)
        #expect(model.notice?.text.contains("first step") == true)
    }

    @Test func helpExplainsTheFocusedFieldAndCloses() {
        var model = Fixture.formModel()
        model.press(.function(1))
        #expect(model.overlay == .help(field: .tenant))
        model.press(.down, .down)
        #expect(model.helpScroll == 2)
        model.press(.escape)
        #expect(model.overlay == nil)
        #expect(model.screen == .form(.tenant))
        model.form.focus = .signIn  // on a choice, ? asks for help; in a text field it is a character
        model.press(.character("?"))
        #expect(model.overlay == .help(field: .signIn))
        model.press(.character("q"))  // closes help, does not quit
        #expect(model.overlay == nil)
    }

    @Test func recheckFromTheStartUsesTheSavedAnswers() {
        var saved = Fixture.answers
        saved.tenant = "fabrikam.onmicrosoft.com"
        var model = Fixture.launchedModel(savedRun: SavedRunSummary(answers: saved, wait: nil))
        model.press(.up)
        #expect(model.startChoices[model.startSelection] == .recheck)
        model.press(.enter)
        #expect(model.formMode == .recheck)
        #expect(model.form.text(.tenant) == "fabrikam.onmicrosoft.com")
        model.openForm(at: .scope)
        model.form.focus = .roles
        #expect(model.press(.enter) == [.startRun(.recheck, saved)])
    }

    @Test func launchModesFromTheCommandLine() {
        var recheck = WizardModel(now: Fixture.start, size: Fixture.standard, answers: Fixture.answers, mode: .recheck)
        #expect(update(&recheck, .launched(savedRun: nil)) == [.startRun(.recheck, Fixture.answers)])
        var incomplete = Fixture.answers
        incomplete.tenant = ""
        var needsForm = WizardModel(now: Fixture.start, size: Fixture.standard, answers: incomplete, mode: .recheck)
        #expect(update(&needsForm, .launched(savedRun: nil)).isEmpty)
        #expect(needsForm.screen == .form(.tenant))
        var resume = WizardModel(now: Fixture.start, size: Fixture.standard, mode: .resume)
        #expect(update(&resume, .launched(savedRun: nil)).isEmpty)
        #expect(resume.screen == .start)
        #expect(resume.notice?.role == .warning)
    }
}
