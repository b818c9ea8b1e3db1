import Foundation
import MailscopeEngine
import Testing

/// The grants that void a scope come from the RBAC for Applications role table, in one place
/// (issue 10, item 6): the engine once knew only Mail, Calendars, Contacts, MailboxSettings,
/// MailboxFolder and MailboxItem prefixes, and the script only the first four.
@Suite("tenant-wide grants that void the scope", .serialized)
struct ScopeVoidingGrantTests {
    @Test func everyPermissionOfTheRoleTableVoidsTheScope() {
        for permission in [
            "Mail-Advanced.ReadWrite.All", "MailboxConfigItem.ReadWrite", "MailboxFolder.Read.All", "MailboxItem.Read.All",
            "MailTips.ReadBasic.All", "full_access_as_app", "Calendars.ReadWrite", "mail.read",
        ] {
            #expect(ApplicationRole.voidsScope(permission), "\(permission)")
        }
        #expect(!ApplicationRole.voidsScope("User.Read.All"))
        #expect(!ApplicationRole.voidsScope("Group.Read.All"))
    }

    @Test func theScriptRemovesTheSameSet() throws {
        var config = SetupConfig(preset: Preset.named("workable")!, tenant: "contoso.onmicrosoft.com")
        config.members = ["avery.adams@contoso.com"]
        let script = ScriptRenderer.render(config)
        #expect(script.contains("'Mail-Advanced.ReadWrite.All'"))
        #expect(script.contains("'MailboxConfigItem.ReadWrite'"))
        #expect(script.contains("if ($voiding -contains $role)"))
    }

    @Test func aTenantWideMailboxConfigItemGrantIsFoundAndRemoved() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let appID = try #require(await harness.tenant.applications().first { $0.displayName == "workable_service" }?.appId)
        _ = try await harness.tenant.grantTenantWide(appID: appID, permission: "MailboxConfigItem.ReadWrite")
        let reports = try await harness.engine(harness.config()).check()
        let role = try #require(reports.report(.impersonationRole))
        #expect(role.status != .verified)
        #expect(role.changes.contains { $0.summary.contains("MailboxConfigItem.ReadWrite") })
        _ = try await harness.apply(harness.config())
        #expect(await harness.tenant.grants(appID: appID).isEmpty)
    }
}
