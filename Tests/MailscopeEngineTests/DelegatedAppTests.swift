import Foundation
import MailscopeCore
import MailscopeEngine
import TenantSimulator
import Testing

/// Issue 14, part 2: delegated (authorization-code) apps, Workato's first connection. The app gets
/// Workato's redirect URI, Graph's delegated permissions and admin consent for all users (an
/// oauth2PermissionGrant) and a client secret; the group, role and scope stages do not apply.
@Suite("Delegated apps", .serialized)
struct DelegatedAppTests {
    static let workatoCallback = "https://www.workato.com/oauth/callback"
    static let defaultScopes = [
        "Mail.Send", "Mail.ReadWrite", "Mail.ReadWrite.Shared", "Calendars.ReadWrite", "Calendars.ReadWrite.Shared",
        "User.Read", "offline_access",
    ]

    static func delegated(_ harness: Harness) -> SetupConfig {
        harness.config {
            $0.preset = "workato"
            $0.serviceAccountName = "workato_service"
            $0.access = .delegated
            $0.redirectURI = URL(string: workatoCallback)
            $0.delegatedScopes = .defaultSet
        }
    }

    func appID(_ harness: Harness) async throws -> String {
        try #require(await harness.tenant.applications().first { $0.displayName == "workato_service" }?.appId)
    }

