import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

@Suite("check flags what voids or endangers the scope", .serialized)
struct CheckFlagTests {
    @Test func anExclusiveScopeFailsAndANestedGroupIsNamed() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        try await harness.tenant.markScopeExclusive(name: "WorkableUsersScope")
        try await harness.tenant.addGroupMember(group: "WorkableUsers", member: "Meeting Rooms")

        let reports = try await harness.engine(harness.config()).check()
        let scope = try #require(reports.report(.scope))
        #expect(scope.status == .failed)
        #expect(scope.detail.contains("exclusive"))
        #expect(scope.fix?.contains("Remove-ManagementScope") == true)
        #expect(scope.steps.contains { $0.name == "exclusive scope" && $0.status == .failed })
        let group = try #require(reports.report(.distributionGroup))
        #expect(group.warnings.contains { $0.contains("contains the group") && $0.contains("NOT in scope") })
        // apply cannot repair an exclusive scope: it stops before its first write, with the scope named.
        let writes = harness.events.writes.count
        await #expect(throws: EngineError.self) { try await harness.apply(harness.config()) }
        #expect(harness.events.writes.count == writes)
    }

    @Test func aCredentialExpiringSoonWarnsAndAnExpiredOneFailsUntilApplyReplacesIt() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let appID = try #require(await harness.tenant.applications().first { $0.displayName == "workable_service" }?.appId)

        // Another secret of the app, ending in 10 days: a warning; the stage still holds.
        try await harness.tenant.addExpiringSecret(
            appID: appID, displayName: "portal secret", end: harness.clock.now.addingTimeInterval(10 * 86_400))
        var reports = try await harness.engine(harness.config()).check()
        var account = try #require(reports.report(.serviceAccount))
        #expect(account.status == .verified)
        #expect(account.warnings.contains { $0.contains("credential portal secret expires on") })

        // Every credential ended yesterday: the held one can no longer sign in.
        try await harness.tenant.setCredentialsEnd(appID: appID, end: harness.clock.now.addingTimeInterval(-86_400))
        reports = try await harness.engine(harness.config()).check()
        account = try #require(reports.report(.serviceAccount))
        #expect(account.status == .failed)
        #expect(account.steps.contains { $0.name == "credential" && $0.status == .failed && $0.detail.contains("expired") })
        #expect(account.fix?.contains("new credential") == true)

        // apply adds a new credential and the stage holds again.
        #expect(try await harness.apply(harness.config()) == .verified)
        reports = try await harness.engine(harness.config()).check()
        #expect(reports.report(.serviceAccount)?.status == .verified)
    }
}
