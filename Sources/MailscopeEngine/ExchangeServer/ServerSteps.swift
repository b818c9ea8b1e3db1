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

    /// Puts the scope back to its filter, binds the assignment to it, and removes every other
    /// ApplicationImpersonation assignment of the account (each would widen its reach).
    public static func repairScope(_ config: SetupConfig) -> ShellStep {
        let address = config.serviceAccountAddress ?? ""
        let command = scopeCommand(config) { filter in
            [
                "Set-ManagementScope -Identity \(q(config.scopeName)) -RecipientRestrictionFilter \(filter)",
                "Set-ManagementRoleAssignment -Identity \(q(config.impersonationAssignmentName)) -CustomRecipientWriteScope \(q(config.scopeName))",
                "Get-ManagementRoleAssignment -Role ApplicationImpersonation -RoleAssignee \(q(address)) | "
                    + "Where-Object { $_.Name -ne \(q(config.impersonationAssignmentName)) } | Remove-ManagementRoleAssignment -Confirm:$false",
            ]
        }
        return ShellStep(
            id: "repair-scope",
            stage: .scope,
            summary: "Limit \(address) to scope \"\(config.scopeName)\"\(widened(config)) again and remove its other ApplicationImpersonation assignments",
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
}
