import Foundation
import MailscopeCore

/// What tenants that followed the old guides still carry on Exchange Server: management role groups
/// holding ApplicationImpersonation with the organisation-wide default scope (`New-RoleGroup`,
/// `Get-RoleGroup`, `Get-`/`Add-`/`Remove-RoleGroupMember`), and FullAccess delegations to the
/// service account (`Add-`/`Get-`/`Remove-MailboxPermission`), each as the cmdlet reference
/// describes it (office-docs-powershell exchange/exchange-ps/ExchangePowerShell/<cmdlet>.md).
extension SimulatedTenant {
    static let legacyAccessCmdlets: [String: Set<String>] = [
        "New-RoleGroup": [
            "Name", "Roles", "Members", "CustomRecipientWriteScope", "Description", "DisplayName", "ManagedBy",
        ],
        "Get-RoleGroup": ["Identity", "ResultSize"],
        "Get-RoleGroupMember": ["Identity", "ResultSize"],
        "Add-RoleGroupMember": ["Identity", "Member", "BypassSecurityGroupManagerCheck", "WhatIf"],
        "Remove-RoleGroupMember": ["Identity", "Member", "BypassSecurityGroupManagerCheck", "WhatIf"],
    ].merging(mailboxPermissionCmdlets) { own, _ in own }

    /// The mailbox permission cmdlets, in Exchange Server and Exchange Online alike (each page's
    /// "applicable" list names both).
    static let mailboxPermissionCmdlets: [String: Set<String>] = [
        "Add-MailboxPermission": [
            "Identity", "User", "AccessRights", "InheritanceType", "AutoMapping", "Deny", "WhatIf",
        ],
        "Get-MailboxPermission": ["Identity", "User", "Owner", "ResultSize", "ReadFromDomainController"],
        "Remove-MailboxPermission": [
            "Identity", "User", "AccessRights", "InheritanceType", "Deny", "IgnoreDefaultScope", "WhatIf",
        ],
    ]

