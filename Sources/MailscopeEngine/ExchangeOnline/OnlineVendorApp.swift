import Foundation
import MailscopeCore
import MicrosoftClients

/// The vendor's own (multi-tenant) app (`service_account.app_id`): mailscope makes no app and no
/// credential. The service account stage finds or creates the app's service principal in this
/// tenant (the upsert `PATCH /servicePrincipals(appId='…')` with `Prefer: create-if-missing`,
/// microsoft-graph-docs-contrib api-reference/v1.0/api/serviceprincipal-upsert.md); the role,
/// group and scope stages work as for an app mailscope made, except that tenant-wide grants are
/// removed by the scope stage after the scoped role assignments (an already-consented vendor app
/// keeps working: no outage); the proof is `Test-ServicePrincipalAuthorization` alone, as
/// mailscope holds no credential of the app.
extension ExchangeOnlineDriver {
    /// Whether this run scopes the vendor's own app.
    var scopesVendorApp: Bool { config.vendorAppID != nil }

    /// The name Exchange's pointer and the reports give the app: the vendor's display name once
    /// read, the configured name before.
    var appDisplayName: String { facts.vendorApp?.displayName ?? config.serviceAccountName }

    /// The effective-access step's words when mailscope cannot call Graph as the app.
    static let vendorEffectiveUntestable = "not testable without the vendor's credential"

    /// Reads the vendor app's service principal in this tenant: present (its name and owner tenant
    /// recorded), disabled (a failure, as for an app mailscope made), or to be created.
    func observeVendorApp(appID: String) async throws -> StageObservation {
        let (graph, _) = try clients()
        var findings = StageFindings()
        facts.appObjectID = nil
        facts.appID = appID
        journal.ids["appID"] = appID
        let read = GraphRequest.servicePrincipal(
            appID: appID, select: ["id", "appId", "displayName", "accountEnabled", "appOwnerOrganizationId"])
        let sp = try await graph.getIfPresent(read)
        findings.evidence.append(read.answered(sp == nil ? "404" : "200"))
        findings.step("app registration", .skipped, "the vendor's app \(appID): registered in the vendor's tenant, not here")
        findings.step("credential", .skipped, "held by the vendor; mailscope holds no credential of this app")
        guard let sp, let spID = sp["id"].string else {
            facts.servicePrincipalID = nil
            facts.vendorApp = nil
            findings.writes.append(.createServicePrincipal(appID: appID))
            findings.step("service principal", .needsChange, "missing: the vendor's app is not in this tenant yet")
            findings.append(try await observeMailboxUser(graph: graph))
            return findings.observation(
                stage: .serviceAccount, status: .needsChange,
                detail: "the vendor's app \(appID) has no service principal in this tenant yet")
        }
        let vendor = VendorApp(
            displayName: sp["displayName"].string ?? appID, ownerTenantID: sp["appOwnerOrganizationId"].string ?? "?")
        facts.vendorApp = vendor
        facts.servicePrincipalID = spID
        journal.ids["servicePrincipalID"] = spID
        let name = "the vendor's app \(vendor.displayName) (\(vendor.ownerTenantID))"
        if let home = tenant?.id, vendor.ownerTenantID.caseInsensitiveCompare(home) == .orderedSame {
            findings.warnings.append(
                "app \(appID) is registered in this tenant, not by a vendor: service_account.app_id is meant for a vendor's multi-tenant app")
        }
        if sp["accountEnabled"].bool == false {
            findings.step("service principal", .failed, "object id \(spID), disabled: the app cannot sign in")
            findings.append(try await observeMailboxUser(graph: graph))
            return findings.observation(
                stage: .serviceAccount, status: .failed,
                detail: "\(name) is disabled in this tenant: the integration cannot sign in",
                fix: "enable it if the integration should work: Update-MgServicePrincipal -ServicePrincipalId \(spID) "
                    + "-AccountEnabled:$true (Entra admin center → Enterprise applications → \(vendor.displayName) "
                    + "→ Properties → Enabled for users to sign in)")
        }
        findings.step("service principal", .verified, "object id \(spID), \(name)")
        findings.append(try await observeMailboxUser(graph: graph))
        let writes = findings.writes
        return findings.observation(
            stage: .serviceAccount, status: writes.isEmpty ? .verified : .needsChange,
            detail: "\(name), service principal \(spID); mailscope holds no credential of it (the vendor does)"
                + (writes.isEmpty ? "" : "; \(writes.count) change(s) needed"))
    }

