import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// The role groups and mailbox permissions old guides left on Exchange Server, through the
/// simulated Management Shell (office-docs-powershell New-RoleGroup.md, Get-ManagementRoleAssignment.md,
/// Remove-RoleGroupMember.md, Get-/Remove-MailboxPermission.md).
@Suite("Exchange Server role groups and mailbox permissions")
struct LegacyAccessShellTests {
    @Test("a role group's members hold its ApplicationImpersonation, organisation-wide by default, until they leave it")
    func roleGroup() async throws {
        let tenant = SimulatedTenant(options: SimulatorOptions(propagationDelay: .seconds(60)), clock: .immediate())
        try await OnPremisesTests.impersonationSetUp(tenant)
        _ = try await tenant.shell(
            "New-RoleGroup",
            ["Name": "Nylas Impersonation", "Roles": ["ApplicationImpersonation"], "Members": ["svc.calendar"]]
        )
        await tenant.settlePropagation()
        #expect(await tenant.canImpersonate(account: "svc.calendar@contoso.com", mailbox: "dana.adams@contoso.com"))

        // -RoleAssignee lists direct and role-group assignments; -AssignmentMethod tells them apart.
        let all = try await tenant.shell(
            "Get-ManagementRoleAssignment",
            ["RoleAssignee": "svc.calendar", "Role": "ApplicationImpersonation"]
        )
        #expect(
            all.compactMap { $0["Name"].string }.sorted() == [
                "ApplicationImpersonation-Nylas Impersonation", "Calendar impersonation",
            ]
        )
        let viaGroup = try await tenant.shell(
            "Get-ManagementRoleAssignment",
            ["RoleAssignee": "svc.calendar", "AssignmentMethod": ["RoleGroup"]]
        )
        #expect(viaGroup.map { $0["RoleAssigneeName"].string } == ["Nylas Impersonation"])
        #expect(viaGroup.first?["RecipientWriteScope"].string == "Organization")
        #expect(await tenant.shellError("Get-ManagementRoleAssignment", ["AssignmentMethod": ["Direct"]]) != nil)
        let effective = try await tenant.shell(
            "Get-ManagementRoleAssignment",
            ["Role": "ApplicationImpersonation", "GetEffectiveUsers": true]
        )
        #expect(
            effective.filter { $0["RoleAssigneeType"].string == "RoleGroup" }.map { $0["EffectiveUserName"].string }
                == ["svc.calendar"]
        )

        _ = try await tenant.shell(
            "Remove-RoleGroupMember",
            ["Identity": "Nylas Impersonation", "Member": "svc.calendar@contoso.com"]
        )
        #expect(
            await tenant.shellError(
                "Remove-RoleGroupMember",
                ["Identity": "Nylas Impersonation", "Member": "svc.calendar"]
            ) != nil
        )
        #expect(try await tenant.shell("Get-RoleGroupMember", ["Identity": "Nylas Impersonation"]).isEmpty)
        await tenant.settlePropagation()
        #expect(!(await tenant.canImpersonate(account: "svc.calendar@contoso.com", mailbox: "dana.adams@contoso.com")))
        #expect(await tenant.canImpersonate(account: "svc.calendar@contoso.com", mailbox: "room-alder@contoso.com"))
    }

    @Test("FullAccess is listed per mailbox and removed once; removing it again is refused as Exchange words it")
    func fullAccess() async throws {
        let tenant = SimulatedTenant(options: SimulatorOptions(propagationDelay: .seconds(60)), clock: .immediate())
        try await OnPremisesTests.impersonationSetUp(tenant)
        let grant: [String: JSONValue] = [
            "Identity": "avery.adams@contoso.com", "User": "svc.calendar", "AccessRights": ["FullAccess"],
        ]
        _ = try await tenant.shell("Add-MailboxPermission", grant)
        let rows = try await tenant.shell(
            "Get-MailboxPermission",
            ["Identity": "avery.adams@contoso.com", "User": "svc.calendar"]
        )
        #expect(rows.map { $0["User"].string } == ["CONTOSO\\svc.calendar"])
        #expect(await tenant.fullAccessHolders(mailbox: "avery.adams@contoso.com") == ["svc.calendar@contoso.com"])
        #expect(
            await tenant.mayOpenAsDelegate(
                try #require(await tenant.user("avery.adams@contoso.com")?.id),
                as: try #require(await tenant.user("svc.calendar@contoso.com")?.id)
            )
        )
        _ = try await tenant.shell("Remove-MailboxPermission", grant.merging(["InheritanceType": "All"]) { $1 })
        let again = await tenant.shellError("Remove-MailboxPermission", grant)
        #expect(again?.message.contains("because the ACE doesn't exist on the object") == true)
        #expect(
            await tenant.shellError("Add-MailboxPermission", grant.merging(["AccessRights": ["SendAs"]]) { $1 }) != nil
        )
    }
}
