import Foundation
import MailscopeCore
import MailscopeEngine
import TenantSimulator
import Testing

/// Issue 14, part 1: the vendor's own (multi-tenant) app (`service_account.app_id`). No app and no
/// credential are made; the app's service principal is found or created with the documented
/// upsert; tenant-wide grants go only after the scoped role assignments exist; the proof is
/// `Test-ServicePrincipalAuthorization` alone.
@Suite("The vendor's own app", .serialized)
struct VendorAppTests {
    static let vendor = PublishedApp.exampleVendorBooking

    func vendorConfig(_ harness: Harness, appID: String = vendor.appId) -> SetupConfig {
        harness.config { $0.vendorAppID = appID }
    }

    @Test func applyCreatesOneServicePrincipalAndNoAppNoCredentialThenARerunChangesNothing() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let appsBefore = await harness.tenant.applications()
        let principalsBefore = await harness.tenant.servicePrincipals().count
        let engine = try harness.engine(vendorConfig(harness))
        #expect(try await engine.apply { _ in true } == .verified)

        let apps = await harness.tenant.applications()
        #expect(apps.map(\.id) == appsBefore.map(\.id), "no application is created")
        #expect(apps.allSatisfy { $0.passwordCredentials.isEmpty && $0.keyCredentials.isEmpty } == appsBefore.allSatisfy {
            $0.passwordCredentials.isEmpty && $0.keyCredentials.isEmpty
        })
        let principals = await harness.tenant.servicePrincipals()
        #expect(principals.count == principalsBefore + 1)
        let vendorPrincipals = principals.filter { $0.appId == Self.vendor.appId }
        #expect(vendorPrincipals.count == 1)
        #expect(vendorPrincipals.first?.appOwnerOrganizationId == Self.vendor.appOwnerOrganizationId)
        #expect(await harness.tenant.exchangeServicePrincipals().filter { $0.appId == Self.vendor.appId }.count == 1)
        let journal = await engine.currentJournal
        #expect(journal.credential == nil)
        #expect(!journal.completedWrites.contains {
            switch $0.write {
            case .createApplication, .addSecret, .addCertificate: true
            default: false
            }
        })
        #expect(harness.events.writes.filter { $0.text.contains("service principal") && $0.text.contains("Create") }.count == 1)

        // The report names the vendor's app; the hand-off has no secret and says how to confirm.
        let account = try #require(harness.events.all.compactMap { event -> StageReport? in
            if case .stage(let report) = event, report.stage == .serviceAccount, report.status == .verified { return report }
            return nil
        }.last)
        #expect(account.detail.contains("the vendor's app Example Vendor Booking (\(Self.vendor.appOwnerOrganizationId))"))
        #expect(account.detail.contains("holds no credential"))
        let handOff = try #require(harness.events.handOff)
        #expect(handOff.contains { $0.value == Self.vendor.appId })
        #expect(!handOff.contains { $0.isSecret })
        #expect(!handOff.contains { $0.label.contains("secret") }, "no preset form of a tenant's own app: \(handOff)")
        #expect(handOff.contains { $0.value.contains("403") })
        #expect(handOff.contains { $0.label == "Roles" })

        // A re-run: nothing to write; check healthy, with the effective step named untestable.
        let writes = harness.events.writes.count
        #expect(try await harness.apply(vendorConfig(harness)) == .verified)
        #expect(harness.events.writes.count == writes)
        let reports = try await harness.engine(vendorConfig(harness)).check()
        for report in reports { #expect(report.status == .verified, "\(report.stage): \(report.detail)") }
        let connect = try #require(reports.report(.connect))
        #expect(connect.steps.contains { $0.name == "effective access" && $0.detail.contains("not testable without the vendor's credential") })
        #expect(connect.evidence.contains { $0.contains("not testable without the vendor's credential") })
    }

    @Test func aConsentedVendorAppKeepsItsGrantsUntilTheScopedAssignmentsExist() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try await harness.tenant.consentToPublishedApp(
            appID: Self.vendor.appId, permissions: ["Calendars.ReadWrite", "Mail.ReadWrite"])
        let principalsBefore = await harness.tenant.servicePrincipals().count

        let planned = try await harness.engine(vendorConfig(harness)).plan()
        let role = try #require(planned.report(.impersonationRole))
        #expect(role.changes.allSatisfy { !$0.summary.contains("tenant-wide") })
        #expect(role.warnings.contains { $0.contains("after the scoped role assignments exist") })
        let scope = try #require(planned.report(.scope))
        let summaries = scope.changes.map(\.summary)
        let lastAssignment = try #require(summaries.lastIndex { $0.hasPrefix("Assign ") })
        let firstRemoval = try #require(summaries.firstIndex { $0.contains("tenant-wide") })
        #expect(lastAssignment < firstRemoval)

        let capture = CapturingTransport()
        let engine = try harness.engine(vendorConfig(harness), transport: capture)
        #expect(try await engine.apply { _ in true } == .verified)
        #expect(await harness.tenant.servicePrincipals().count == principalsBefore, "the consented principal is reused")
        // Phase 1: Test-ServicePrincipalAuthorization showed the scoped roles in scope before the
        // first grant went; phase 2 waited after the removal.
        let requests = capture.requests
        let lastPost = try #require(requests.lastIndex { $0.method == "POST" && $0.url.path.hasSuffix("/roleManagement/exchange/roleAssignments") })
        let firstDelete = try #require(requests.firstIndex { $0.method == "DELETE" && $0.url.path.contains("/appRoleAssignments/") })
        #expect(requests[lastPost..<firstDelete].contains {
            String(decoding: $0.body ?? Data(), as: UTF8.self).contains("Test-ServicePrincipalAuthorization")
        }, "the in-scope test ran between the assignments and the removal")
        #expect(harness.events.all.contains {
            if case .stage(let report) = $0 { report.stage == .connect && report.detail.hasPrefix("phase 1 of 2") } else { false }
        })
        #expect(await harness.tenant.grants(appID: Self.vendor.appId).isEmpty)
        #expect(harness.events.handOff?.contains { $0.label == "Tenant-wide grants removed" } == true)
        let order = await engine.currentJournal.completedWrites.map(\.write)
        let assignments = order.indices.filter {
            if case .createRoleAssignment = order[$0] { return true } else { return false }
        }
        let removals = order.indices.filter {
            if case .removeTenantWideGrant = order[$0] { return true } else { return false }
        }
        #expect(assignments.count == vendorConfig(harness).roles.count)
        #expect(removals.count == 2)
        #expect((assignments.max() ?? .max) < (removals.min() ?? .min), "grants removed only after the assignments: \(order)")

        // A second consent re-adds a grant: check names it, apply removes it again.
        try await harness.tenant.grantTenantWide(appID: Self.vendor.appId, permission: "Mail.ReadWrite")
        let reports = try await harness.engine(vendorConfig(harness)).check()
        let again = try #require(reports.report(.scope))
        #expect(again.status == .failed, "a grant that came back is exposure, not a plan detail")
        #expect(again.detail.contains("came back: Mail.ReadWrite (removed "))
        #expect(again.fix?.contains("mailscope apply") == true)
        #expect(again.changes.contains { $0.summary.contains("Mail.ReadWrite") })
        #expect(reports.report(.impersonationRole)?.warnings.contains { $0.contains("Mail.ReadWrite") } == true)
        _ = try await harness.apply(vendorConfig(harness))
        #expect(await harness.tenant.grants(appID: Self.vendor.appId).isEmpty)
    }

    @Test func anUnknownAppIDFailsWithItsFix() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let principalsBefore = await harness.tenant.servicePrincipals().count
        let scopesBefore = await harness.tenant.managementScopes().count
        for appID in ["0d9a1f2e-3b4c-4d5e-8f6a-7b8c9d0e1f2a", PublishedApp.exampleSingleTenant.appId] {
            do {
                _ = try await harness.apply(vendorConfig(harness, appID: appID))
                Issue.record("apply with an unknown app id \(appID) succeeded")
            } catch let error as EngineError {
                #expect(error.stage == .serviceAccount)
                #expect(error.message.contains("was not found"))
                #expect(error.message.contains("does not reference a valid application"))
                #expect(error.fix.contains("service_account.app_id"))
            }
        }
        #expect(await harness.tenant.servicePrincipals().count == principalsBefore)
        #expect(await harness.tenant.managementScopes().count == scopesBefore)
    }

    @Test func theConfigRefusesWhatMakesNoSenseWithAVendorApp() throws {
        let base = """
            preset = "workable"
            [tenant]
            id = "contoso.onmicrosoft.com"
            [group]
            members = ["alex@contoso.com"]
            [service_account]
            app_id = "\(Self.vendor.appId)"
            """
        let config = try ConfigLoader.parse(base)
        #expect(config.vendorAppID == Self.vendor.appId)

        let secret = configProblems(base + "\ncredential = \"secret\"")
        #expect(secret.contains { $0.field == "service_account.credential" && $0.message.contains("app_id") })
        let days = configProblems(base + "\ncredential_lifetime_days = 90")
        #expect(days.contains { $0.field == "service_account.credential_lifetime_days" })
        let notGUID = configProblems(base.replacingOccurrences(of: Self.vendor.appId, with: "example-vendor"))
        #expect(notGUID.contains { $0.field == "service_account.app_id" && $0.message.contains("GUID") })
        let server = configProblems(
            """
            target = "exchange-server"
            preset = "workable"
            [server]
            ews_url = "https://mail.contoso.com/EWS/Exchange.asmx"
            [service_account]
            name = "Room Booking Service"
            address = "svc-booking@contoso.com"
            password_env = "MAILSCOPE_SVC_PASSWORD"
            app_id = "\(Self.vendor.appId)"
            [group]
            members = ["alex@contoso.com"]
            [connect]
            out_of_scope_mailbox = "ceo@contoso.com"
            """)
        #expect(server.contains { $0.field == "service_account.app_id" && $0.message.contains("Exchange Online only") })
    }

    @Test func theScriptMakesNoAppAndRemovesGrantsAfterTheAssignments() {
        var config = SetupConfig(preset: Preset.named("workable")!, tenant: "contoso.onmicrosoft.com")
        config.members = ["avery.adams@contoso.com"]
        config.vendorAppID = Self.vendor.appId
        let script = ScriptRenderer.render(config)
        #expect(!script.contains("applications(uniqueName="))
        #expect(!script.contains("Add-MgApplicationPassword"))
        #expect(script.contains("New-MgServicePrincipal -AppId '\(Self.vendor.appId)'"))
        let lastAssignment = try? #require(script.range(of: "New-ManagementRoleAssignment", options: .backwards))
        let removal = try? #require(script.range(of: "Remove-MgServicePrincipalAppRoleAssignment"))
        if let lastAssignment, let removal { #expect(lastAssignment.upperBound < removal.lowerBound) }
    }

    @Test func anOutOfScopeMailboxShownInScopeIsAFailureWithoutEffectiveEvidence() {
        var evidence = PollEvidence(
            at: Date(), configuredInScope: true, configuredOutOfScope: false, inScopeAllowed: nil,
            outOfScopeDenied: nil, lines: [])
        evidence.effectiveUnobservable = true
        #expect(!evidence.isSettled)
        evidence.configuredOutOfScope = nil
        #expect(!evidence.isSettled, "no verdict on the outside mailbox proves nothing")
        evidence.configuredOutOfScope = true
        #expect(evidence.isSettled)
        evidence.configuredInScope = nil
        #expect(!evidence.isSettled)
    }

    @Test func theGrantsStayWhileTheScopedRolesDoNotReachTheInScopeMailbox() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try await harness.tenant.consentToPublishedApp(
            appID: Self.vendor.appId, permissions: ["Calendars.ReadWrite", "Mail.ReadWrite"])
        // A mailbox outside the group named as the in-scope one: the scoped roles never reach it.
        let config = harness.config {
            $0.vendorAppID = Self.vendor.appId
            $0.inScopeMailbox = "dana.adams@contoso.com"
            $0.waitDeadlineMinutes = 60
        }
        do {
            _ = try await harness.engine(config).apply { _ in true }
            Issue.record("the grants were removed although the scoped roles never showed in scope")
        } catch let error as EngineError {
            #expect(error.message.contains("phase 1 of 2: scoped roles taking effect: not over by the deadline (60 min)"))
            #expect(error.message.contains("InScope=False"))
            #expect(error.fix.contains("nothing that narrows access is removed"))
        }
        #expect(await harness.tenant.grants(appID: Self.vendor.appId).count == 2, "no outage: the vendor keeps its access")
        #expect(await harness.tenant.roleAssignments().count == config.roles.count)
    }
}