    /// Creates (or finds) the vendor app's service principal with the documented upsert. An app ID
    /// that names no published multi-tenant app is refused by Graph (400, NoBackingApplicationObject):
    /// no replication lag explains it here, so it is not retried but stops with its fix.
    func createVendorServicePrincipal(appID: String) async throws {
        let (graph, _) = try clients()
        let result: (status: Int, body: JSONValue)
        do {
            let written = try await graph.write(.upsertServicePrincipal(appID: appID), body: [:])
            result = (written.status, written.body)
        } catch let error as MicrosoftError
            where error.status == 400
            && (error.message.contains("NoBackingApplicationObject")
                || error.message.contains("does not reference a valid application"))
        {
            throw EngineError(
                stage: .serviceAccount,
                message: "the vendor's app \(appID) was not found: \(error.message)",
                fix: "check service_account.app_id with the vendor: it must be the application (client) ID of their "
                    + "multi-tenant app (signInAudience AzureADMultipleOrgs), not an object ID or an app of one tenant; nothing "
                    + "else was written for it")
        }
        let servicePrincipal =
            result.body["id"].string != nil
            ? result.body
            : try await retryingNotYetReplicated {
                try await graph.get(.servicePrincipal(appID: appID, select: ["id", "displayName", "appOwnerOrganizationId"]))
            }
        if let id = servicePrincipal["id"].string {
            facts.servicePrincipalID = id
            journal.ids["servicePrincipalID"] = id
            facts.vendorApp = VendorApp(
                displayName: servicePrincipal["displayName"].string ?? appID,
                ownerTenantID: servicePrincipal["appOwnerOrganizationId"].string ?? "?")
        }
    }

    /// The values the admin gives the vendor (and how the vendor can confirm the scope): no secret,
    /// as the vendor holds the app's credential.
    func vendorHandOff(appID: String) -> [HandOffItem] {
        var items = [
            HandOffItem(label: "Tenant ID", value: tenant?.id ?? config.tenant),
            HandOffItem(label: "Vendor app (client) ID", value: appID),
        ]
        if let vendor = facts.vendorApp {
            items.append(HandOffItem(label: "Vendor app", value: "\(vendor.displayName) (tenant \(vendor.ownerTenantID))"))
        }
        items.append(HandOffItem(label: "Credential", value: "none from mailscope: the vendor signs in with its own"))
        if let group = facts.group { items.append(HandOffItem(label: "Group", value: group.address)) }
        items.append(HandOffItem(label: "Management scope", value: config.scopeName))
        if let widened = EndEventEarly.handOffItem(config) { items.append(widened) }
        items.append(HandOffItem(label: "Roles", value: config.assignedRoles.joined(separator: ", ")))
        let outside = facts.outOfScopeCandidate?.address ?? config.outOfScopeMailbox ?? "a mailbox outside the group"
        items.append(
            HandOffItem(
                label: "How the vendor confirms",
                value: "ask them to call Graph as their app for a mailbox in the group (it must answer 200) and for "
                    + "\(outside) (it must answer 403 ErrorAccessDenied); mailscope proved the configuration with "
                    + "Test-ServicePrincipalAuthorization only"))
        if journal.completedWrites.contains(where: { if case .removeTenantWideGrant = $0.write { true } else { false } }) {
            // An access token cannot be revoked and keeps the roles it was issued with until it
            // expires, by default 60 to 90 minutes (entra-docs
            // docs/identity-platform/configurable-token-lifetimes.md, "Access tokens").
            items.append(
                HandOffItem(
                    label: "Tenant-wide grants removed",
                    value: "tokens the vendor got before the removal keep them until they expire (60 to 90 minutes): "
                        + "confirm the 403 after that"))
        }
        return items + ewsHandOff()
    }

