import Foundation
import MailscopeCore
import MicrosoftClients

/// Application access policies (`Get-ApplicationAccessPolicy`): the legacy way to limit an app's
/// Microsoft Entra permissions to a group's mailboxes. RBAC for Applications replaces them, and the
/// two do not combine the way an admin may think: "Application Access Policies constrain ONLY the
/// permissions assigned in Microsoft Entra ID" and permissions from the two authorities are a union
/// (the application-rbac page, MicrosoftDocs/OfficeDocs-Exchange-pr
/// Exchange/ExchangeOnline/permissions-exo/application-rbac.md, FAQ "How does RBAC for
/// Applications work alongside Application Access Policies?"). Microsoft's migration ("How to
/// migrate from Application Access Policies to RBAC for Applications?"): a management scope on the
/// policy's group, the pointer, the scoped assignments, the Entra consent removed, then the policy
/// removed. The scope stage follows it: the policy's removal is its last write, after the scoped
/// assignments and the tenant-wide grants, and it is made only once
/// `Test-ServicePrincipalAuthorization` shows the scoped roles in scope.
extension ExchangeOnlineDriver {
    /// One policy as `Get-ApplicationAccessPolicy` shows it (office-docs-powershell
    /// exchange/exchange-ps/ExchangePowerShell/Get-ApplicationAccessPolicy.md: `Identity`,
    /// `Description`, `ScopeName`, `AccessRight`, `AppID`).
    struct AccessPolicy: Sendable {
        var identity: String
        var appID: String
        var group: String
        var accessRight: String

        var restricts: Bool { accessRight.caseInsensitiveCompare("RestrictAccess") == .orderedSame }
        var everyApp: Bool { appID == "*" }
    }

    /// The policies that name the app (or every app, `*`).
    func accessPolicies(appID: String, exchange: ExchangeAdminClient) async throws -> [AccessPolicy] {
        // Without -Identity the cmdlet lists every policy (Get-ApplicationAccessPolicy.md, Example 1).
        let rows = try await exchange.invoke("Get-ApplicationAccessPolicy")
        return rows.compactMap { row in
            guard let identity = row["Identity"].string, let app = row["AppId"].string ?? row["AppID"].string,
                app == "*" || app.caseInsensitiveCompare(appID) == .orderedSame
            else { return nil }
            return AccessPolicy(
                identity: identity,
                appID: app,
                group: row["ScopeName"].string ?? row["ScopeIdentity"].string ?? "?",
                accessRight: row["AccessRight"].string ?? "?"
            )
        }
    }

