import Foundation
import MailscopeEngine

@testable import MailscopeTUI

/// Fixed values for tests: one instant, one tenant, one plan, one wait.
enum Fixture {
    /// The instant every test starts at (2027-01-15 08:00:00 UTC).
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    /// UTC, so log times do not depend on the machine.
    static let utc = TimeZone(identifier: "UTC")!
    /// The standard terminal.
    static let standard = TerminalSize(columns: 80, rows: 24)

    static func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

    static let answers = WizardAnswers(
        presetID: "workable",
        tenant: "contoso.onmicrosoft.com",
        signIn: .deviceCode,
        serviceAccountName: "workable_service",
        groupName: "WorkableUsers",
        groupKind: .distribution,
        members: ["alice@contoso.onmicrosoft.com", "room.berlin@contoso.onmicrosoft.com"],
        scopeKind: .group,
        scopeName: "WorkableUsersScope",
        roles: ["Application Calendars.ReadWrite", "Application Mail.ReadWrite", "Application Mail.Send"]
    )

    static let tenant = TenantIdentity(
        id: "7f3c2a91-5b6e-4d8a-9c1f-2e4b6a8d0c13",
        displayName: "Contoso Ltd",
        defaultDomain: "contoso.onmicrosoft.com",
        signedInAs: "admin@contoso.onmicrosoft.com"
    )

    static let deviceCode = DeviceCodePrompt(
        userCode: "FJ5ZK8QLM",
        verificationURL: "https://microsoft.com/devicelogin",
        expiresAt: at(900),
        message:
            "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FJ5ZK8QLM to authenticate."
    )

    static let plan: [StageReport] = [
        StageReport(stage: .signIn, status: .verified, detail: "Contoso Ltd as admin@contoso.onmicrosoft.com"),
        StageReport(
            stage: .serviceAccount,
            status: .needsChange,
            detail: "app workable_service does not exist",
            changes: [
                PlannedChange(
                    action: .create,
                    summary: "Create the app registration workable_service",
                    powershell: "New-MgApplication -DisplayName 'workable_service' -SignInAudience AzureADMyOrg"
                ),
                PlannedChange(
                    action: .create,
                    summary: "Create its service principal",
                    powershell: "New-MgServicePrincipal -AppId <appId>"
                ),
                PlannedChange(
                    action: .create,
                    summary: "Add a client secret valid for 180 days",
                    powershell:
                        "Add-MgApplicationPassword -ApplicationId <objectId> -PasswordCredential @{DisplayName='mailscope'; EndDateTime=(Get-Date).AddDays(180)}"
                ),
            ],
            steps: [
                StepReport(name: "app registration", status: .needsChange, detail: "missing"),
                StepReport(name: "service principal", status: .needsChange, detail: "missing"),
                StepReport(name: "credential", status: .needsChange, detail: "missing"),
            ]
        ),
        StageReport(
            stage: .distributionGroup,
            status: .needsChange,
            detail: "group WorkableUsers does not exist",
            changes: [
                PlannedChange(
                    action: .create,
                    summary: "Create the distribution group WorkableUsers",
                    powershell: "New-DistributionGroup -Name 'WorkableUsers' -Alias 'WorkableUsers' -Type Distribution"
                ),
                PlannedChange(
                    action: .update,
                    summary: "Add 2 members",
                    powershell:
                        "Add-DistributionGroupMember -Identity 'WorkableUsers' -Member 'alice@contoso.onmicrosoft.com'"
                ),
            ]
        ),
        StageReport(
            stage: .impersonationRole,
            status: .needsChange,
            detail: "no role assignments",
            changes: [
                PlannedChange(
                    action: .create,
                    summary: "Register the app's service principal in Exchange",
                    powershell: "New-ServicePrincipal -AppId <appId> -ObjectId <spId> -DisplayName 'workable_service'"
                )
            ]
        ),
        StageReport(
            stage: .scope,
            status: .needsChange,
            detail: "scope WorkableUsersScope does not exist",
            changes: [
                PlannedChange(
                    action: .create,
                    summary: "Create the management scope WorkableUsersScope",
                    powershell:
                        "New-ManagementScope -Name 'WorkableUsersScope' -RecipientRestrictionFilter \"MemberOfGroup -eq 'CN=WorkableUsers,OU=contoso.onmicrosoft.com'\""
                ),
                PlannedChange(
                    action: .create,
                    summary: "Assign Application Calendars.ReadWrite in the scope",
                    powershell:
                        "New-ManagementRoleAssignment -App <spId> -Role 'Application Calendars.ReadWrite' -CustomResourceScope 'WorkableUsersScope'"
                ),
            ],
            warnings: [
                "The app has the tenant-wide Graph permission Calendars.ReadWrite; it would void the scope and will be removed."
            ]
        ),
    ]

