import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// Runs Exchange Management Shell cmdlets against a tenant, failing on an error.
extension SimulatedTenant {
    func shell(_ name: String, _ parameters: [String: JSONValue] = [:]) throws -> [JSONValue] {
        try runManagementShellCmdlet(name: name, parameters: parameters).get()
    }

    func shellError(_ name: String, _ parameters: [String: JSONValue] = [:]) -> ManagementShellError? {
        if case .failure(let error) = runManagementShellCmdlet(name: name, parameters: parameters) { return error }
        return nil
    }
}

@Suite("Exchange Server management shell")
struct OnPremisesTests {
    static let password = "Corr3ct!horse"

    /// Creates the service account `svc.calendar` with a password, a scope on Meeting Rooms and an
    /// ApplicationImpersonation assignment bound to it (opening a propagation window).
    static func impersonationSetUp(_ tenant: SimulatedTenant, scoped: Bool = true) async throws {
        _ = try await tenant.shell(
            "New-Mailbox",
            [
                "Name": "Calendar Service", "Alias": "svc.calendar", "UserPrincipalName": "svc.calendar@contoso.com",
                "Password": .string(password),
            ])
        var assignment: [String: JSONValue] = [
            "Name": "Calendar impersonation", "Role": "ApplicationImpersonation", "User": "CONTOSO\\svc.calendar",
        ]
        if scoped {
            let dn = try #require(await tenant.group("meetingrooms")?.distinguishedName)
            _ = try await tenant.shell(
                "New-ManagementScope", ["Name": "Meeting rooms", "RecipientRestrictionFilter": .string("MemberOfGroup -eq \(dn.quoted)")])
            assignment["CustomRecipientWriteScope"] = "Meeting rooms"
        }
        _ = try await tenant.shell("New-ManagementRoleAssignment", assignment)
    }

    @Test("New-Mailbox creates a user mailbox with a password; duplicates and weak passwords are refused")
    func newMailbox() async throws {
        let tenant = SimulatedTenant(options: SimulatorOptions(propagationDelay: .seconds(3600)), clock: .immediate())
        let created = try await tenant.shell(
            "New-Mailbox",
            [
                "Name": "Calendar Service", "Alias": "svc.calendar", "UserPrincipalName": "svc.calendar@contoso.com",
                "PrimarySmtpAddress": "svc.calendar@contoso.com", "Password": .string(Self.password),
            ])
        let row = try #require(created.first)
        #expect(row["RecipientTypeDetails"].string == "UserMailbox")
        #expect(row["PrimarySmtpAddress"].string == "svc.calendar@contoso.com")
        #expect(row["EmailAddresses"].strings == ["SMTP:svc.calendar@contoso.com"])
        #expect(row["DistinguishedName"].string?.hasPrefix("CN=Calendar Service,") == true)
        for identity in ["svc.calendar", "svc.calendar@contoso.com", "Calendar Service"] {
            let found = try await tenant.shell("Get-Mailbox", ["Identity": .string(identity)])
            #expect(found.first?["UserPrincipalName"].string == "svc.calendar@contoso.com", "\(identity)")
        }
        #expect(await tenant.hasPassword(user: "svc.calendar@contoso.com"))
        #expect(await !tenant.hasPassword(user: "avery.adams@contoso.com"))

        let sameName = await tenant.shellError(
            "New-Mailbox", ["Name": "Calendar Service", "Alias": "other", "Password": .string(Self.password)])
        #expect(sameName?.exceptionName == "ADObjectAlreadyExistsException")
        #expect(sameName?.message.contains("is already being used") == true)
        let sameAlias = await tenant.shellError(
            "New-Mailbox", ["Name": "Other", "Alias": "avery.adams", "Password": .string(Self.password)])
        #expect(sameAlias?.exceptionName == "ADObjectAlreadyExistsException")
        let sameUPN = await tenant.shellError(
            "New-Mailbox",
            ["Name": "Other", "Alias": "other", "UserPrincipalName": "svc.calendar@contoso.com", "Password": .string(Self.password)])
        #expect(sameUPN?.exceptionName == "ADObjectAlreadyExistsException")
        let weak = await tenant.shellError("New-Mailbox", ["Name": "Weak", "Alias": "weak", "Password": "password"])
        #expect(weak?.message.contains("complexity") == true)
        let noPassword = await tenant.shellError("New-Mailbox", ["Name": "Nopass", "Alias": "nopass"])
        #expect(noPassword?.category == "InvalidArgument")
        #expect(noPassword?.exceptionName == "ParameterBindingException")

        let missing = try #require(await tenant.shellError("Get-Mailbox", ["Identity": "nobody"]))
        #expect(missing.message == "The operation couldn't be performed because object 'nobody' couldn't be found on 'DC01.contoso.com'.")
        #expect(missing.category == "NotSpecified")
        #expect(missing.description.contains("+ CategoryInfo          : NotSpecified: (:) [Get-Mailbox], ManagementObjectNotFoundException"))
        let unknown = try #require(await tenant.shellError("Get-Nothing"))
        #expect(unknown.category == "ObjectNotFound")
        #expect(unknown.exceptionName == "CommandNotFoundException")
        // Exchange Online-only cmdlets do not exist in the shell.
        #expect(await tenant.shellError("New-ServicePrincipal", ["AppId": "x", "ObjectId": "y"])?.exceptionName == "CommandNotFoundException")
    }