    /// The tenant-wide grants the scope stage removes for the vendor's app, after the scoped role
    /// assignments: each named, with why it comes last. Returns the grants that came back after
    /// mailscope had removed them (exposure), in words, or nil.
    func vendorGrantRemovals(into findings: inout StageFindings) async throws -> String? {
        guard scopesVendorApp, config.removeTenantWideGrants, let spID = facts.servicePrincipalID else { return nil }
        let (graph, _) = try clients()
        let conflicting = try await conflictingGrants(spID: spID, graph: graph, into: &findings)
        guard !conflicting.isEmpty else {
            findings.step("tenant-wide grants", .verified, "none that void the scope")
            return nil
        }
        findings.writes += conflicting.map {
            .removeTenantWideGrant(assignmentID: $0.id, permission: $0.permission, resource: $0.resource)
        }
        let cameBack = conflicting.compactMap { grant in removedBefore(grant.permission).map { (grant, $0) } }
        if !cameBack.isEmpty {
            // Exposure, not a plan detail: every mailbox is reachable again until the grant goes.
            let names = cameBack.map { "\($0.0.permission) (removed \(Timestamps.iso8601($0.1)))" }
            let words =
                "came back: \(names.joined(separator: ", ")); a second admin consent re-adds a grant, and with it "
                + "the vendor's app reaches every mailbox again"
            findings.step("tenant-wide grants", .failed, words)
            return words
        }
        findings.step(
            "tenant-wide grants", .needsChange,
            "\(conflicting.map(\.permission).joined(separator: ", ")) reach every mailbox: removed after the scoped "
                + "role assignments exist, so the vendor's app keeps working while its access narrows to the scope")
        return nil
    }

    // MARK: The move from tenant-wide to scoped access, in two phases

    /// The old access of an app already in use (the vendor app's tenant-wide grants, a legacy
    /// application access policy) is removed only once the scoped roles show in scope for the
    /// in-scope mailbox: removing it first would cut the integration off until the scoped
    /// assignments take effect (30 minutes to 2 hours).
    func phase(before write: Write) -> WaitPhase? {
        switch write {
        case .removeTenantWideGrant where scopesVendorApp, .removeAccessPolicy: .scopedRolesInScope
        default: nil
        }
    }

    /// Phase 1: `Test-ServicePrincipalAuthorization` of the app on the in-scope mailbox, over when
    /// every configured role is in scope (office-docs-powershell
    /// `exchange/exchange-ps/exchange/Test-ServicePrincipalAuthorization.md`). No effective test:
    /// mailscope holds no credential of the vendor's app.
    func poll(_ phase: WaitPhase) async throws -> (evidence: PollEvidence, isOver: Bool) {
        let (_, exchange) = try clients()
        var evidence = PollEvidence.none(at: environment.clock.now)
        if scopesVendorApp { evidence.effectiveUnobservable = true }
        guard let appID = facts.appID else {
            evidence.lines = ["no app yet"]
            return (evidence, false)
        }
        let mailboxes = try await probeMailboxes()
        guard let mailbox = mailboxes.inScope?.address,
            let rows = try await Self.authorization(of: appID, on: mailbox, exchange: exchange)
        else {
            evidence.lines = mailboxes.notes + ["no in-scope mailbox to test: add a member, or set connect.in_scope_mailbox"]
            return (evidence, false)
        }
        let inScope = Self.allInScope(config.assignedRoles, rows: rows)
        evidence.configuredInScope = inScope
        let summary = rows.map { "\($0["RoleName"].string ?? "?"): \(Self.describeInScope($0["InScope"]))" }
        evidence.lines =
            mailboxes.notes + ["Test-ServicePrincipalAuthorization \(mailbox) → \(summary.joined(separator: "; "))"]
        return (evidence, inScope == true)
    }

    /// Phase 2 follows a removal of old access that waited out phase 1, made since the last change
    /// of access began its wait.
    var propagationPhase: WaitPhase? {
        guard let changed = journal.rbacChangedAt else { return nil }
        let removedSince = journal.completedWrites.contains {
            $0.at >= changed && phase(before: $0.write) == .scopedRolesInScope
        }
        return removedSince ? .oldAccessRemoved : nil
    }

    /// When mailscope removed `permission` from the vendor's app before (a grant seen again came back:
    /// a second admin consent re-adds it).
    func removedBefore(_ permission: String) -> Date? {
        journal.completedWrites.last {
            if case .removeTenantWideGrant(_, let removed, _) = $0.write { removed == permission } else { false }
        }?.at
    }
}
