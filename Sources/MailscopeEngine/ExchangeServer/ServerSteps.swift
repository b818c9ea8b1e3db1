import Foundation

/// The Exchange Management Shell steps of an Exchange Server setup. The engine hands them over
/// one by one when EWS shows they are missing; `mailscope script` prints them all. Every value is
/// a single-quoted literal, and every step first looks for what exists, so running one twice is safe.
public enum ServerSteps {
    static let q = Quoting.powershellLiteral

    /// The warning every step that changes impersonation rights carries.
    public static let propagationWarning =
        "Exchange applies role and scope changes within about 2 hours (often 30 minutes; restarting "
        + "the MSExchangeServicesAppPool app pool on the Mailbox servers makes it immediate). mailscope "
        + "keeps polling EWS until then."

    /// Creates the service account with a mailbox; asks for the password at the prompt.
    public static func createMailbox(_ config: SetupConfig) -> ShellStep {
        let address = config.serviceAccountAddress ?? ""
        let alias = String(address.split(separator: "@").first ?? "")
        let command =
            "if (-not (Get-Mailbox -Identity \(q(address)) -ErrorAction SilentlyContinue)) { "
            + "New-Mailbox -Name \(q(config.serviceAccountName)) -Alias \(q(alias)) -UserPrincipalName \(q(address)) "
            + "-PrimarySmtpAddress \(q(address)) -Password (Read-Host -AsSecureString -Prompt \(q("Password for \(address)"))) }"
        return ShellStep(
            id: "create-mailbox",
            stage: .serviceAccount,
            summary: "Create the service account \(address) with a mailbox (enter the password from service_account.password_*)",
            command: command,
            warning: "Use exactly the password mailscope has (service_account.password_env or password_file): mailscope signs in with it to prove access.",
            readsPassword: true
        )
    }

    /// Gives an existing service account a mailbox (Exchange needs one for impersonation).
    public static func enableMailbox(_ config: SetupConfig) -> ShellStep {
        let address = config.serviceAccountAddress ?? ""
        return ShellStep(
            id: "enable-mailbox",
            stage: .serviceAccount,
            summary: "Give the service account \(address) a mailbox (impersonation needs one)",
            command: "Enable-Mailbox -Identity \(q(address))"
        )
    }

    /// Creates the distribution group with `members` (primary addresses) as direct members.
    public static func createGroup(_ config: SetupConfig, members: [String]) -> ShellStep {
        let type = config.groupKind == .mailEnabledSecurity ? "Security" : "Distribution"
        var command =
            "if (-not (Get-DistributionGroup -Identity \(q(config.effectiveGroupAddress)) -ErrorAction SilentlyContinue)) { "
            + "New-DistributionGroup -Name \(q(config.groupName)) -Alias \(q(config.effectiveGroupAlias)) "
            + "-PrimarySmtpAddress \(q(config.effectiveGroupAddress)) -Type \(type)"
        if !members.isEmpty { command += " -Members " + members.map(q).joined(separator: ",") }
        command += " }"
        return ShellStep(
            id: "create-group",
            stage: .distributionGroup,
            summary: "Create the \(type.lowercased()) group \(config.effectiveGroupAddress) with \(members.count) direct member\(members.count == 1 ? "" : "s")",
            command: command
        )
    }

    /// Adds `members` (primary addresses) as direct members of the group.
    public static func addMembers(_ config: SetupConfig, members: [String]) -> ShellStep {
        let lines = members.map {
            "Add-DistributionGroupMember -Identity \(q(config.effectiveGroupAddress)) -Member \(q($0)) -BypassSecurityGroupManagerCheck"
        }
        return ShellStep(
            id: "add-members",
            stage: .distributionGroup,
            summary: "Add \(members.joined(separator: ", ")) as direct member\(members.count == 1 ? "" : "s") of \(config.effectiveGroupAddress)",
            command: lines.joined(separator: "\n"),
            warning: config.scopeKind == .group ? propagationWarning : nil
        )
    }

    /// The scope's filter as a PowerShell expression (the group's DN is read on the server and its
    /// quotes doubled for OPATH), with the line that reads the group first when needed.
    static func filterExpression(_ config: SetupConfig) -> (prelude: String?, expression: String) {
        switch config.scopeKind {
        case .group:
            return (
                "$group = Get-DistributionGroup -Identity \(q(config.effectiveGroupAddress)) -ErrorAction Stop",
                "(\"MemberOfGroup -eq '{0}'\" -f ($group.DistinguishedName -replace \"'\", \"''\"))"
            )
        case .rooms:
            return (nil, q(EndEventEarly.widens(config) ? EndEventEarly.filter : Quoting.roomMailboxFilter))
        }
    }

    /// The command of a step that sets the scope's filter: the line that reads the group first when
    /// the filter needs it, then the step's own `lines`, given the filter's expression.
    static func scopeCommand(_ config: SetupConfig, _ lines: (_ filter: String) -> [String]) -> String {
        let filter = filterExpression(config)
        return ([filter.prelude].compactMap { $0 } + lines(filter.expression)).joined(separator: "\n")
    }