    @Test func applyMakesTheAppRedirectURIConsentAndSecretAndNoGroupRoleOrScope() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let before = await harness.inventory()
        #expect(try await harness.apply(Self.delegated(harness)) == .verified)
        let appID = try await appID(harness)
        let app = try #require(await harness.tenant.application(appID: appID))
        #expect(app.otherProperties["web"]?["redirectUris"].array?.compactMap(\.string) == [Self.workatoCallback])
        let declared = app.otherProperties["requiredResourceAccess"]?.array?.first?["resourceAccess"].array ?? []
        #expect(declared.count == 7)
        #expect(declared.allSatisfy { $0["type"].string == "Scope" })
        #expect(
            declared.contains { $0["id"].string == "e383f46e-2787-4529-855e-0e479a3ffac0" },
            "Mail.Send's delegated id"
        )
        let grants = await harness.tenant.delegatedGrants(appID: appID)
        #expect(grants.count == 1)
        #expect(grants.first?.consentType == "AllPrincipals" && grants.first?.principalId == nil)
        #expect(Set(grants.first?.scope ?? []) == Set(Self.defaultScopes))
        #expect(app.passwordCredentials.count == 1)
        let after = await harness.inventory()
        #expect(
            after.groups == before.groups && after.scopes == before.scopes && after.assignments == before.assignments
        )
        #expect(after.exchangePointers == before.exchangePointers, "no Exchange pointer: no RBAC role is assigned")
        // The witness: a user's authorization-code sign-in meets no consent prompt.
        #expect(
            await harness.tenant.authorizationCodeSignInError(
                appID: appID,
                redirectURI: Self.workatoCallback,
                scopes: Self.defaultScopes
            ) == nil
        )

        // The hand-off is Workato's authorization-code form, in its words and order.
        let handOff = try #require(harness.events.handOff)
        #expect(
            Array(handOff.prefix(4).map(\.label)) == [
                "Tenant ID/Domain", "Client ID", "Client secret (shown once)", "Enter them in",
            ]
        )
        #expect(handOff[1].value == appID)
        #expect(handOff[2].isSecret)
        #expect(handOff[3].value.contains("authorization code grant"))
        #expect(handOff.contains { $0.label == "Redirect URI (Web)" && $0.value == Self.workatoCallback })
        #expect(handOff.contains { $0.value.contains("limited by each signed-in user's own mailbox rights") })
        #expect(!handOff.contains { $0.label == "Management scope" || $0.label == "Roles" })
    }

    @Test func checkIsCleanThenNamesEachDriftAndApplyRepairsWithoutDuplicates() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = Self.delegated(harness)
        #expect(try await harness.apply(config) == .verified)
        let appID = try await appID(harness)
        let writes = harness.events.writes.count
        #expect(try await harness.apply(config) == .verified)
        #expect(harness.events.writes.count == writes, "a re-run writes nothing")
        let clean = try await harness.engine(config).check()
        for report in clean {
            #expect(report.status == .verified || report.status == .skipped, "\(report.stage): \(report.detail)")
        }
        for stage in [StageID.distributionGroup, .impersonationRole, .scope] {
            let report = try #require(clean.report(stage))
            #expect(report.status == .skipped)
            #expect(
                report.detail.hasPrefix(
                    "does not apply: delegated access is limited by each signed-in user's own mailbox rights"
                )
            )
        }
        let connect = try #require(clean.report(.connect))
        #expect(connect.detail.contains("a user's sign-in at Workato is the real test"))
        #expect(connect.steps.contains { $0.name == "a user's sign-in" && $0.status == .notVerified })

        // Drift behind mailscope's back: a scope removed from the grant, the redirect URI changed,
        // a permission no longer declared, and the secret expired on the test clock.
        try await harness.tenant.setDelegatedConsent(
            appID: appID,
            scope: Self.defaultScopes.filter { $0 != "Mail.Send" }
        )
        try await harness.tenant.setRedirectURIs(appID: appID, ["https://attacker.example.com/cb"])
        try await harness.tenant.removeDeclaredPermission(appID: appID, id: "12466101-c9b8-439a-8589-dd09ee67e8e9")
        try await harness.tenant.setCredentialsEnd(appID: appID, end: harness.clock.now.addingTimeInterval(-86_400))
        #expect(
            await harness.tenant.authorizationCodeSignInError(
                appID: appID,
                redirectURI: Self.workatoCallback,
                scopes: Self.defaultScopes
            )?.hasPrefix("AADSTS50011") == true
        )

        let drifted = try await harness.engine(config).check()
        let account = try #require(drifted.report(.serviceAccount))
        #expect(account.status == .failed)
        func step(_ name: String) -> StepReport? { account.steps.first { $0.name == name } }
        #expect(step("redirect URI")?.status == .needsChange)
        #expect(step("redirect URI")?.detail.contains("changed: the app has https://attacker.example.com/cb") == true)
        #expect(step("admin consent")?.detail == "missing from the grant: Mail.Send")
        #expect(step("delegated permissions")?.detail == "not declared: Calendars.ReadWrite.Shared")
        #expect(step("credential")?.status == .failed && step("credential")?.detail.contains("expired") == true)
        #expect(account.fix?.contains("new credential") == true)
        #expect(account.warnings.contains { $0.contains("https://attacker.example.com/cb") })
        let summaries = account.changes.map(\.summary)
        #expect(summaries.contains("Add the Web redirect URI \(Self.workatoCallback) to the app"))
        #expect(summaries.contains { $0.hasPrefix("Change the admin consent to") && $0.contains("Mail.Send") })
        #expect(summaries.contains { $0.hasPrefix("Declare the delegated Microsoft Graph permissions") })
        #expect(summaries.contains { $0.hasPrefix("Add a client secret") })
        #expect(
            account.changes.contains {
                $0.powershell.contains("Update-MgOauth2PermissionGrant -OAuth2PermissionGrantId")
            }
        )
        #expect(drifted.report(.connect)?.status == .failed)

        #expect(try await harness.apply(config) == .verified)
        let grants = await harness.tenant.delegatedGrants(appID: appID)
        #expect(grants.count == 1, "the grant is updated, not duplicated")
        #expect(Set(grants.first?.scope ?? []) == Set(Self.defaultScopes))
        #expect(
            await harness.tenant.authorizationCodeSignInError(
                appID: appID,
                redirectURI: Self.workatoCallback,
                scopes: Self.defaultScopes
            ) == nil
        )
        let repaired = try await harness.engine(config).check()
        for report in repaired {
            #expect(report.status == .verified || report.status == .skipped, "\(report.stage): \(report.detail)")
        }
    }

    @Test func aSecretEndingSoonIsNamedAndReplacedAndTheNewOneHandedOff() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = Self.delegated(harness)
        #expect(try await harness.apply(config) == .verified)
        let appID = try await appID(harness)
        let first = try #require(await harness.tenant.application(appID: appID)?.passwordCredentials.first?.keyId)
        try await harness.tenant.setCredentialsEnd(appID: appID, end: harness.clock.now.addingTimeInterval(10 * 86_400))

        let reports = try await harness.engine(config).check()
        let account = try #require(reports.report(.serviceAccount))
        #expect(account.status == .needsChange)
        #expect(account.warnings.contains { $0.contains("expires on") && $0.contains("plan a rotation") })
        #expect(account.steps.contains { $0.name == "credential" && $0.status == .needsChange })
        #expect(account.changes.contains { $0.summary.hasPrefix("Add a client secret") })

        #expect(try await harness.apply(config) == .verified)
        let credentials = await harness.tenant.application(appID: appID)?.passwordCredentials ?? []
        #expect(
            credentials.contains {
                $0.keyId != first && $0.endDateTime > harness.clock.now.addingTimeInterval(170 * 86_400)
            }
        )
        let handOff = try #require(harness.events.handOff)
        #expect(handOff.contains { $0.label == "Client secret (shown once)" && $0.isSecret })
    }

    @Test func aTenantWideApplicationPermissionOnTheDelegatedAppIsAnExposure() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = Self.delegated(harness)
        #expect(try await harness.apply(config) == .verified)
        let appID = try await appID(harness)
        try await harness.tenant.grantTenantWide(appID: appID, permission: "Mail.Read")

        let reports = try await harness.engine(config).check()
        let account = try #require(reports.report(.serviceAccount))
        #expect(account.status == .failed)
        #expect(
            account.detail.hasPrefix(
                "EXPOSED: the delegated app also holds tenant-wide application permissions: Mail.Read"
            )
        )
        #expect(account.fix?.contains("Remove-MgServicePrincipalAppRoleAssignment") == true)
        #expect(reports.report(.connect)?.status == .failed)

        try await harness.tenant.revokeTenantWide(appID: appID, permission: "Mail.Read")
        let clean = try await harness.engine(config).check()
        for report in clean {
            #expect(report.status == .verified || report.status == .skipped, "\(report.stage): \(report.detail)")
        }
    }

    @Test func thePlanSaysTheScopeDoesNotApplyAndShowsEachWritesPowerShell() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let planned = try await harness.engine(Self.delegated(harness)).plan()
        let account = try #require(planned.report(.serviceAccount))
        let lines = account.changes.map(\.powershell).joined(separator: "\n")
        #expect(lines.contains("-Web @{ RedirectUris = @(@($web.RedirectUris) + '\(Self.workatoCallback)') }"))
        #expect(lines.contains("-RequiredResourceAccess"))
        #expect(lines.contains("New-MgOauth2PermissionGrant -ClientId $sp.Id -ConsentType 'AllPrincipals'"))
        #expect(planned.report(.scope)?.detail.contains("an Exchange management scope does not apply to it") == true)
        let script = ScriptRenderer.render(Self.delegated(harness))
        #expect(script.contains("Get-MgOauth2PermissionGrant -Filter"))
        #expect(!script.contains("New-ManagementScope"))
        #expect(script.contains("Connect-MgGraph") && script.contains("DelegatedPermissionGrant.ReadWrite.All"))
    }
}