    static func verified(_ stage: StageID, _ detail: String, steps: [StepReport] = []) -> StageReport {
        StageReport(stage: stage, status: .verified, detail: detail, steps: steps)
    }

    static let appliedReports: [StageReport] = [
        verified(
            .serviceAccount,
            "appId 3b9e51c0-8f2d-4a7e-b6c4-1d0a9e7f2c58",
            steps: [
                StepReport(
                    name: "app registration",
                    status: .verified,
                    detail: "appId 3b9e51c0-8f2d-4a7e-b6c4-1d0a9e7f2c58"
                ),
                StepReport(name: "service principal", status: .verified, detail: "object id 5e1f…"),
                StepReport(name: "credential", status: .verified, detail: "secret Xq7… valid until 2027-07-14"),
            ]
        ),
        verified(.distributionGroup, "WorkableUsers@contoso.onmicrosoft.com (MailUniversalDistributionGroup)"),
        verified(.impersonationRole, "3 roles assigned"),
        verified(.scope, "WorkableUsersScope: MemberOfGroup filter"),
    ]

    static func evidence(inScopeAllowed: Bool?, at date: Date) -> PollEvidence {
        PollEvidence(
            at: date,
            configuredInScope: true,
            configuredOutOfScope: true,
            inScopeAllowed: inScopeAllowed,
            outOfScopeDenied: true,
            lines: ["Test-ServicePrincipalAuthorization: InScope True"]
        )
    }

    /// A wait that started 12:03 before `at(0)`, with a poll 2 min ago and the next in 42 s.
    static let wait = WaitProgress(
        startedAt: at(-723),
        expectedEarliest: at(-723 + 1800),
        expectedLatest: at(-723 + 7200),
        deadline: at(-723 + 9000),
        nextPoll: at(42),
        polls: 3,
        lastPoll: evidence(inScopeAllowed: false, at: at(-120))
    )

    static let waitingConnect = StageReport(
        stage: .connect,
        status: .waiting,
        detail: "in-scope access not effective yet",
        steps: [
            StepReport(name: "configured: in-scope mailbox", status: .verified, detail: "in scope"),
            StepReport(name: "configured: out-of-scope mailbox", status: .verified, detail: "out of scope"),
            StepReport(name: "effective: in-scope allowed", status: .waiting, detail: "denied"),
            StepReport(name: "effective: out-of-scope denied", status: .verified, detail: "403"),
        ]
    )

    static let verifiedConnect = StageReport(
        stage: .connect,
        status: .verified,
        detail: "in-scope allowed (200), out-of-scope denied (403)",
        steps: [
            StepReport(name: "configured: in-scope mailbox", status: .verified, detail: "in scope"),
            StepReport(name: "configured: out-of-scope mailbox", status: .verified, detail: "out of scope"),
            StepReport(name: "effective: in-scope allowed", status: .verified, detail: "200"),
            StepReport(name: "effective: out-of-scope denied", status: .verified, detail: "403"),
        ]
    )

    /// What the engine hands off: its values arranged as the vendor's form asks (PresetConnections).
    static let handOff = PresetConnections.arrangedHandOff(engineHandOff, config: answers.setupConfig())

    static let engineHandOff = [
        HandOffItem(label: "Tenant ID", value: tenant.id),
        HandOffItem(label: "Client (application) ID", value: "3b9e51c0-8f2d-4a7e-b6c4-1d0a9e7f2c58"),
        HandOffItem(
            label: "Client secret (shown once)",
            value: "Xq7~h2KpV9mR4tLw8ZcN1bFgYs6JdQe3Ua0oTi",
            isSecret: true
        ),
        HandOffItem(label: "Credential expires", value: "2027-07-14"),
        HandOffItem(label: "Token endpoint", value: "https://login.microsoftonline.com/\(tenant.id)/oauth2/v2.0/token"),
        HandOffItem(label: "Group", value: "WorkableUsers@contoso.onmicrosoft.com"),
        HandOffItem(label: "Management scope", value: "WorkableUsersScope"),
    ]

    static let logEntries = [
        LogEntry(at: at(-900), level: .info, text: "Signed in to Contoso Ltd as admin@contoso.onmicrosoft.com"),
        LogEntry(
            at: at(-880),
            level: .write,
            text: "Created the app registration workable_service",
            powershell: "New-MgApplication -DisplayName 'workable_service' -SignInAudience AzureADMyOrg"
        ),
        LogEntry(
            at: at(-870),
            level: .write,
            text: "Created the distribution group WorkableUsers",
            powershell: "New-DistributionGroup -Name 'WorkableUsers' -Alias 'WorkableUsers' -Type Distribution"
        ),
        LogEntry(at: at(-860), level: .warning, text: "Removed the tenant-wide Graph permission Calendars.ReadWrite"),
        LogEntry(
            at: at(-723),
            level: .write,
            text: "Assigned Application Calendars.ReadWrite in WorkableUsersScope",
            powershell:
                "New-ManagementRoleAssignment -App <spId> -Role 'Application Calendars.ReadWrite' -CustomResourceScope 'WorkableUsersScope'"
        ),
    ]

