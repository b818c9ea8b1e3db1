import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

@Suite("Group kinds and credential rotation", .serialized)
struct GroupKindTests {
    @Test(arguments: [MailscopeEngine.GroupKind.microsoft365, .mailEnabledSecurity])
    func otherGroupKindsAreCreatedAndVerified(_ kind: MailscopeEngine.GroupKind) async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { config in
            config.groupKind = kind
            config.groupName = "Integration Users"
            config.groupAlias = "integrationusers"
        }
        #expect(try await harness.apply(config) == .verified)
        let group = try #require(await harness.tenant.group("integrationusers"))
        #expect(group.recipientTypeDetails == (kind == .microsoft365 ? "GroupMailbox" : "MailUniversalSecurityGroup"))
        let reports = try await harness.engine(config).check()
        #expect(reports.allSatisfy { $0.status == .verified }, "\(reports.map { "\($0.stage): \($0.detail)" })")
        let before = await harness.inventory()
        #expect(try await harness.apply(config) == .verified)
        #expect(await harness.inventory() == before)
    }

    @Test func aSecondCertificateKeepsTheFirst() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.credential = .certificate }
        #expect(try await harness.apply(config) == .verified)
        // The held key file disappears (another machine, a wiped state directory): a new
        // certificate is added next to the first, which another integration may still use.
        let store = JournalStore(stateDirectory: harness.stateDirectory, config: config)
        let first = try #require(store.load()?.credential)
        try FileManager.default.removeItem(atPath: first.path)
        #expect(try await harness.apply(config) == .verified)
        let app = try #require(await harness.tenant.applications().first { $0.displayName == "workable_service" })
        #expect(app.keyCredentials.count == 2)
        #expect(app.keyCredentials.contains { $0.keyId == first.keyID })
        let second = try #require(store.load()?.credential)
        #expect(second.keyID != first.keyID)
        #expect(FileManager.default.fileExists(atPath: second.path))
    }
}