    /// Runs one of the cmdlets above, or nil for another cmdlet.
    func runLegacyAccess(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput? {
        switch cmdlet.name {
        case "New-RoleGroup": return .rows([roleGroupRow(try newRoleGroup(cmdlet))])
        case "Get-RoleGroup":
            if let identity = cmdlet.optionalIdentity { return .rows([roleGroupRow(try roleGroup(identity))]) }
            return .rows(rbac.roleGroups.values.sorted { $0.name < $1.name }.map(roleGroupRow))
        case "Get-RoleGroupMember":
            return .recipients(try roleGroup(try cmdlet.required("Identity")).members.map { .user($0) })
        case "Add-RoleGroupMember", "Remove-RoleGroupMember":
            try changeRoleGroupMember(cmdlet, adding: cmdlet.name.hasPrefix("Add"))
            return .rows([])
        case "Add-MailboxPermission", "Remove-MailboxPermission":
            return .rows(try changeFullAccess(cmdlet, adding: cmdlet.name.hasPrefix("Add")))
        case "Get-MailboxPermission":
            let mailbox = try onPremisesUser(try cmdlet.required("Identity"))
            var holders = rbac.fullAccess[mailbox.id] ?? []
            if let user = cmdlet.string("User") { holders = holders.filter { $0 == (try? onPremisesUser(user).id) } }
            // "FullAccess and ReadPermission are directly assigned to NT AUTHORITY\SELF" (Get-MailboxPermission.md).
            let own: [JSONValue] =
                cmdlet.string("User") == nil
                ? [permissionRow(mailbox, user: "NT AUTHORITY\\SELF", rights: ["FullAccess", "ReadPermission"])] : []
            return .rows(own + holders.map { permissionRow(mailbox, user: accountName($0), rights: ["FullAccess"]) })
        default:
            return nil
        }
    }

    func roleGroup(_ identity: String) throws(ExchangeFailure) -> RoleGroup {
        if let found = rbac.roleGroups[identity.lowercased()] { return found }
        if let found = rbac.roleGroups.values.first(where: { $0.guid == identity.lowercased() }) { return found }
        throw .notFound(identity)
    }

    /// `DOMAIN\alias`, as Exchange shows a security principal.
    func accountName(_ userID: String) -> String {
        "\(Self.netBIOSDomain)\\\(directory.users[userID]?.mailNickname ?? userID)"
    }

    private func roleGroupRow(_ group: RoleGroup) -> JSONValue {
        let assignments = rbac.userAssignments.values.filter { $0.roleGroup?.equalsIgnoringCase(group.name) == true }
        return [
            "Name": .string(group.name), "Identity": .string(group.name), "Guid": .string(group.guid),
            "Roles": .array(assignments.map { .string($0.role) }),
            "RoleAssignments": .array(assignments.map { .string($0.name) }),
            "Members": .array(group.members.map { .string(accountName($0)) }),
            "Description": group.description.map(JSONValue.string) ?? .null,
        ]
    }

    private func permissionRow(_ mailbox: DirectoryUser, user: String, rights: [String]) -> JSONValue {
        [
            "Identity": .string(mailbox.mailNickname), "User": .string(user),
            "AccessRights": .array(rights.map(JSONValue.string)),
            "IsInherited": false, "Deny": false,
        ]
    }

    /// `New-RoleGroup -Name … -Roles … -Members … [-CustomRecipientWriteScope …]`: the group and one
    /// assignment per role, named `<role>-<role group>` and limited to the scope when one is given
    /// (otherwise the organisation: the default write scope).
    private func newRoleGroup(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> RoleGroup {
        let name = try cmdlet.required("Name")
        guard rbac.roleGroups[name.lowercased()] == nil, !directory.isTaken(name) else {
            throw .alreadyExists("The role group \"\(name)\" already exists.")
        }
        var members: [String] = []
        for member in cmdlet.strings("Members") { members.append(try onPremisesUser(member).id) }
        var scopeName: String?
        if let name = cmdlet.string("CustomRecipientWriteScope") { scopeName = try scope(named: name).name }
        let group = RoleGroup(name: name, guid: newGUID(), members: members, description: cmdlet.string("Description"))
        var assignments: [UserRoleAssignment] = []
        for role in cmdlet.strings("Roles") {
            guard role.equalsIgnoringCase(Self.applicationImpersonationRole) else {
                throw .invalid(
                    "The simulated Exchange Server assigns the ApplicationImpersonation role only; '\(role)' isn't modelled."
                )
            }
            let assignmentName = String("\(Self.applicationImpersonationRole)-\(name)".prefix(64))
            guard !rbac.hasAssignment(named: assignmentName) else {
                throw .alreadyExists("The role assignment \"\(assignmentName)\" already exists.")
            }
            assignments.append(
                UserRoleAssignment(
                    name: assignmentName,
                    role: Self.applicationImpersonationRole,
                    user: group.guid,
                    customRecipientWriteScope: scopeName,
                    enabled: true,
                    guid: newGUID(),
                    roleGroup: name
                )
            )
        }
        beginRBACChange()
        rbac.roleGroups[name.lowercased()] = group
        for assignment in assignments { rbac.userAssignments[assignment.name.lowercased()] = assignment }
        return group
    }

    /// `Add-`/`Remove-RoleGroupMember -Identity <role group> -Member <user>`.
    private func changeRoleGroupMember(_ cmdlet: CmdletInvocation, adding: Bool) throws(ExchangeFailure) {
        var group = try roleGroup(try cmdlet.required("Identity"))
        let member = try onPremisesUser(try cmdlet.required("Member"))
        if adding {
            guard !group.members.contains(member.id) else {
                throw .alreadyExists(
                    "The recipient \"\(member.mailNickname)\" is already a member of the group \"\(group.name)\"."
                )
            }
            group.members.append(member.id)
        } else {
            guard group.members.contains(member.id) else {
                throw .invalid(
                    "The recipient \"\(member.mailNickname)\" isn't a member of the group \"\(group.name)\"."
                )
            }
            group.members.removeAll { $0 == member.id }
        }
        beginRBACChange()
        rbac.roleGroups[group.name.lowercased()] = group
    }

    /// `Add-`/`Remove-MailboxPermission -Identity <mailbox> -User <user> -AccessRights FullAccess`;
    /// only FullAccess is modelled. Removing an entry that does not exist fails as the reference
    /// quotes it (Remove-MailboxPermission.md, "-BypassMasterAccountSid").
    private func changeFullAccess(_ cmdlet: CmdletInvocation, adding: Bool) throws(ExchangeFailure) -> [JSONValue] {
        let mailbox = try onPremisesUser(try cmdlet.required("Identity"))
        let user = try onPremisesUser(try cmdlet.required("User"))
        let rights = cmdlet.strings("AccessRights")
        guard !rights.isEmpty else {
            throw .invalid(
                "Cannot process command because of one or more missing mandatory parameters: AccessRights.",
                type: ExchangeFailure.parameterType
            )
        }
        guard rights.allSatisfy({ $0.equalsIgnoringCase("FullAccess") }) else {
            throw .invalid(
                "The simulated Exchange Server models the FullAccess right only; '\(rights.joined(separator: ","))' isn't modelled."
            )
        }
        var holders = rbac.fullAccess[mailbox.id] ?? []
        if adding {
            if !holders.contains(user.id) { holders.append(user.id) }
        } else {
            guard holders.contains(user.id) else {
                throw .invalid(
                    "Can't remove the access control entry on the object \"\(mailbox.mailNickname)\" for the user account because the ACE doesn't exist on the object."
                )
            }
            holders.removeAll { $0 == user.id }
        }
        rbac.fullAccess[mailbox.id] = holders.isEmpty ? nil : holders
        return adding ? [permissionRow(mailbox, user: accountName(user.id), rights: ["FullAccess"])] : []
    }

    /// Whether `userID` may open `mailboxID` as a delegate: it is the mailbox's own account, or holds
    /// FullAccess on it ("Full access … allows a delegate to access all folders in a mailbox",
    /// office-developer-exchange-docs docs/exchange-web-services/delegate-access-and-ews-in-exchange.md).
    func mayOpenAsDelegate(_ mailboxID: String, as userID: String) -> Bool {
        mailboxID == userID || (rbac.fullAccess[mailboxID]?.contains(userID) ?? false)
    }

    /// The role assignments `account` holds: its own and those of each role group it is a member of
    /// ("both direct role assignments to the role assignee and indirect role assignments granted to a
    /// role assignee through role groups", Get-ManagementRoleAssignment.md, "-RoleAssignee").
    func assignments(heldBy account: DirectoryUser, in state: RBACState) -> [UserRoleAssignment] {
        state.userAssignments.values.filter { assignment in
            if let group = assignment.roleGroup {
                return state.roleGroups[group.lowercased()]?.members.contains(account.id) ?? false
            }
            return assignment.user == account.id
        }
    }
}

// MARK: Fixtures

extension SimulatedTenant {
    /// Runs a Management Shell cmdlet for a fixture (the tenant as an old guide left it).
    public func runFixtureCmdlet(_ name: String, _ parameters: [String: JSONValue]) throws(SimulatorError) {
        if case .failure(let error) = runManagementShellCmdlet(name: name, parameters: parameters) {
            throw .invalid(error.message)
        }
    }

    /// The role groups (live).
    public func roleGroups() -> [RoleGroup] { rbac.roleGroups.values.sorted { $0.name < $1.name } }

    /// The addresses holding FullAccess on `mailbox` (live), besides its own account.
    public func fullAccessHolders(mailbox: String) -> [String] {
        guard let user = mailboxUser(mailbox) else { return [] }
        return (rbac.fullAccess[user.id] ?? []).compactMap { directory.users[$0]?.primarySmtpAddress }
    }
}