    /// The backend updates of a full setup, from sign-in to hand-off, in order.
    static let setupUpdates: [WizardUpdate] =
        [
            .engine(.deviceCode(deviceCode)),
            .signedIn(tenant),
        ] + plan.dropFirst().map { .engine(.stage($0)) } + [.planReady(plan)]

    /// The updates after the plan is confirmed, up to the wait.
    static let applyUpdates: [WizardUpdate] =
        logEntries.map { .engine(.log($0)) } + appliedReports.map { .engine(.stage($0)) } + [
            .engine(.stage(waitingConnect)), .engine(.waiting(wait)),
        ]

    /// The updates that end the run verified.
    static let verifyUpdates: [WizardUpdate] = [
        .engine(.stage(verifiedConnect)), .engine(.handOff(handOff)), .finished(.verified),
    ]

    /// A re-check that finds the scope and the role drifted.
    static let recheckUpdates: [WizardUpdate] = [
        .signedIn(tenant),
        .engine(.stage(appliedReports[0])), .engine(.stage(appliedReports[1])),
        .engine(
            .stage(
                StageReport(
                    stage: .impersonationRole,
                    status: .needsChange,
                    detail: "Application Mail.Send is not assigned",
                    changes: [
                        PlannedChange(
                            action: .create,
                            summary: "Assign Application Mail.Send in WorkableUsersScope",
                            powershell:
                                "New-ManagementRoleAssignment -App <spId> -Role 'Application Mail.Send' -CustomResourceScope 'WorkableUsersScope'"
                        )
                    ],
                    steps: [
                        StepReport(
                            name: "Application Calendars.ReadWrite",
                            status: .verified,
                            detail: "assigned in WorkableUsersScope"
                        ),
                        StepReport(
                            name: "Application Mail.ReadWrite",
                            status: .verified,
                            detail: "assigned in WorkableUsersScope"
                        ),
                        StepReport(name: "Application Mail.Send", status: .needsChange, detail: "missing"),
                    ]
                )
            )
        ),
        .engine(
            .stage(
                StageReport(
                    stage: .scope,
                    status: .needsChange,
                    detail: "filter differs: RecipientType -eq 'UserMailbox'",
                    changes: [
                        PlannedChange(
                            action: .update,
                            summary: "Set the scope's filter back to the group",
                            powershell:
                                "Set-ManagementScope -Identity 'WorkableUsersScope' -RecipientRestrictionFilter \"MemberOfGroup -eq 'CN=WorkableUsers,OU=contoso.onmicrosoft.com'\""
                        )
                    ]
                )
            )
        ),
        .engine(.stage(verified(.connect, "in-scope allowed (200), out-of-scope ALLOWED (200)"))),
        .finished(.drift([.impersonationRole, .scope])),
    ]

    /// A model at the start screen, launched with no saved run.
    static func launchedModel(size: TerminalSize = standard, savedRun: SavedRunSummary? = nil) -> WizardModel {
        var model = WizardModel(
            now: start,
            size: size,
            answers: nil,
            environmentLabel: "DEMO · simulated tenant",
            timeZone: utc
        )
        _ = update(&model, .launched(savedRun: savedRun))
        return model
    }

    /// A model whose form holds `answers`, on `page`.
    static func formModel(page: FormPage = .tenant, answers: WizardAnswers = answers) -> WizardModel {
        var model = WizardModel(
            now: start,
            size: standard,
            answers: answers,
            mode: .setup,
            environmentLabel: "DEMO · simulated tenant",
            timeZone: utc
        )
        _ = update(&model, .launched(savedRun: nil))
        if page != .tenant { model.openForm(at: page) }
        return model
    }

    /// A model in a setup run, after `updates`.
    static func runModel(_ updates: [WizardUpdate], confirm: Bool = true, size: TerminalSize = standard) -> WizardModel
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
}

extension WizardModel {
    /// Sends each message in turn and returns every effect.
    @discardableResult
    mutating func send(_ messages: [WizardMessage]) -> [WizardEffect] {
        messages.flatMap { update(&self, $0) }
    }

    /// Types `text` key by key.
    @discardableResult
    mutating func type(_ text: String) -> [WizardEffect] {
        send(text.map { .key(.character($0)) })
    }

    /// Presses keys in turn.
    @discardableResult
    mutating func press(_ keys: Key...) -> [WizardEffect] {
        send(keys.map { .key($0) })
    }
}