    /// Whether the policy's group is the configured one (by name, alias or address): the scope is
    /// built from it only with `scope.kind = "group"` (a rooms scope reaches every room instead).
    func isConfiguredGroup(_ name: String) -> Bool {
        guard config.scopeKind == .group else { return false }
        let candidates = [config.groupName, config.effectiveGroupAlias, facts.group?.name, facts.group?.address]
        return candidates.compactMap { $0 }.contains { $0.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// Judges the app's access policies, after the scoped assignments and grant removals the stage
    /// has planned: each is shown with its group and right, and removed when the RBAC scope replaces
    /// it. Returns the refusal (detail, fix) when the migration would change which mailboxes the app
    /// reaches without the admin saying so.
    func judgeAccessPolicies(hasAssignments: Bool, into findings: inout StageFindings) async throws -> (String, String)?
    {
        guard let appID = facts.appID else { return nil }
        let (_, exchange) = try clients()
        let policies = try await accessPolicies(appID: appID, exchange: exchange)
        findings.evidence.append("Get-ApplicationAccessPolicy → \(policies.count) on app \(appID)")
        guard !policies.isEmpty else { return nil }
        if hasAssignments {
            findings.warnings.append(
                "conflict: the app has RBAC role assignments and an application access policy; the policy constrains only "
                    + "the permissions granted in Microsoft Entra ID, never the RBAC assignments, and the two are a union: "
                    + "remove the policy once the Entra grants are gone (mailscope apply does, after the scoped assignments)"
            )
        }
        var refusal: (String, String)?
        for policy in policies {
            let name = "access policy \(policy.accessRight) \(policy.group)"
            if policy.everyApp {
                findings.step(
                    name,
                    .failed,
                    "applies to every app (AppId *): mailscope does not remove it, other apps depend on it"
                )
                refusal = refusal ?? ("an application access policy applies to every app", everyAppFix(policy))
            } else if policy.restricts && !isConfiguredGroup(policy.group) {
                findings.step(
                    name,
                    .failed,
                    "the policy limits the app to \(policy.group), "
                        + (config.scopeKind == .rooms
                            ? "the config's scope is every room mailbox" : "the config's group is \(config.groupName)")
                        + ": replacing it "
                        + "would change which mailboxes the app reaches"
                )
                refusal = refusal ?? groupMismatch(policy)
            } else if !config.removeTenantWideGrants {
                findings.step(
                    name,
                    .failed,
                    "kept: remove_tenant_wide_grants = false keeps the Entra grants, which only this policy limits"
                )
                refusal = refusal ?? keptGrantsRefusal(policy)
            } else {
                findings.writes.append(
                    .removeAccessPolicy(identity: policy.identity, group: policy.group, accessRight: policy.accessRight)
                )
                findings.step(
                    name,
                    .needsChange,
                    (hasAssignments ? "conflict with the RBAC assignments; " : "")
                        + "replaced by \(config.scopeName) (direct members of \(policy.group) only: nested groups count for "
                        + "the policy, not for the scope); removed once Test-ServicePrincipalAuthorization shows the scoped roles"
                )
            }
        }
        return refusal
    }

    private func groupMismatch(_ policy: AccessPolicy) -> (String, String) {
        if config.scopeKind == .rooms {
            return (
                "the app's access policy limits it to \(policy.group), and the rooms scope would reach every room mailbox instead",
                "to move the app as it is, set scope.kind = \"group\" and group.name = \"\(policy.group)\"; to reach every "
                    + "room on purpose, remove the policy first (Remove-ApplicationAccessPolicy -Identity "
                    + "'\(policy.identity)') and run mailscope apply; nothing was written"
            )
        }
        return (
            "the app's access policy limits it to \(policy.group), not to \(config.groupName)",
            "to move the app as it is, set group.name = \"\(policy.group)\" (the scope is then built from the policy's group, "
                + "as Microsoft's migration does); to change the app's mailboxes on purpose, remove the policy first "
                + "(Remove-ApplicationAccessPolicy -Identity '\(policy.identity)') and run mailscope apply; nothing was written"
        )
    }

    private func everyAppFix(_ policy: AccessPolicy) -> String {
        "the policy '\(policy.identity)' names every app (*): replace it for each app that relies on it, then remove it "
            + "(Remove-ApplicationAccessPolicy); this app's scope does not depend on it"
    }

    private func keptGrantsRefusal(_ policy: AccessPolicy) -> (String, String) {
        (
            "the app's access policy is what limits its tenant-wide Entra grants",
            "set remove_tenant_wide_grants = true (the Entra grants go, then the policy '\(policy.identity)'), or keep both "
                + "and accept that the RBAC scope does not limit the grants"
        )
    }

    /// Removes the policy once the scoped roles show in scope for a mailbox in the scope (the
    /// configured state; `Test-ServicePrincipalAuthorization` reads it without the permission cache).
    func removeAccessPolicy(identity: String) async throws {
        let (_, exchange) = try clients()
        guard let appID = facts.appID else { return }
        let inScope = try await probeMailboxes().inScope
        let rows = try await Self.authorization(of: appID, on: inScope?.address, exchange: exchange)
        guard let rows, Self.allInScope(config.assignedRoles, rows: rows) == true else {
            throw EngineError(
                stage: .scope,
                message: "the access policy was not removed: Test-ServicePrincipalAuthorization does not show "
                    + "\(config.roles.joined(separator: ", ")) in scope for \(inScope?.address ?? "a mailbox in the scope") yet",
                fix: "run mailscope apply again: the policy goes once the scoped assignments show",
                transient: true
            )
        }
        do {
            try await exchange.invoke(
                "Remove-ApplicationAccessPolicy",
                ["Identity": .string(identity), "Confirm": false]
            )
        } catch let error as MicrosoftError where error.isNotFound {
            log(.info, "already removed: \(identity)")
        }
    }
}
