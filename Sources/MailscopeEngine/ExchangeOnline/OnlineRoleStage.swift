import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeOnlineDriver {
    // MARK: Impersonation role (RBAC for Applications)

    /// A tenant-wide Entra grant of a mailbox permission to the app, which voids the scope.
    struct ConflictingGrant {
        /// The app role assignment's id.
        var id: String
        /// The permission granted (its value, such as `Mail.Read`, or the role id when unknown).
        var permission: String
        /// The resource's display name (or its id).
        var resource: String
    }

    /// Reads the impersonation role: the app registered in Exchange, and no tenant-wide Entra
    /// grant of mailbox permissions (which would void the scope).
    func observeRole() async throws -> StageObservation {
        let (graph, exchange) = try clients()
        var findings = StageFindings()
        guard let appID = facts.appID, let spID = facts.servicePrincipalID else {
            findings.writes.append(
                .createExchangeServicePrincipal(
                    appID: facts.appID ?? "<new app>",
                    objectID: "<new service principal>",
                    name: appDisplayName
                )
            )
            findings.step("Exchange service principal", .needsChange, "after the service account")
            // The allow list is read now, so the plan shows the whole list the app will join.
            if config.usesEWS,
                let ews = try await observeEWSAccess(
                    appID: facts.appID ?? config.vendorAppID ?? "<new app>", exchange: exchange, into: &findings)
            {
                return findings.observation(stage: .impersonationRole, status: .failed, detail: ews.detail, fix: ews.fix)
            }
            return findings.observation(
                stage: .impersonationRole, status: .needsChange, detail: "waits for the service account")
        }
        let pointer = try await exchange.find("Get-ServicePrincipal", ["Identity": .string(appID)])
        findings.evidence.append("Get-ServicePrincipal -Identity '\(appID)' → \(pointer == nil ? "not found" : "found")")
        facts.exchangePointerExists = pointer != nil
        if pointer == nil {
            findings.writes.append(
                .createExchangeServicePrincipal(appID: appID, objectID: spID, name: appDisplayName)
            )
            findings.step("Exchange service principal", .needsChange, "missing")
        } else {
            findings.step("Exchange service principal", .verified, "registered")
        }
        let conflicting = try await conflictingGrants(spID: spID, graph: graph, into: &findings)
        // The vendor's own app: its grants are removed by the scope stage, after the scoped role
        // assignments exist, so an already-consented app never loses access it should keep.
        let held = scopesVendorApp && config.removeTenantWideGrants && !conflicting.isEmpty
        if held {
            holdVendorGrants(conflicting, into: &findings)
        } else {
            judgeGrants(conflicting, into: &findings)
        }
        let ews = config.usesEWS ? try await observeEWSAccess(appID: appID, exchange: exchange, into: &findings) : nil
        let status: StageStatus =
            findings.writes.isEmpty ? (conflicting.isEmpty || held ? .verified : .failed) : .needsChange
        if let ews {
            return findings.observation(stage: .impersonationRole, status: .failed, detail: ews.detail, fix: ews.fix)
        }
        var detail: String
        if held {
            detail =
                (pointer == nil ? "the app is not registered in Exchange yet; " : "registered in Exchange; ")
                + "tenant-wide grant(s) \(conflicting.map(\.permission).joined(separator: ", ")) are removed by the scope stage, after the scoped role assignments"
        } else if !conflicting.isEmpty {
            detail =
                "tenant-wide Entra grant(s) \(conflicting.map(\.permission).joined(separator: ", ")) void the scope"
        } else if pointer == nil {
            detail = "the app is not registered in Exchange yet"
        } else {
            detail = "registered in Exchange; no tenant-wide mailbox grants"
        }
        if config.usesEWS, findings.writes.contains(where: { if case .setEwsAllowedAppIDs = $0 { true } else { false } }) {
            detail += "; the app is not on the organisation's EWS allow list"
        } else if config.usesEWS, status == .verified {
            detail += "; EWS open to the app"
        }
        return findings.observation(
            stage: .impersonationRole,
            status: status,
            detail: detail,
            fix: status == .failed
                ? "remove the Entra admin consent for those permissions, or set connect.remove_tenant_wide_grants = true"
                : nil
        )
    }

    /// The app's tenant-wide Entra grants that reach mailbox content: each grant's permission is
    /// named from its resource's app roles (each resource read once).
    func conflictingGrants(
        spID: String, graph: GraphClient, into findings: inout StageFindings
    ) async throws -> [ConflictingGrant] {
        let read = GraphRequest.appRoleAssignments(of: spID)
        let grants = try await graph.list(read)
        findings.evidence.append(read.answered("\(grants.count) grant(s)"))
        var conflicting: [ConflictingGrant] = []
        var resourceRoles: [String: [String: String]] = [:]
        for grant in grants {
            guard let resourceID = grant["resourceId"].string, let roleID = grant["appRoleId"].string,
                let id = grant["id"].string
            else { continue }
            if resourceRoles[resourceID] == nil {
                let resource = try await graph.getIfPresent(
                    .servicePrincipal(id: resourceID, select: ["id", "appId", "displayName", "appRoles"]))
                var map: [String: String] = [:]
                for role in resource?["appRoles"].array ?? [] {
                    if let id = role["id"].string, let value = role["value"].string { map[id.lowercased()] = value }
                }
                resourceRoles[resourceID] = map
            }
            let permission = resourceRoles[resourceID]?[roleID.lowercased()] ?? roleID
            if Self.isMailboxPermission(permission) {
                let resourceName = grant["resourceDisplayName"].string ?? resourceID
                conflicting.append(ConflictingGrant(id: id, permission: permission, resource: resourceName))
            }
        }
        return conflicting
    }

    /// The grants step: none, to be removed (`connect.remove_tenant_wide_grants`), or a failure
    /// with a warning when mailscope may not remove them.
    private func judgeGrants(_ conflicting: [ConflictingGrant], into findings: inout StageFindings) {
        let permissions = conflicting.map(\.permission).joined(separator: ", ")
        if conflicting.isEmpty {
            findings.step("tenant-wide grants", .verified, "none that void the scope")
        } else if config.removeTenantWideGrants {
            findings.writes += conflicting.map {
                .removeTenantWideGrant(assignmentID: $0.id, permission: $0.permission, resource: $0.resource)
            }
            findings.step("tenant-wide grants", .needsChange, "\(permissions) reach every mailbox")
        } else {
            findings.warnings.append(
                "tenant-wide \(permissions) on this app voids the scope (connect.remove_tenant_wide_grants = false)"
            )
            findings.step("tenant-wide grants", .failed, "present; the scope has no effect")
        }
    }

    /// The vendor app's tenant-wide grants: named, and left to the scope stage, which removes them
    /// once the scoped role assignments exist (removing them first would cut the vendor off until
    /// the assignments take effect).
    private func holdVendorGrants(_ conflicting: [ConflictingGrant], into findings: inout StageFindings) {
        let permissions = conflicting.map(\.permission).joined(separator: ", ")
        findings.step(
            "tenant-wide grants", .pending,
            "\(permissions) reach every mailbox: removed by the scope stage after the scoped role assignments")
        findings.warnings.append(
            "the vendor's app holds tenant-wide \(permissions) (admin consent): the scope has no effect until they "
                + "are gone. They are removed in the scope stage, after the scoped role assignments exist, so the "
                + "vendor's app keeps working while its access narrows to the scope")
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
                    "DisplayName": .string(appDisplayName),
                ]
            )
        }
    }

    func removeTenantWideGrant(assignmentID: String) async throws {
        let (graph, _) = try clients()
        guard let spID = facts.servicePrincipalID else { return }
        do {
            try await graph.write(.deleteAppRoleAssignment(assignmentID, of: spID), body: nil)
        } catch let error as MicrosoftError where error.isNotFound {}
    }
}
