import Foundation
import MailscopeCore
import MicrosoftClients

/// Exchange Online: an Entra app (the service account) with RBAC for Applications roles limited by
/// a management scope, through Microsoft Graph and the Exchange admin API; proven by
/// `Test-ServicePrincipalAuthorization` and by Graph calls made as the app.
///
/// One file per stage beside this one: ServiceAccountStage, GroupStage, RoleStage, ScopeStage,
/// ConnectStage (each with its reads, its writes and their PowerShell).
final class ExchangeOnlineDriver: TargetDriver {
    let run: RunContext
    var graph: GraphClient?
    var exchange: ExchangeAdminClient?
    /// What the stages have learned about the tenant so far in this run.
    var facts = Facts()
    /// A secret created in this run, shown once on the hand-off.
    var freshSecret: Secret?
    /// The mailbox user's password created in this run, shown once on the hand-off.
    var freshMailboxPassword: Secret?

    /// The configured tenant, parsed once: every URL with a tenant in its path is built from it.
    let tenantID: TenantID

    init(run: RunContext) throws {
        self.run = run
        do {
            tenantID = try TenantID(parsing: run.config.tenant)
        } catch {
            throw ConfigError(problems: [FieldRules.tenant(run.config.tenant) ?? FieldError(field: "tenant.id", message: "\(error)")])
        }
    }

    /// The tenant for authority URLs: the signed-in tenant's ID once known, the configured one before.
    var authorityTenant: TenantID { tenant.flatMap { try? TenantID(parsing: $0.id) } ?? tenantID }

    static func script(for config: SetupConfig) -> String { ScriptRenderer.renderOnline(config) }

    let observesInOrder = false
    /// The vendor's app: the role stage reported its tenant-wide grants as held for the scope
    /// stage, which removes them in the wait's first phase; it is read again once the wait is over.
    var stagesProvenByTheWait: Set<StageID> { scopesVendorApp ? [.impersonationRole] : [] }

    func clients() throws -> (GraphClient, ExchangeAdminClient) {
        guard let graph, let exchange else {
            throw EngineError(stage: .signIn, message: "not signed in", fix: "sign in first")
        }
        return (graph, exchange)
    }

    func observe(_ stage: StageID, engine: SetupEngine) async throws -> StageObservation {
        if isDelegated, let reason = Self.notApplicableToDelegated(stage) {
            return StageObservation(report: StageReport(stage: stage, status: .skipped, detail: reason), writes: [])
        }
        return switch stage {
        case .signIn: StageObservation(report: signInReport, writes: [])
        case .serviceAccount: try await observeServiceAccount()
        case .distributionGroup: try await observeGroup()
        case .impersonationRole: try await observeRole()
        case .scope: try await observeScope()
        case .connect: isDelegated ? delegatedConnectObservation() : try await observeConnect(engine: engine)
        }
    }

    func prefetch(for stage: StageID) async {
        if stage == .scope, !isDelegated { facts.scopeReads = await prefetchScopeReads() }
    }

    func discardPrefetched() {
        facts.scopeReads = nil
    }

    func perform(_ write: Write) async throws {
        do {
            switch write {
            case .createApplication(let name, let uniqueName): try await createApplication(named: name, uniqueName: uniqueName)
            case .createServicePrincipal: try await createServicePrincipal()
            case .addSecret(let name, let days): try await addSecret(named: name, days: days)
            case .addCertificate(let name, let days): try await addCertificate(named: name, days: days)
            case .createMailboxUser(let upn, let displayName): try await createMailboxUser(upn: upn, displayName: displayName)
            case .assignLicense(let upn, let sku): try await assignLicense(to: upn, sku: sku)
            case .removeOrphanSecret(let keyID, _): try await removeSecret(keyID: keyID)
            case .createGroup(let name, let alias, let kind): try await createGroup(named: name, alias: alias, kind: kind)
            case .addMember(let address, let objectID): try await addMember(address: address, objectID: objectID)
            case .createExchangeServicePrincipal: try await createExchangeServicePrincipal()
            case .removeTenantWideGrant(let assignmentID, _, _): try await removeTenantWideGrant(assignmentID: assignmentID)
            case .createScope(let name, _): try await createScope(named: name)
            case .updateScope: try await updateScope()
            case .createRoleAssignment(_, let role, _): try await createRoleAssignment(role: role)
            case .removeRoleAssignment(let id, _): try await removeRoleAssignment(id: id)
            case .addRedirectURI(let uri): try await addRedirectURI(uri)
            case .declareDelegatedPermissions(let scopes): try await declareDelegatedPermissions(scopes)
            case .grantDelegatedConsent(let scopes): try await grantDelegatedConsent(scopes)
            case .updateDelegatedConsent(let grantID, let scopes): try await updateDelegatedConsent(grantID: grantID, scopes: scopes)
            case .removeAccessPolicy(let identity, _, _): try await removeAccessPolicy(identity: identity)
            case .removeMailboxPermission(let mailbox, let user): try await removeFullAccess(on: mailbox, of: user)
            case .setEwsAllowedAppIDs(_, let adding):
                try await addToEWSAllowList(adding.hasPrefix("<") ? try requireAppID() : adding)
            case .shellStep(let step):
                throw EngineError(
                    stage: step.stage, message: "an Exchange Management Shell step in an Exchange Online run",
                    fix: "set target = \"exchange-server\" for an on-premises setup")
            }
        } catch let error as MicrosoftError {
            throw EngineError(
                stage: stage(of: write), message: error.description, fix: Remedy.fix(for: error),
                transient: Remedy.isTransient(error))
        } catch let error as TransportError {
            throw EngineError(
                stage: stage(of: write),
                message: "\(PowerShell.summary(of: write)): \(error.description); the tenant may or may not have applied it",
                fix: Remedy.fix(for: error), transient: error.mayPass)
        }
    }

