import Foundation
import MailscopeCore
import MailscopeEngine
import TenantSimulator
import Testing

/// Issue 14, part 4 (Exchange Online): FullAccess of the service-account mailbox user on the
/// integration's mailboxes (the delegate access the Eptura guide warns about) is listed by `check`
/// and removed by apply, one `Remove-MailboxPermission` each.
@Suite("Delegate access of the mailbox user", .serialized)
struct MailboxUserDelegateAccessTests {
    static let user = "workable_service@contoso.com"

    @Test func fullAccessIsListedRemovedAndItsReturnNamed() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { config in
            config.mailboxUser = Self.user
            config.usageLocation = "US"
        }
        #expect(try await harness.apply(config) == .verified)
        let clean = try await harness.engine(config).check()
        for report in clean { #expect(report.status == .verified, "\(report.stage): \(report.detail)") }
        #expect(
            clean.report(.scope)?.evidence.contains {
                $0.contains("-User \(Self.user) on") && $0.hasSuffix("no FullAccess")
            } == true
        )

        // Someone follows the guide's delegate-access route: check lists it, apply removes it.
        let mailbox = Harness.members[0]
        try await harness.tenant.runFixtureCmdlet(
            "Add-MailboxPermission",
            ["Identity": .string(mailbox), "User": .string(Self.user), "AccessRights": ["FullAccess"]]
        )
        let drifted = try await harness.engine(config).check()
        let scope = try #require(drifted.report(.scope))
        #expect(scope.status == .needsChange)
        #expect(scope.steps.contains { $0.name == "delegate access" && $0.detail.contains("FullAccess on \(mailbox)") })
        let change = try #require(scope.changes.first { $0.summary.contains("FullAccess") })
        #expect(
            change.powershell
                == "Remove-MailboxPermission -Identity '\(mailbox)' -User '\(Self.user)' -AccessRights FullAccess -InheritanceType All -Confirm:$false"
        )
        #expect(try await harness.apply(config) == .verified)
        #expect(await harness.tenant.fullAccessHolders(mailbox: mailbox).isEmpty)
        for report in try await harness.engine(config).check() {
            #expect(report.status == .verified, "\(report.stage): \(report.detail)")
        }
    }
}
