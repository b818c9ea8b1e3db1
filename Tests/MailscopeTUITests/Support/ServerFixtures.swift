import Foundation
import MailscopeCore
import MailscopeEngine

@testable import MailscopeTUI

/// Fixed values for the Exchange Server (on-premises) target: answers, the server signed in to,
/// the engine's own Exchange Management Shell steps, a plan made of them.
enum ServerFixture {
    static let answers = WizardAnswers(
        presetID: "workable",
        tenant: "",
        signIn: .deviceCode,
        serviceAccountName: "svc-booking",
        groupName: "WorkableUsers",
        groupKind: .distribution,
        members: ["avery.adams@contoso.com", "room-alder@contoso.com"],
        scopeKind: .group,
        scopeName: "WorkableUsersScope",
        roles: ["Application Calendars.ReadWrite"],
        target: .exchangeServer,
        ewsURL: "https://mail.contoso.com/EWS/Exchange.asmx",
        ewsAuthentication: .ntlm,
        serviceAccountAddress: "svc-booking@contoso.com",
        serviceAccountLogon: "CONTOSO\\svc-booking",
        passwordFile: "/home/admin/.config/mailscope/svc-booking.password",
        outOfScopeMailbox: "dana.adams@contoso.com"
    )

    /// The engine's config for the answers (the steps below are the engine's own).
    static let config = answers.setupConfig()

    static let server = TenantIdentity(
        id: "mail.contoso.com",
        displayName: "Exchange Server at mail.contoso.com",
        defaultDomain: "contoso.com",
        signedInAs: "CONTOSO\\svc-booking"
    )

    static let createMailbox = ServerSteps.createMailbox(config)
    static let createGroup = ServerSteps.createGroup(config, members: answers.members)
    /// The role step: three long lines, and the "about 2 hours" warning.
    static let assignImpersonation = ServerSteps.assignImpersonation(config)

    static func change(_ step: ShellStep) -> PlannedChange {
        PlannedChange(action: .create, summary: step.summary, powershell: step.command)
    }

    static let plan: [StageReport] = [
        StageReport(
            stage: .signIn,
            status: .notVerified,
            detail: "EWS refuses CONTOSO\\svc-booking with NTLM until the service account exists with mailscope's password (EWS at mail.contoso.com answers)"
        ),
        StageReport(
            stage: .serviceAccount,
            status: .needsChange,
            detail: "EWS refuses CONTOSO\\svc-booking: the account does not exist yet",
            changes: [change(createMailbox)]
        ),
        StageReport(
            stage: .distributionGroup,
            status: .needsChange,
            detail: "the group workableusers@contoso.com does not exist yet",
            changes: [change(createGroup)]
        ),
        StageReport(
            stage: .impersonationRole,
            status: .needsChange,
            detail: "svc-booking@contoso.com has no ApplicationImpersonation role (ErrorImpersonationDenied)",
            changes: [change(assignImpersonation)]
        ),
        StageReport(stage: .scope, status: .pending, detail: "waits for the impersonation role"),
    ]

    /// What the engine plans while EWS refuses the service account: one step listed; the group and
    /// the role cannot be read yet.
    static let refusedPlan: [StageReport] = [
        plan[0],
        plan[1],
        StageReport(
            stage: .distributionGroup,
            status: .pending,
            detail: "waits for the service account (EWS does not accept its sign-in yet)"
        ),
        StageReport(
            stage: .impersonationRole,
            status: .pending,
            detail: "waits for the service account (EWS does not accept its sign-in yet)"
        ),
        StageReport(
            stage: .scope,
            status: .pending,
            detail: "waits for the service account (EWS does not accept its sign-in yet)"
        ),
    ]

    /// The updates up to the plan: the preflight, then the stages read over EWS.
    static let setupUpdates: [WizardUpdate] =
        [.signedIn(server)] + plan.dropFirst().map { .engine(.stage($0)) } + [.planReady(plan)]

    /// A model in an Exchange Server setup run, after `updates`.
    static func runModel(_ updates: [WizardUpdate], confirm: Bool = true, size: TerminalSize = Fixture.standard)
        -> WizardModel
    {
        var model = formModel()
        _ = model.beginRun(.setup, answers: answers)
        model.size = size
        for backendUpdate in updates {
            _ = update(&model, .backend(backendUpdate))
            if confirm, case .planReady = backendUpdate { _ = update(&model, .key(.character("y"))) }
        }
        return model
    }

    /// The engine's sign-in stage once EWS accepts the service account (after the create step).
    static let signInAccepted = WizardUpdate.engine(
        .stage(Fixture.verified(.signIn, "EWS at mail.contoso.com accepts CONTOSO\\svc-booking with NTLM"))
    )