    /// Creates the scope (when missing) and assigns ApplicationImpersonation limited to it (when
    /// missing): the role is never granted unscoped, not even for a moment.
    public static func assignImpersonation(_ config: SetupConfig) -> ShellStep {
        let address = config.serviceAccountAddress ?? ""
        let command = scopeCommand(config) { filter in
            [
                "if (-not (Get-ManagementScope -Identity \(q(config.scopeName)) -ErrorAction SilentlyContinue)) { "
                    + "New-ManagementScope -Name \(q(config.scopeName)) -RecipientRestrictionFilter \(filter) }",
                "if (-not (Get-ManagementRoleAssignment -Identity \(q(config.impersonationAssignmentName)) -ErrorAction SilentlyContinue)) { "
                    + "New-ManagementRoleAssignment -Name \(q(config.impersonationAssignmentName)) -Role ApplicationImpersonation "
                    + "-User \(q(address)) -CustomRecipientWriteScope \(q(config.scopeName)) }",
            ]
        }
        return ShellStep(
            id: "assign-impersonation",
            stage: .impersonationRole,
            summary: "Assign ApplicationImpersonation to \(address), limited to scope \"\(config.scopeName)\"\(widened(config))",
            command: command,
            warning: scopeWarning(config)
        )
    }

    /// Limits the account to the scope again, the scoped assignment first: the scope (made or put
    /// back to its filter) and the account's own assignment bound to it (made when missing, as when
    /// only a role group gave the account the role); then every other ApplicationImpersonation the
    /// account holds goes: its direct assignments, and its membership of each role group that carries
    /// the role (the Eptura and Nylas guides create one with the default, organisation-wide scope).
    /// Only the account leaves such a role group: the group's assignment stays for its other
    /// members. `-RoleAssignee` lists "both direct role assignments to the role assignee and indirect
    /// role assignments granted to a role assignee through role groups"; `-AssignmentMethod` tells
    /// them apart (office-docs-powershell exchange/exchange-ps/ExchangePowerShell/Get-ManagementRoleAssignment.md;
    /// Remove-RoleGroupMember.md).
    public static func repairScope(_ config: SetupConfig) -> ShellStep {
        let address = config.serviceAccountAddress ?? ""
        let scope = q(config.scopeName)
        let assignment = q(config.impersonationAssignmentName)
        let held = "Get-ManagementRoleAssignment -Role ApplicationImpersonation -RoleAssignee \(q(address))"
        let command = scopeCommand(config) { filter in
            [
                "if (Get-ManagementScope -Identity \(scope) -ErrorAction SilentlyContinue) { "
                    + "Set-ManagementScope -Identity \(scope) -RecipientRestrictionFilter \(filter) } else { "
                    + "New-ManagementScope -Name \(scope) -RecipientRestrictionFilter \(filter) }",
                "if (Get-ManagementRoleAssignment -Identity \(assignment) -ErrorAction SilentlyContinue) { "
                    + "Set-ManagementRoleAssignment -Identity \(assignment) -CustomRecipientWriteScope \(scope) } else { "
                    + "New-ManagementRoleAssignment -Name \(assignment) -Role ApplicationImpersonation -User \(q(address)) "
                    + "-CustomRecipientWriteScope \(scope) }",
                "\(held) -AssignmentMethod Direct | Where-Object { $_.Name -ne \(assignment) } | "
                    + "Remove-ManagementRoleAssignment -Confirm:$false",
                "$impersonationGroups = @(\(held) -AssignmentMethod RoleGroup)",
                "Get-RoleGroup | Where-Object { $impersonationGroups.RoleAssigneeName -contains $_.Name } | "
                    + "Remove-RoleGroupMember -Member \(q(address)) -BypassSecurityGroupManagerCheck -Confirm:$false",
            ]
        }
        return ShellStep(
            id: "repair-scope",
            stage: .scope,
            summary: "Limit \(address) to scope \"\(config.scopeName)\"\(widened(config)) again: the scoped assignment "
                + "first, then its other ApplicationImpersonation assignments and role group memberships removed",
            command: command,
            warning: scopeWarning(config)
        )
    }

    /// What a scope widened for End Event Early covers, said after its name (empty otherwise).
    static func widened(_ config: SetupConfig) -> String {
        EndEventEarly.widens(config) ? " (widened for End Event Early: rooms, user and shared mailboxes)" : ""
    }

    /// The warning of a step that sets the scope: End Event Early's, loudly, before the propagation's.
    static func scopeWarning(_ config: SetupConfig) -> String {
        EndEventEarly.widens(config) ? EndEventEarly.warning + " " + propagationWarning : propagationWarning
    }

    /// Removes the service account's FullAccess on each mailbox in `mailboxes` (delegate access: the
    /// whole mailbox, outside any management scope), each line only where the permission is there
    /// (office-docs-powershell exchange/exchange-ps/ExchangePowerShell/Get-MailboxPermission.md,
    /// Remove-MailboxPermission.md, Example 1).
    public static func removeFullAccess(_ config: SetupConfig, mailboxes: [String]) -> ShellStep {
        let user = q(config.serviceAccountAddress ?? "")
        let lines = mailboxes.map { mailbox in
            "if (Get-MailboxPermission -Identity \(q(mailbox)) -User \(user) | Where-Object { $_.AccessRights -contains 'FullAccess' }) { "
                + "Remove-MailboxPermission -Identity \(q(mailbox)) -User \(user) -AccessRights FullAccess -InheritanceType All "
                + "-Confirm:$false }"
        }
        return ShellStep(
            id: "remove-full-access",
            stage: .scope,
            summary: "Remove the FullAccess of \(config.serviceAccountAddress ?? "") on \(mailboxes.joined(separator: ", ")) "
                + "(delegate access, outside any scope)",
            command: lines.joined(separator: "\n"))
    }
}