    @Test("Get-DistributionGroup shows the group's DistinguishedName and PrimarySmtpAddress")
    func distributionGroup() async throws {
        let tenant = SimulatedTenant(options: SimulatorOptions(), clock: .immediate())
        let group = try #require(try await tenant.shell("Get-DistributionGroup", ["Identity": "meetingrooms"]).first)
        #expect(group["DistinguishedName"].string == Catalog.distinguishedName(name: "Meeting Rooms"))
        #expect(group["PrimarySmtpAddress"].string == "meetingrooms@contoso.com")
    }

    @Test("ApplicationImpersonation assignments to users: new, get, set, remove, each propagating")
    func userAssignments() async throws {
        let clock = WallClock.immediate()
        let tenant = SimulatedTenant(options: SimulatorOptions(propagationDelay: .seconds(3600)), clock: clock)
        try await Self.impersonationSetUp(tenant)
        let rows = try await tenant.shell("Get-ManagementRoleAssignment", ["RoleAssignee": "svc.calendar@contoso.com"])
        let row = try #require(rows.first)
        #expect(rows.count == 1)
        #expect(row["Name"].string == "Calendar impersonation")
        #expect(row["Role"].string == "ApplicationImpersonation")
        #expect(row["RoleAssigneeType"].string == "User")
        #expect(row["RoleAssigneeName"].string == "svc.calendar")
        #expect(row["CustomRecipientWriteScope"].string == "Meeting rooms")
        #expect(row["RecipientWriteScope"].string == "CustomRecipientScope")
        #expect(row["Enabled"].bool == true)
        #expect(try await tenant.shell("Get-ManagementRoleAssignment", ["Role": "ApplicationImpersonation"]).count == 1)
        #expect(try await tenant.shell("Get-ManagementRoleAssignment", ["Identity": "calendar impersonation"]).count == 1)

        // Not effective until the propagation delay has passed.
        #expect(await !tenant.canImpersonate(account: "svc.calendar@contoso.com", mailbox: "room-alder@contoso.com"))
        try await clock.sleep(for: .seconds(3601))
        #expect(await tenant.canImpersonate(account: "svc.calendar@contoso.com", mailbox: "room-alder@contoso.com"))
        #expect(await !tenant.canImpersonate(account: "svc.calendar@contoso.com", mailbox: "avery.adams@contoso.com"))
        // The annex room is only in a nested group: outside the scope.
        #expect(await !tenant.canImpersonate(account: "svc.calendar@contoso.com", mailbox: "room-elm@contoso.com"))

        // The scope is in use; an organisation-wide assignment covers everyone once propagated.
        #expect(await tenant.shellError("Remove-ManagementScope", ["Identity": "Meeting rooms"])?.message.contains("Calendar impersonation") == true)
        _ = try await tenant.shell("Set-ManagementRoleAssignment", ["Identity": "Calendar impersonation", "CustomRecipientWriteScope": .null])
        #expect(try await tenant.shell("Get-ManagementRoleAssignment")[0]["RecipientWriteScope"].string == "Organization")
        #expect(await !tenant.canImpersonate(account: "svc.calendar@contoso.com", mailbox: "avery.adams@contoso.com"))
        try await clock.sleep(for: .seconds(3601))
        #expect(await tenant.canImpersonate(account: "svc.calendar@contoso.com", mailbox: "avery.adams@contoso.com"))

        _ = try await tenant.shell("Remove-ManagementRoleAssignment", ["Identity": "Calendar impersonation", "Confirm": false])
        #expect(try await tenant.shell("Get-ManagementRoleAssignment").isEmpty)
        #expect(await tenant.canImpersonate(account: "svc.calendar@contoso.com", mailbox: "avery.adams@contoso.com"))
        try await clock.sleep(for: .seconds(3601))
        #expect(await !tenant.canImpersonate(account: "svc.calendar@contoso.com", mailbox: "avery.adams@contoso.com"))

        // Refusals: unknown user, unknown scope, duplicate name, application roles, the -App parameter.
        #expect(
            await tenant.shellError("New-ManagementRoleAssignment", ["Role": "ApplicationImpersonation", "User": "nobody"])?
                .exceptionName == "ManagementObjectNotFoundException")
        #expect(
            await tenant.shellError(
                "New-ManagementRoleAssignment",
                ["Role": "ApplicationImpersonation", "User": "svc.calendar", "CustomRecipientWriteScope": "nope"])?.exceptionName
                == "ManagementObjectNotFoundException")
        _ = try await tenant.shell("New-ManagementRoleAssignment", ["Role": "ApplicationImpersonation", "User": "svc.calendar"])
        #expect(try await tenant.shell("Get-ManagementRoleAssignment")[0]["Name"].string == "ApplicationImpersonation-svc.calendar")
        #expect(
            await tenant.shellError("New-ManagementRoleAssignment", ["Role": "ApplicationImpersonation", "User": "svc.calendar"])?
                .exceptionName == "ADObjectAlreadyExistsException")
        #expect(
            await tenant.shellError(
                "New-ManagementRoleAssignment", ["Role": "ApplicationImpersonation", "App": "00000000-0000-0000-0000-000000000000"])?
                .exceptionName == "ParameterBindingException")
    }

    @Test("Exchange Online still refuses ApplicationImpersonation and does not list user assignments")
    func onlineUnchanged() async throws {
        try await Simulator.with { sim in
            try await Self.impersonationSetUp(sim.tenant)
            let (_, _, token) = try await sim.automation()
            let refused = try await sim.invoke(
                "New-ManagementRoleAssignment", ["Role": "ApplicationImpersonation", "User": "svc.calendar"], token: token)
            #expect(refused.status == 404)
            #expect(try await sim.rows("Get-ManagementRoleAssignment", token: token).isEmpty)
            let inUse = try await sim.invoke("Remove-ManagementScope", ["Identity": "Meeting rooms"], token: token)
            #expect(inUse.status == 400)
        }
    }

    @Test("passwords and user role assignments survive a snapshot round trip")
    func snapshot() async throws {
        let options = SimulatorOptions(seed: 7, propagationDelay: .seconds(3600))
        let clock = WallClock.immediate()
        let tenant = SimulatedTenant(options: options, clock: clock)
        try await Self.impersonationSetUp(tenant)
        try await tenant.setPassword(user: "avery.adams@contoso.com", password: "An0ther!pass")
        let data = try await tenant.snapshot()
        let restored = try SimulatedTenant(restoring: data, options: options, clock: clock)
        #expect(try await restored.snapshot() == data)
        #expect(await restored.userRoleAssignments() == tenant.userRoleAssignments())
        #expect(await restored.propagationPendingUntil() == tenant.propagationPendingUntil())
        #expect(await restored.hasPassword(user: "svc.calendar@contoso.com"))
        #expect(await restored.hasPassword(user: "avery.adams@contoso.com"))
        let svc = try #require(await restored.user("svc.calendar@contoso.com"))
        #expect(await restored.checkPassword(Self.password, forUser: svc.id))
        #expect(await !restored.checkPassword("wrong", forUser: svc.id))
        #expect(await restored.ntHash(ofUser: svc.id) == NTLMCrypto.ntHash(password: Self.password))
        // No password is kept in clear.
        #expect(!String(decoding: data, as: UTF8.self).contains(Self.password))
        try await clock.sleep(for: .seconds(3601))
        #expect(await restored.canImpersonate(account: "svc.calendar@contoso.com", mailbox: "room-alder@contoso.com"))

        // A snapshot without on-premises state (an older one) still restores.
        let plain = SimulatedTenant(options: options, clock: clock)
        guard case .object(var fields) = try JSONValue.parse(try await plain.snapshot()) else {
            Issue.record("a snapshot is a JSON object")
            return
        }
        #expect(fields["passwords"] == nil)
        if case .object(var generators) = fields["generators"] {
            generators.removeValue(forKey: "onPremises")
            fields["generators"] = .object(generators)
        }
        let old = try SimulatedTenant(restoring: JSONValue.object(fields).encoded(), options: options, clock: clock)
        #expect(await old.userRoleAssignments().isEmpty)
    }
}