    /// The run after the plan was confirmed, with the role step on screen.
    static func roleStepModel(size: TerminalSize = Fixture.standard) -> WizardModel {
        runModel(
            setupUpdates + [
                signInAccepted,
                .engine(.stage(Fixture.verified(.serviceAccount, "CONTOSO\\svc-booking signs in to EWS (ntlm)"))),
                .engine(.stage(Fixture.verified(.distributionGroup, "all 2 mailboxes are direct members"))),
                .engine(
                    .stage(
                        StageReport(
                            stage: .impersonationRole,
                            status: .applying,
                            detail: "svc-booking@contoso.com has no ApplicationImpersonation role"
                        )
                    )
                ),
                .shellStep(assignImpersonation),
            ],
            size: size
        )
    }

    /// A model whose form holds the Exchange Server answers, on `page`.
    static func formModel(page: FormPage = .tenant, answers: WizardAnswers = answers) -> WizardModel {
        Fixture.formModel(page: page, answers: answers)
    }

    /// The effective state only: Exchange Server has nothing like Test-ServicePrincipalAuthorization.
    static func evidence(inScopeAllowed: Bool?, at date: Date) -> PollEvidence {
        var evidence = PollEvidence(
            at: date,
            configuredInScope: nil,
            configuredOutOfScope: nil,
            inScopeAllowed: inScopeAllowed,
            outOfScopeDenied: true,
            lines: ["GetFolder calendar of avery.adams@contoso.com with ExchangeImpersonation → ErrorImpersonationDenied"]
        )
        evidence.configuredUnobservable = true
        return evidence
    }

    static let wait = WaitProgress(
        startedAt: Fixture.at(-723),
        expectedEarliest: Fixture.at(-723 + 1800),
        expectedLatest: Fixture.at(-723 + 7200),
        deadline: Fixture.at(-723 + 9000),
        nextPoll: Fixture.at(42),
        polls: 3,
        lastPoll: evidence(inScopeAllowed: false, at: Fixture.at(-120))
    )

    /// The steps done, the role not effective yet: the propagation wait.
    static let waitUpdates: [WizardUpdate] = [
        signInAccepted,
        .engine(.stage(Fixture.verified(.serviceAccount, "CONTOSO\\svc-booking signs in to EWS (ntlm)"))),
        .engine(.stage(Fixture.verified(.distributionGroup, "all 2 mailboxes are direct members of workableusers@contoso.com"))),
        .engine(.stage(StageReport(stage: .impersonationRole, status: .notVerified, detail: "assigned; not effective yet"))),
        .engine(.stage(StageReport(stage: .scope, status: .notVerified, detail: "waits for the impersonation role"))),
        .engine(
            .stage(
                StageReport(
                    stage: .connect,
                    status: .waiting,
                    detail: "12 min since the last change (usually 30 min to 2 h)",
                    steps: [
                        StepReport(name: "in-scope: impersonate avery.adams@contoso.com", status: .failed, detail: "ErrorImpersonationDenied"),
                        StepReport(name: "out-of-scope: impersonate dana.adams@contoso.com", status: .verified, detail: "ErrorImpersonateUserDenied"),
                    ]
                )
            )
        ),
        .engine(.waiting(wait)),
    ]

    /// What the engine hands off: its values arranged as the vendor's form asks (PresetConnections).
    static let handOff = PresetConnections.arrangedHandOff(engineHandOff, config: answers.setupConfig())

    static let engineHandOff = [
        HandOffItem(label: "EWS URL", value: "https://mail.contoso.com/EWS/Exchange.asmx"),
        HandOffItem(label: "Service account", value: "svc-booking@contoso.com"),
        HandOffItem(label: "Sign-in name", value: "CONTOSO\\svc-booking"),
        HandOffItem(label: "Authentication", value: "NTLM"),
        HandOffItem(label: "Password file (0600)", value: "/home/admin/.config/mailscope/svc-booking.password"),
        HandOffItem(label: "Impersonation", value: "ExchangeImpersonation, ConnectingSID by PrimarySmtpAddress, with X-AnchorMailbox"),
        HandOffItem(label: "Group", value: "workableusers@contoso.com"),
        HandOffItem(label: "Management scope", value: "WorkableUsersScope"),
        HandOffItem(label: "Role assignment", value: "WorkableImpersonation"),
    ]

    static let verifyUpdates: [WizardUpdate] = [
        .engine(.stage(Fixture.verified(.impersonationRole, "svc-booking@contoso.com holds ApplicationImpersonation"))),
        .engine(.stage(Fixture.verified(.scope, "limited to scope \"WorkableUsersScope\""))),
        .engine(.stage(Fixture.verified(.connect, "EWS impersonation works in scope and is refused outside it"))),
        .engine(.handOff(handOff)), .finished(.verified),
    ]
}
