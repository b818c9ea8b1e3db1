import Foundation
import MailscopeEngine
import Testing

/// App-only admin sign-in needs Exchange.ManageAsApp and an Entra role that manages Exchange
/// (issue 10, item 13; app-only-auth-powershell-v2): whichever is missing is named before any
/// Exchange write, instead of an opaque 401/403 later.
@Suite("app-only Exchange management is checked at sign-in", .serialized)
struct AppOnlyExchangeTests {
    static let graphPermissions = [
        "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "Directory.Read.All", "User.Read.All",
        "RoleManagement.ReadWrite.Exchange",
    ]

    func run(exchangePermissions: [String], directoryRoles: [String]) async throws -> EngineError? {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let automation = try await harness.tenant.registerAutomationApp(
            graphPermissions: Self.graphPermissions, exchangePermissions: exchangePermissions,
            directoryRoles: directoryRoles)
        let config = harness.config {
            $0.signIn = .clientSecret
            $0.clientID = automation.appID
            $0.adminSecret = .environmentVariable("AUTOMATION_SECRET")
        }
        do {
            _ = try await harness.engine(config, variables: ["AUTOMATION_SECRET": automation.clientSecret]).check()
            return nil
        } catch let error as EngineError {
            #expect(harness.events.writes.isEmpty)
            return error
        }
    }

    @Test func withoutManageAsAppTheSignInSaysSo() async throws {
        let error = try #require(try await run(exchangePermissions: [], directoryRoles: ["Exchange Administrator"]))
        #expect(error.stage == .signIn)
        #expect(error.message.contains("the Exchange.ManageAsApp permission"))
        #expect(!error.message.contains("Entra role"))
        #expect(error.fix.contains("Office 365 Exchange Online › Exchange.ManageAsApp"))
    }

    @Test func withoutAnExchangeRoleTheSignInSaysSo() async throws {
        let error = try #require(try await run(exchangePermissions: ["Exchange.ManageAsApp"], directoryRoles: []))
        #expect(error.message.contains("an Entra role that manages Exchange"))
        #expect(!error.message.contains("ManageAsApp"))
        #expect(error.fix.contains("Exchange Administrator"))
    }

    @Test func withBothTheCheckPasses() async throws {
        #expect(try await run(exchangePermissions: ["Exchange.ManageAsApp"], directoryRoles: ["Exchange Administrator"]) == nil)
    }
}
