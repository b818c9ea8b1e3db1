import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

@Suite("Service-account mailbox user", .serialized)
struct MailboxUserTests {
    @Test func aLicensedMailboxUserIsCreatedOnceAndItsPasswordShownOnce() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { config in
            config.mailboxUser = "workable_service@contoso.com"
            config.usageLocation = "US"
        }
        #expect(try await harness.apply(config) == .verified)
        let user = try #require(await harness.tenant.user("workable_service@contoso.com"))
        #expect(user.recipientTypeDetails == "UserMailbox")
        #expect(user.assignedLicenses == ["4b9405b0-7788-4568-add1-99614e613b69"])
        let handOff = try #require(harness.events.handOff)
        let password = try #require(handOff.first { $0.label.hasPrefix("Mailbox password (shown once)") }?.value)
        let journal = try String(
            contentsOf: JournalStore(stateDirectory: harness.stateDirectory, config: config).journalURL, encoding: .utf8)
        #expect(!journal.contains(password))
        // A second run changes nothing and shows no password.
        let users = await harness.tenant.users().count
        #expect(try await harness.apply(config) == .verified)
        #expect(await harness.tenant.users().count == users)
        #expect(harness.events.handOff?.contains { $0.label.hasPrefix("Mailbox password (shown once)") } == false)
    }

    @Test func aLicenceWithoutUsageLocationIsAClearError() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.mailboxUser = "workable_service@contoso.com" }
        do {
            _ = try await harness.apply(config)
            Issue.record("expected an error")
        } catch let error as EngineError {
            #expect(error.stage == .serviceAccount)
            #expect(error.fix.contains("service_account.usage_location"))
        }
    }
}
