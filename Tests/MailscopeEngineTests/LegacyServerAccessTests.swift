import Foundation
import MailscopeCore
import MailscopeEngine
import TenantSimulator
import Testing

/// Issue 14, part 4 (Exchange Server): what the old guides left on the server. A role group with
/// ApplicationImpersonation and the organisation-wide default scope holding the service account
/// (the Eptura and Nylas guides), an unscoped assignment to it, and FullAccess delegations on the
/// integration's mailboxes are each reported by `check` and replaced by the scoped assignment.
@Suite("Legacy access on Exchange Server", .serialized)
struct LegacyServerAccessTests {
    static let account = "svc-booking@contoso.com"
    static let outside = "dana.adams@contoso.com"

    /// The service account as an old guide left it: a mailbox with its password, nothing scoped.
    func legacyAccount(_ setup: ServerEngineTests.Setup) async throws {
        try await setup.harness.tenant.addUser(nickname: "svc-booking", displayName: "Room Booking Service")
        try await setup.harness.tenant.setPassword(user: Self.account, password: ServerEngineTests.password)
    }

    func shell(_ setup: ServerEngineTests.Setup, _ name: String, _ parameters: [String: JSONValue]) async throws {
        try await setup.harness.tenant.runFixtureCmdlet(name, parameters)
    }

    func roleGroupMembers(_ setup: ServerEngineTests.Setup) async -> [String] {
        await setup.harness.tenant.roleGroups().first { $0.name == "NylasImpersonation" }?.members ?? []
    }

    @Test func aRoleGroupAndAnUnscopedAssignmentAreExposureReplacedByTheScopedAssignment() async throws {
        let setup = try await ServerEngineTests.start()
        defer { Task { await setup.harness.stop() } }
        try await legacyAccount(setup)
        try await shell(
            setup,
            "New-RoleGroup",
            ["Name": "NylasImpersonation", "Roles": ["ApplicationImpersonation"], "Members": [.string(Self.account)]]
        )
        try await shell(
            setup,
            "New-ManagementRoleAssignment",
            ["Name": "EpturaImpersonation", "Role": "ApplicationImpersonation", "User": .string(Self.account)]
        )
        await setup.harness.tenant.settlePropagation()
        #expect(await setup.harness.tenant.canImpersonate(account: Self.account, mailbox: Self.outside))

        // Detected: the out-of-scope mailbox answers, named as exposure with its causes.
        let config = setup.config()
        let planned = try await setup.engine(config).plan()
        let scope = try #require(planned.report(.scope))
        #expect(scope.status == .needsChange)
        #expect(scope.detail.contains("exposure: the account reaches \(Self.outside), OUTSIDE the scope"))
        #expect(scope.detail.contains("role group"))
        let repair = try #require(scope.changes.last?.powershell)
        #expect(repair.contains("-AssignmentMethod Direct"))
        #expect(repair.contains("Remove-RoleGroupMember -Member '\(Self.account)'"))
        // The scoped assignment comes before any removal.
        let created = try #require(repair.range(of: "New-ManagementRoleAssignment"))
        let removed = try #require(repair.range(of: "Remove-ManagementRoleAssignment"))
        #expect(created.lowerBound < removed.lowerBound)

        // Applied: the scoped assignment replaces both; the role group stays for its other members.
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        #expect(setup.shell.steps.contains { $0.id == "repair-scope" })
        let names = await setup.harness.tenant.userRoleAssignments().map(\.name)
        #expect(names.contains(config.impersonationAssignmentName))
        #expect(!names.contains("EpturaImpersonation"))
        #expect(names.contains("ApplicationImpersonation-NylasImpersonation"))
        #expect(await roleGroupMembers(setup).isEmpty)
        #expect(!(await setup.harness.tenant.canImpersonate(account: Self.account, mailbox: Self.outside)))
        for report in try await setup.engine(config).check() {
            #expect(report.status == .verified, "\(report.stage): \(report.detail)")
        }

        // Drift: someone adds the account to the role group again. check names it; apply repairs it.
        try await shell(
            setup,
            "Add-RoleGroupMember",
            ["Identity": "NylasImpersonation", "Member": .string(Self.account)]
        )
        try await setup.harness.clock.sleep(for: .seconds(3 * 3600))
        let drifted = try await setup.engine(config).check()
        #expect(drifted.report(.scope)?.detail.contains("exposure") == true)
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        #expect(await roleGroupMembers(setup).isEmpty)
        #expect(
            await setup.harness.tenant.userRoleAssignments().filter { $0.roleGroup == nil }.map(\.name) == [
                config.impersonationAssignmentName
            ]
        )
    }

    @Test func fullAccessOnTheIntegrationsMailboxesIsListedAndRemoved() async throws {
        let setup = try await ServerEngineTests.start()
        defer { Task { await setup.harness.stop() } }
        try await legacyAccount(setup)
        let delegated = ServerEngineTests.members[0]
        try await shell(
            setup,
            "Add-MailboxPermission",
            ["Identity": .string(delegated), "User": .string(Self.account), "AccessRights": ["FullAccess"]]
        )
        let config = setup.config()

        let planned = try await setup.engine(config).plan()
        let scope = try #require(planned.report(.scope))
        #expect(scope.steps.contains { $0.name == "delegate access" && $0.detail.contains(delegated) })
        #expect(scope.evidence.contains { $0.contains("without impersonation → opened: \(delegated)") })
        let removal = try #require(scope.changes.first { $0.powershell.contains("Remove-MailboxPermission") })
        #expect(
            removal.powershell.contains("-Identity '\(delegated)' -User '\(Self.account)' -AccessRights FullAccess")
        )
        #expect(removal.action == .remove)

        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        #expect(await setup.harness.tenant.fullAccessHolders(mailbox: delegated).isEmpty)
        let clean = try await setup.engine(config).check()
        for report in clean { #expect(report.status == .verified, "\(report.stage): \(report.detail)") }
        #expect(clean.report(.scope)?.evidence.contains { $0.contains("no delegate access") } == true)

        // Drift: the delegation comes back on another mailbox; check lists it, apply removes it.
        try await shell(
            setup,
            "Add-MailboxPermission",
            ["Identity": .string(Self.outside), "User": .string(Self.account), "AccessRights": ["FullAccess"]]
        )
        let drifted = try await setup.engine(config).check()
        let again = try #require(drifted.report(.scope))
        #expect(again.status == .needsChange)
        #expect(again.detail.contains("delegate access (FullAccess) on \(Self.outside)"))
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        #expect(await setup.harness.tenant.fullAccessHolders(mailbox: Self.outside).isEmpty)
    }
}
