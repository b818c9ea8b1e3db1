import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

@Suite("Unattended sign-in and certificate credentials", .serialized)
struct UnattendedTests {
    @Test func clientSecretSignInRunsEveryStage() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let automation = try await harness.tenant.registerAutomationApp(
            graphPermissions: [
                "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "Directory.Read.All",
                "Group.ReadWrite.All",
                "User.Read.All", "RoleManagement.ReadWrite.Exchange",
            ],
            directoryRoles: ["Exchange Administrator"]
        )
        let config = harness.config { config in
            config.signIn = .clientSecret
            config.clientID = automation.appID
            config.adminSecret = .environmentVariable("AUTOMATION_SECRET")
        }
        let environment = EngineEnvironment(
            transport: ContractCheckingTransport(
                TracingTransport(CurlTransport(), recorder: harness.recorder, clock: harness.clock),
                endpoints: harness.endpoints),
            clock: harness.clock,
            stateDirectory: harness.stateDirectory,
            variables: ["AUTOMATION_SECRET": automation.clientSecret]
        )
        let engine = try SetupEngine(config: config, environment: environment) { harness.events.append($0) }
        #expect(try await engine.apply { _ in true } == .verified)
        let tenant = await engine.signedInTenant
        #expect(tenant?.signedInAs.contains(automation.appID) == true)
    }

    @Test func aMissingSecretVariableIsAClearSignInError() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { config in
            config.signIn = .clientSecret
            config.clientID = "11111111-2222-3333-4444-555555555555"
            config.adminSecret = .environmentVariable("NOT_SET_ANYWHERE")
        }
        do {
            _ = try await harness.engine(config).check()
            Issue.record("expected a sign-in error")
        } catch let error as EngineError {
            #expect(error.stage == .signIn)
            #expect(error.message.contains("NOT_SET_ANYWHERE"))
        }
        #expect(await harness.recorder.count == 0)
    }

    @Test func aCertificateCredentialSignsTheAppsOwnCalls() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.credential = .certificate }
        #expect(try await harness.apply(config) == .verified)
        let app = try #require(await harness.tenant.applications().first { $0.displayName == "workable_service" })
        #expect(app.keyCredentials.count == 1)
        #expect(app.passwordCredentials.isEmpty)
        let store = JournalStore(stateDirectory: harness.stateDirectory, config: config)
        let held = try #require(store.load()?.credential)
        #expect(held.kind == .certificate)
        #expect(PrivateFiles.permissions(of: URL(fileURLWithPath: held.path)) == 0o600)
        // The connect stage proved access with a client assertion signed by that key.
        let reports = try await harness.engine(config).check()
        #expect(reports.report(.connect)?.status == .verified)
        #expect(harness.events.handOff?.contains { $0.label == "Certificate thumbprint" } == true)
    }
}
