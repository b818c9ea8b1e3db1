import Foundation
import MailscopeEngine
import Testing

/// A device-code sign-in asks for the least privileged permission of each API the config will
/// call, and the simulator refuses a request whose permission the token lacks (issue 10, item 2:
/// a mailbox user needs User.ReadWrite.All and LicenseAssignment.ReadWrite.All, which were never asked for).
@Suite("delegated scopes follow the config", .serialized)
struct DelegatedScopeTests {
    @Test func scopesAreTheLeastPrivilegedForTheRequestsMade() {
        var config = SetupConfig(preset: Preset.named("workable")!, tenant: "contoso.onmicrosoft.com")
        #expect(
            config.delegatedGraphScopes == [
                "User.Read", "RoleManagement.Read.Directory", "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All",
                "User.Read.All", "GroupMember.Read.All", "RoleManagement.ReadWrite.Exchange",
            ])
        config.mailboxUser = "workable_service@contoso.com"
        #expect(config.delegatedGraphScopes.contains("User.ReadWrite.All"))
        #expect(config.delegatedGraphScopes.contains("LicenseAssignment.ReadWrite.All"))
        #expect(config.delegatedGraphScopes.contains("Organization.Read.All"))
        #expect(!config.delegatedGraphScopes.contains("Group.ReadWrite.All"))
        config.groupKind = .microsoft365
        #expect(config.delegatedGraphScopes.contains("Group.ReadWrite.All"))
        #expect(!config.delegatedGraphScopes.contains("Directory.Read.All"))
    }

    @Test func theDeviceCodeRequestCarriesExactlyThoseScopes() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config {
            $0.mailboxUser = "workable_service@contoso.com"
            $0.usageLocation = "US"
        }
        let capture = CapturingTransport()
        #expect(try await harness.engine(config, transport: capture).apply { _ in true } == .verified)
        let request = try #require(capture.requests.first { $0.url.path.hasSuffix("/devicecode") })
        let body = String(decoding: request.body ?? Data(), as: UTF8.self).removingPercentEncoding ?? ""
        for scope in config.delegatedGraphScopes { #expect(body.contains("/\(scope)"), "\(scope)") }
        #expect(!body.contains("Directory.Read.All"))
        #expect(await harness.tenant.user("workable_service@contoso.com") != nil)
    }
}
