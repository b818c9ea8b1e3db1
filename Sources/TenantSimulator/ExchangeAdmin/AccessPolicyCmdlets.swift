import Foundation
import MailscopeCore

/// Exchange Online's application access policies (legacy), as the cmdlet reference describes them:
/// `New-`, `Get-`, `Remove-` and `Test-ApplicationAccessPolicy` (office-docs-powershell
/// exchange/exchange-ps/ExchangePowerShell/*-ApplicationAccessPolicy.md), and their evaluation
/// against an app's mailbox calls.
extension SimulatedTenant {
    static let accessPolicyCmdlets: [String: Set<String>] = [
        "Get-ApplicationAccessPolicy": ["Identity"],
        "New-ApplicationAccessPolicy": [
            "AccessRight", "AppId", "PolicyScopeGroupId", "Description", "Confirm", "WhatIf",
        ],
        "Remove-ApplicationAccessPolicy": ["Identity", "Confirm", "WhatIf"],
        "Test-ApplicationAccessPolicy": ["Identity", "AppId"],
    ]

    /// Runs one of the access policy cmdlets.
    func runAccessPolicyCmdlet(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput {
        switch cmdlet.name {
        case "Get-ApplicationAccessPolicy":
            // "The value $null or a non-existent value for the Identity parameter returns *all*
            // objects" (Get-ApplicationAccessPolicy.md, "-Identity").
            let all = rbac.accessPolicies.values.sorted { $0.identity < $1.identity }
            if let identity = cmdlet.optionalIdentity, let policy = rbac.accessPolicies[identity.lowercased()] {
                return .rows([accessPolicyRow(policy)])
            }
            return .rows(all.map(accessPolicyRow))
        case "New-ApplicationAccessPolicy":
            return .rows(try newAccessPolicies(cmdlet).map(accessPolicyRow))
        case "Remove-ApplicationAccessPolicy":
            let identity = try cmdlet.required("Identity")
            guard rbac.accessPolicies[identity.lowercased()] != nil else { throw .notFound(identity) }
            // "These changes may take up to 30 minutes to go live" (Remove-ApplicationAccessPolicy.md);
            // in Graph "longer than 1 hour" (microsoft-graph-docs-contrib concepts/auth-limit-mailbox-access.md).
            beginRBACChange()
            rbac.accessPolicies.removeValue(forKey: identity.lowercased())
            return .rows([])
        default:
            return try testAccessPolicy(cmdlet)
        }
    }

    /// The row Get-ApplicationAccessPolicy answers: the properties its page names
    /// (`Identity,Description,ScopeName,AccessRight,AppID`), plus the scope's identity.
    func accessPolicyRow(_ policy: ApplicationAccessPolicy) -> JSONValue {
        [
            "Identity": .string(policy.identity), "AppId": .string(policy.appID),
            "ScopeName": .string(policy.scopeName),
            "ScopeIdentity": .string(policy.scopeName), "AccessRight": .string(policy.accessRight.rawValue),
            "Description": policy.description.map(JSONValue.string) ?? .null,
        ]
    }

    /// `New-ApplicationAccessPolicy`: one policy per app ID. The scope must be a security principal
    /// (a user mailbox, a mail user or a mail-enabled security group, nested groups included);
    /// distribution lists, Microsoft 365 groups and room or shared mailboxes are refused
    /// (New-ApplicationAccessPolicy.md, "-PolicyScopeGroupID").
    private func newAccessPolicies(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> [ApplicationAccessPolicy] {
        let rightText = try cmdlet.required("AccessRight")
        guard
            let right = ApplicationAccessPolicy.AccessRight(rawValue: rightText)
                ?? [ApplicationAccessPolicy.AccessRight.restrictAccess, .denyAccess].first(where: {
                    $0.rawValue.equalsIgnoringCase(rightText)
                })
        else {
            throw .invalid(
                "Cannot bind parameter 'AccessRight'. Valid values are RestrictAccess and DenyAccess.",
                type: ExchangeFailure.parameterType
            )
        }
        let scopeText = try cmdlet.required("PolicyScopeGroupId")
        let reference = try resolve(scopeText)
        let scopeName: String
        switch reference {
        case .user(let id):
            guard let user = directory.users[id], user.recipientTypeDetails == "UserMailbox" else {
                throw .invalid(
                    "\(scopeText) isn't a security principal: use a user mailbox, a mail user or a mail-enabled security group."
                )
            }
            scopeName = user.displayName
        case .group(let id):
            guard let group = directory.groups[id], group.kind == .mailEnabledSecurity else {
                throw .invalid(
                    "\(scopeText) isn't a security principal: use a user mailbox, a mail user or a mail-enabled security group."
                )
            }
            scopeName = group.name
        }
        let appIDs = cmdlet.strings("AppId")
        guard !appIDs.isEmpty else {
            throw .invalid("Cannot validate argument on parameter 'AppId'.", type: ExchangeFailure.parameterType)
        }
        var created: [ApplicationAccessPolicy] = []
        for appID in appIDs {
            guard appID == "*" || UUID(uuidString: appID) != nil else {
                throw .invalid("'\(appID)' isn't an application ID: use the app's GUID or *.")
            }
            let policy = ApplicationAccessPolicy(
                identity: "\(identity.tenantID)\\\(appID):S-1-5-21-\(directory.takeSequence());\(reference.id)",
                appID: appID,
                scopeID: reference.id,
                scopeName: scopeName,
                accessRight: right,
                description: cmdlet.string("Description")
            )
            created.append(policy)
        }
        beginRBACChange()
        for policy in created { rbac.accessPolicies[policy.identity.lowercased()] = policy }
        return created
    }

    /// `Test-ApplicationAccessPolicy -Identity <recipient> -AppId <id>`: whether the policies let the
    /// app reach the recipient, on the live state. Its output properties are not in the cmdlet
    /// reference ("The output of this command indicates whether the app has access",
    /// auth-limit-mailbox-access.md); `AccessCheckResult` `Granted`/`Denied` is the field's report of it.
    private func testAccessPolicy(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput {
        let identity = try cmdlet.required("Identity")
        let appID = try cmdlet.required("AppId")
        guard case .user(let id) = try resolve(identity), let user = directory.users[id] else {
            throw .notFound(identity)
        }
        let granted = accessPolicyAllows(appID: appID, userID: user.id, in: rbac)
        return .rows([
            [
                "AppId": .string(appID), "Mailbox": .string(user.mailNickname), "MailboxId": .string(user.id),
                "AccessCheckResult": granted ? "Granted" : "Denied",
            ]
        ])
    }

    /// Whether the access policies in `state` let app `appID` use its Microsoft Entra permissions in
    /// mailbox `userID`, by the rules in their order (New-ApplicationAccessPolicy.md, "Every API
    /// request … is verified using the following rules"): a DenyAccess policy that matches denies;
    /// a RestrictAccess policy that matches grants; RestrictAccess policies that all miss deny;
    /// without any, access is granted.
    func accessPolicyAllows(appID: String, userID: String, in state: RBACState) -> Bool {
        let policies = state.accessPolicies.values.filter { $0.appID == "*" || $0.appID.equalsIgnoringCase(appID) }
        let matching = policies.filter { policy in policyScope(policy.scopeID, contains: userID, in: state) }
        if matching.contains(where: { $0.accessRight == .denyAccess }) { return false }
        if matching.contains(where: { $0.accessRight == .restrictAccess }) { return true }
        return !policies.contains { $0.accessRight == .restrictAccess }
    }

    /// Whether a policy's scope holds `userID`: the user itself, or a member of the group or of a
    /// group nested in it ("users or groups, including nested groups", New-ApplicationAccessPolicy.md).
    private func policyScope(_ scopeID: String, contains userID: String, in state: RBACState) -> Bool {
        var seen: Set<String> = []
        var pending = [scopeID]
        while let id = pending.popLast() {
            if id == userID { return true }
            guard seen.insert(id).inserted, let members = state.memberships[id] else { continue }
            pending += members.ordered.map(\.id)
        }
        return false
    }
}

// MARK: Fixtures

extension SimulatedTenant {
    /// Creates a policy as `New-ApplicationAccessPolicy` would (the tenant of years ago).
    @discardableResult
    public func addApplicationAccessPolicy(
        appID: String,
        group: String,
        accessRight: ApplicationAccessPolicy.AccessRight = .restrictAccess
    ) throws(SimulatorError) -> ApplicationAccessPolicy {
        let cmdlet = CmdletInvocation(
            name: "New-ApplicationAccessPolicy",
            parameters: [
                "AppId": .string(appID), "PolicyScopeGroupId": .string(group),
                "AccessRight": .string(accessRight.rawValue),
                "Description": .string("Restrict this app to members of \(group)"),
            ]
        )
        let created: [ApplicationAccessPolicy]
        do throws(ExchangeFailure) {
            created = try newAccessPolicies(cmdlet)
        } catch {
            throw .invalid(error.message)
        }
        guard let policy = created.first else { throw .invalid("no policy for \(appID)") }
        return policy
    }

    /// The access policies naming app `appID` (live).
    public func accessPolicies(appID: String) -> [ApplicationAccessPolicy] {
        rbac.accessPolicies.values.filter { $0.appID.equalsIgnoringCase(appID) }.sorted { $0.identity < $1.identity }
    }

    /// Creates a mail-enabled security group with `members`, as `New-DistributionGroup -Type Security` would.
    public func addMailEnabledSecurityGroup(name: String, members: [String]) throws(SimulatorError) {
        let cmdlet = CmdletInvocation(
            name: "New-DistributionGroup",
            parameters: [
                "Name": .string(name), "Alias": .string(name), "Type": "Security",
                "Members": .array(members.map(JSONValue.string)),
            ]
        )
        do throws(ExchangeFailure) {
            _ = try newDistributionGroup(cmdlet)
        } catch {
            throw .invalid(error.message)
        }
    }
}
