import Foundation
import MailscopeCore
import MailscopeEngine
import TenantSimulator
import Testing

/// Nylas's guide (issue 14, part 5): users are connected by their primary address, not an alias, and
/// only in the service account's domain. Both are the guide's requirements, so a member that breaks
/// one fails the group stage, naming it and its fix, and nothing is written until the config is right.
@Suite("Nylas's guide: primary addresses in the service account's domain", .serialized)
struct NylasGuideTests {
    @Test("Exchange Online: a member given by an alias fails the plan, naming the primary address; nothing is written")
    func anAliasFailsOnline() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config {
            $0.preset = "nylas"
            $0.members = ["avery.adams@contoso.com", "badams@contoso.com"]
        }
        let group = try #require(try await harness.engine(config).plan().report(.distributionGroup))
        #expect(group.status == .failed)
        #expect(
            group.detail.contains("group.members[1] 'badams@contoso.com' is an alias of 'blake.adams@contoso.com'"),
            "\(group.detail)"
        )
        #expect(group.fix?.contains("replace it with 'blake.adams@contoso.com'") == true, "\(group.fix ?? "")")
        #expect(group.changes.isEmpty)
        let apps = await harness.tenant.applications().count
        await #expect(throws: EngineError.self) { try await harness.apply(config) }
        #expect(await harness.tenant.applications().count == apps, "nothing was written")
        // Another preset keeps the old rule: the alias is named and its primary address used.
        let workable = harness.config { $0.members = config.members }
        let other = try #require(try await harness.engine(workable).plan().report(.distributionGroup))
        #expect(other.status == .needsChange)
    }

    @Test("Exchange Online: a member outside the domain of the service account's mailbox fails; the primary ones pass")
    func anotherDomainFailsOnline() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        try await harness.tenant.addUser(nickname: "pat.jones", displayName: "Pat Jones", domain: "fabrikam.com")
        let mixed = harness.config {
            $0.preset = "nylas"
            $0.mailboxUser = "nylas_service@contoso.com"
            $0.usageLocation = "US"
            $0.members = ["avery.adams@contoso.com", "pat.jones@fabrikam.com"]
        }
        let group = try #require(try await harness.engine(mixed).plan().report(.distributionGroup))
        #expect(group.status == .failed)
        #expect(
            group.detail.contains(
                "'pat.jones@fabrikam.com' is in the domain fabrikam.com, the service account nylas_service@contoso.com in contoso.com"
            ),
            "\(group.detail)"
        )

        let clean = harness.config {
            $0.preset = "nylas"
            $0.mailboxUser = "nylas_service@contoso.com"
            $0.usageLocation = "US"
            $0.members = ["avery.adams@contoso.com", "blake.adams@contoso.com"]
        }
        #expect(try await harness.apply(clean) == .verified)
        let checked = try #require(try await harness.engine(clean).check().report(.distributionGroup))
        #expect(checked.status == .verified)
        #expect(checked.steps.contains { $0.name == "Nylas: primary addresses, one domain" && $0.status == .verified })
    }

    @Test("Exchange Server: an alias and a member of another domain each fail the group stage; no step is handed over")
    func aliasAndDomainFailOnTheServer() async throws {
        let setup = try await ServerEngineTests.start()
        defer { Task { await setup.harness.stop() } }
        try await setup.harness.tenant.addUser(nickname: "pat.jones", displayName: "Pat Jones", domain: "fabrikam.com")
        let config = setup.config {
            $0.preset = "nylas"
            $0.members = ["avery.adams@contoso.com", "badams@contoso.com", "pat.jones@fabrikam.com"]
        }
        let fixed = setup.config { $0.preset = "nylas" }
        #expect(try await setup.engine(fixed).apply { _ in true } == .verified)
        let handed = setup.shell.steps.count
        let group = try #require(try await setup.engine(config).check().report(.distributionGroup))
        #expect(group.status == .failed)
        let said = [group.detail] + group.warnings
        #expect(
            said.contains { $0.contains("'badams@contoso.com' is an alias of 'blake.adams@contoso.com': Nylas") },
            "\(said)"
        )
        #expect(
            said.contains {
                $0.contains(
                    "'pat.jones@fabrikam.com' is in the domain fabrikam.com, the service account svc-booking@contoso.com"
                )
            },
            "\(said)"
        )
        #expect(group.steps.contains { $0.name == "Nylas: primary addresses, one domain" && $0.status == .failed })
        await #expect(throws: EngineError.self) { try await setup.engine(config).apply { _ in true } }
        #expect(setup.shell.steps.count == handed, "no step with a member Nylas cannot connect")
    }
}
