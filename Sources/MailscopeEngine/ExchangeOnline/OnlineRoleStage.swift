import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeOnlineDriver {
    // MARK: Impersonation role (RBAC for Applications)

    func observeRole() async throws -> StageObservation {
        let (graph, exchange) = try clients()
        var evidence: [String] = []
        var steps: [StepReport] = []
        var writes: [Write] = []
        var warnings: [String] = []
        guard let appID = facts.appID, let spID = facts.servicePrincipalID else {
            writes.append(
                .createExchangeServicePrincipal(
                    appID: facts.appID ?? "<new app>",
                    objectID: "<new service principal>",
                    name: config.serviceAccountName
                )
            )
            steps.append(
                StepReport(
                    name: "Exchange service principal",
                    status: .needsChange,
                    detail: "after the service account"
                )
            )
            return StageObservation(
                report: StageReport(
                    stage: .impersonationRole,
                    status: .needsChange,
                    detail: "waits for the service account",
                    steps: steps
                ),
                writes: writes
            )
        }
        let pointer = try await exchange.find("Get-ServicePrincipal", ["Identity": .string(appID)])
        evidence.append("Get-ServicePrincipal -Identity '\(appID)' → \(pointer == nil ? "not found" : "found")")
        if pointer == nil {
            writes.append(
                .createExchangeServicePrincipal(appID: appID, objectID: spID, name: config.serviceAccountName)
            )
            steps.append(StepReport(name: "Exchange service principal", status: .needsChange, detail: "missing"))
        } else {
            steps.append(StepReport(name: "Exchange service principal", status: .verified, detail: "registered"))
        }

        // Tenant-wide Entra grants of mailbox permissions void the scope: find them.
        let grants = try await graph.list("/v1.0/servicePrincipals/\(GraphClient.segment(spID))/appRoleAssignments")
        evidence.append("GET /v1.0/servicePrincipals/\(spID)/appRoleAssignments → \(grants.count) grant(s)")
        var conflicting: [(id: String, permission: String, resource: String)] = []
        var resourceRoles: [String: [String: String]] = [:]
        for grant in grants {
            guard let resourceID = grant["resourceId"].string, let roleID = grant["appRoleId"].string,
                let id = grant["id"].string
            else { continue }
            if resourceRoles[resourceID] == nil {
                let resource = try await graph.getIfPresent(
                    "/v1.0/servicePrincipals/\(GraphClient.segment(resourceID))?$select=id,appId,displayName,appRoles"
                )
                var map: [String: String] = [:]
                for role in resource?["appRoles"].array ?? [] {
                    if let id = role["id"].string, let value = role["value"].string { map[id.lowercased()] = value }
                }
                resourceRoles[resourceID] = map
            }
            let permission = resourceRoles[resourceID]?[roleID.lowercased()] ?? roleID
            if Self.isMailboxPermission(permission) {
                conflicting.append((id, permission, grant["resourceDisplayName"].string ?? resourceID))
            }
        }
        if conflicting.isEmpty {
            steps.append(StepReport(name: "tenant-wide grants", status: .verified, detail: "none that void the scope"))
        } else if config.removeTenantWideGrants {
            writes += conflicting.map {
                .removeTenantWideGrant(assignmentID: $0.id, permission: $0.permission, resource: $0.resource)
            }
            steps.append(
                StepReport(
                    name: "tenant-wide grants",
                    status: .needsChange,
                    detail: "\(conflicting.map(\.permission).joined(separator: ", ")) reach every mailbox"
                )
            )
        } else {
            warnings.append(
                "tenant-wide \(conflicting.map(\.permission).joined(separator: ", ")) on this app voids the scope (connect.remove_tenant_wide_grants = false)"
            )
            steps.append(
                StepReport(name: "tenant-wide grants", status: .failed, detail: "present; the scope has no effect")
            )
        }
        let status: StageStatus = writes.isEmpty ? (conflicting.isEmpty ? .verified : .failed) : .needsChange
        let detail: String
        if !conflicting.isEmpty {
            detail =
                "tenant-wide Entra grant(s) \(conflicting.map(\.permission).joined(separator: ", ")) void the scope"
        } else if pointer == nil {
            detail = "the app is not registered in Exchange yet"
        } else {
            detail = "registered in Exchange; no tenant-wide mailbox grants"
        }
        return StageObservation(
            report: StageReport(
                stage: .impersonationRole,
                status: status,
                detail: detail,
                evidence: evidence,
                warnings: warnings,
                fix: status == .failed
                    ? "remove the Entra admin consent for those permissions, or set connect.remove_tenant_wide_grants = true"
                    : nil,
                steps: steps
            ),
            writes: writes
        )
    }

    /// Warnings for a `kind` about to be created as `name`: an existing name it can be mistaken for
    /// (Unicode TR39 confusable skeletons: a Cyrillic "а" for a Latin "a"), and a mix of scripts.
    static func lookAlikeWarnings(kind: String, name: String, existing: [String]) -> [String] {
        var warnings: [String] = []
        if let match = Confusables.confusableMatch(for: name, among: existing) {
            warnings.append(
                "the new \(kind) name \"\(name)\" looks like the existing \(kind) \"\(match)\" but is a different name (Unicode look-alike characters); check that you mean a new \(kind)"
            )
        }
        if let mixed = Confusables.mixedScriptDescription(name) {
            warnings.append("the new \(kind) name \"\(name)\" has \(mixed)")
        }
        return warnings
    }

    /// Whether an Entra app permission reaches mailbox content tenant-wide (one of the permissions
    /// of the RBAC for Applications role table).
    static func isMailboxPermission(_ permission: String) -> Bool { ApplicationRole.voidsScope(permission) }

    // MARK: Writes

    func createExchangeServicePrincipal() async throws {
        let (_, exchange) = try clients()
        let appID = try requireAppID()
        guard let spID = facts.servicePrincipalID else {
            throw EngineError(
                stage: .impersonationRole,
                message: "the service principal is not known yet",
                fix: "run again"
            )
        }
        try await tolerateExisting {
            try await exchange.invoke(
                "New-ServicePrincipal",
                [
                    "AppId": .string(appID), "ObjectId": .string(spID),
                    "DisplayName": .string(config.serviceAccountName),
                ]
            )
        }
    }

    func removeTenantWideGrant(assignmentID: String) async throws {
        let (graph, _) = try clients()
        guard let spID = facts.servicePrincipalID else { return }
        do {
            try await graph.write(
                "DELETE",
                "/v1.0/servicePrincipals/\(GraphClient.segment(spID))/appRoleAssignments/\(GraphClient.segment(assignmentID))",
                body: nil,
                idempotent: true
            )
        } catch let error as MicrosoftError where error.isNotFound {}
    }
}