    func stage(of write: Write) -> StageID {
        switch write {
        case .createApplication, .createServicePrincipal, .addSecret, .addCertificate, .removeOrphanSecret,
            .createMailboxUser, .assignLicense, .addRedirectURI, .declareDelegatedPermissions, .grantDelegatedConsent,
            .updateDelegatedConsent:
            .serviceAccount
        case .createGroup, .addMember: .distributionGroup
        case .createExchangeServicePrincipal, .setEwsAllowedAppIDs: .impersonationRole
        // The vendor's own app: its grants are removed by the scope stage, after the assignments.
        case .removeTenantWideGrant: scopesVendorApp ? .scope : .impersonationRole
        case .createScope, .updateScope, .createRoleAssignment, .removeRoleAssignment, .removeAccessPolicy,
            .removeMailboxPermission:
            .scope
        case .shellStep(let step): step.stage
        }
    }

    func powershellLine(for write: Write) -> String {
        var write = write
        // A write planned before its app existed names it by placeholder; show the real ID once known.
        if case .createServicePrincipal(let appID) = write, appID.hasPrefix("<"), let known = facts.appID {
            write = .createServicePrincipal(appID: known)
        }
        if case .setEwsAllowedAppIDs(let list, let adding) = write, adding.hasPrefix("<"), let known = facts.appID {
            write = .setEwsAllowedAppIDs(appIDs: list.map { $0 == adding ? known : $0 }, adding: known)
        }
        return PowerShell.line(
            for: write,
            appObjectID: facts.appObjectID,
            servicePrincipalID: facts.servicePrincipalID,
            groupName: config.groupKind == .microsoft365
                ? config.effectiveGroupAlias : (facts.group?.name ?? config.groupName),
            groupKind: config.groupKind
        )
    }

    func checkBeforeFirstWrite() async throws {
        guard !isDelegated else { return }  // no mailbox is probed: each user's sign-in is the test
        try await requireInScopeMailbox()
    }

    func prepareWait(engine: SetupEngine) async throws {
        if facts.appID == nil { _ = try await engine.observe(.serviceAccount) }
        if !isDelegated, config.scopeKind == .group, facts.group == nil { _ = try await engine.observe(.distributionGroup) }
    }

    func asked(of stage: StageID) -> String {
        let p = { FieldRules.printable($0, limit: 120) }
        switch stage {
        case .signIn: return "tenant \"\(p(config.tenant))\""
        case .serviceAccount:
            if isDelegated {
                return "app \"\(p(config.serviceAccountName))\" with redirect URI \(wantedRedirectURI) and admin consent to "
                    + wantedScopes.joined(separator: " ")
            }
            if let vendorAppID = config.vendorAppID {
                return "the vendor's app \(vendorAppID): its service principal in this tenant, no credential"
            }
            return "app \"\(p(config.serviceAccountName))\" (uniqueName \(config.applicationUniqueName))"
        case .distributionGroup:
            return "group \"\(p(config.groupName))\" (alias \(p(config.effectiveGroupAlias))) with \(config.members.count) member(s)"
        case .impersonationRole:
            return "Exchange's pointer to the app \"\(p(appDisplayName))\""
                + (config.usesEWS ? ", and EWS open to it (EwsEnabled, EwsAllowedAppIDs)" : "")
        case .scope:
            let filter = wantedFilter.map(p) ?? "not known: no group DN"
            return "scope \"\(p(config.scopeName))\" (filter \(filter)) for \(config.assignedRoles.joined(separator: ", "))"
        case .connect where isDelegated: return "an app ready for a user's sign-in (\(Self.delegatedLimit))"
        case .connect: return "access to \(config.inScopeMailbox ?? "a mailbox in the scope") and none outside it"
        }
    }

    /// Runs `body`, treating "already exists" as success (a repeat after a lost answer).
    func tolerateExisting(_ body: () async throws -> [JSONValue]) async throws {
        do {
            _ = try await body()
        } catch let error as MicrosoftError where error.isAlreadyExists {
            log(.info, "already present: \(error.message)")
        }
    }

    /// Runs `body`, retrying with back-off while the directory answers that a just-created object
    /// does not exist (replication lag): 404, or 400 "does not reference a valid application".
    func retryingNotYetReplicated<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        var delay = environment.schedule.verifyDelay
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch let error as MicrosoftError
                where
                (error.isNotFound || error.message.contains("NoBackingApplicationObject")
                || error.message.contains("does not reference a valid application"))
                && attempt < environment.schedule.verifyAttempts + 2
            {
                try await environment.clock.sleep(for: delay)
                delay = delay * 2
            }
        }
    }
}
