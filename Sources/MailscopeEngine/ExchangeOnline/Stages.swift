import Foundation
import MailscopeCore
import MicrosoftClients

/// The scope stage's reads of the tenant.
struct ScopeReads: Sendable {
    /// The service principal whose assignments were read (nil: none yet, nothing read).
    var servicePrincipalID: String?
    /// Scopes with the configured name.
    var scopes: [JSONValue]
    /// Role definition id (lowercased) → name.
    var roleNames: [String: String]
    /// The service principal's role assignments.
    var assignments: [JSONValue]?
}

/// What observing a stage found: the report and the writes that would make it hold.
struct StageObservation: Sendable {
    var report: StageReport
    var writes: [Write]
}

extension SetupEngine {
    func clients() throws -> (GraphClient, ExchangeAdminClient) {
        guard let graph, let exchange else {
            throw EngineError(stage: .signIn, message: "not signed in", fix: "sign in first")
        }
        return (graph, exchange)
    }

    /// Reads the tenant for `stage` and decides what, if anything, must change.
    func observe(_ stage: StageID) async throws -> StageObservation {
        currentStage = stage
        emit(.stage(StageReport(stage: stage, status: .checking, detail: "reading the tenant")))
        do {
            var observation: StageObservation
            if isServer {
                observation = try await observeServer(stage)
            } else {
            switch stage {
            case .signIn: observation = StageObservation(report: signInReport, writes: [])
            case .serviceAccount: observation = try await observeServiceAccount()
            case .distributionGroup: observation = try await observeGroup()
            case .impersonationRole: observation = try await observeRole()
            case .scope: observation = try await observeScope()
            case .connect: observation = try await observeConnect()
            }
            }
            observation.report.changes = observation.writes.map {
                PlannedChange(
                    action: action(of: $0),
                    summary: PowerShell.summary(of: $0),
                    powershell: powershellLine($0)
                )
            }
            if !observation.writes.isEmpty && observation.report.status == .verified {
                observation.report.status = .needsChange
            }
            return observation
        } catch let error as MicrosoftError {
            let fix = Self.fix(for: error)
            let report = StageReport(stage: stage, status: .failed, detail: error.description, fix: fix)
            emit(.stage(report))
            throw EngineError(stage: stage, message: error.description, fix: fix, transient: Self.isTransient(error))
        } catch let error as TransportError {
            let report = StageReport(stage: stage, status: .failed, detail: error.description, fix: Self.fix(for: error))
            emit(.stage(report))
            throw EngineError(stage: stage, message: error.description, fix: Self.fix(for: error), transient: error.mayPass)
        }
    }

    private func action(of write: Write) -> PlannedChange.Action {
        switch write {
        case .removeOrphanSecret, .removeTenantWideGrant, .removeRoleAssignment: .remove
        case .updateScope: .update
        case .shellStep(let step): step.id == "repair-scope" ? .update : .create
        default: .create
        }
    }

    static func fix(for error: MicrosoftError) -> String {
        if let fix = cmdletRefusalFix(for: error) { return fix }
        if error.status == 429 {
            return "the service is throttling; wait a few minutes and run again (the run resumes)"
        }
        if error.isAccessDenied {
            return "the signed-in admin lacks a permission for \(error.request); see the sign-in stage's role check"
        }
        if error.status >= 500 { return "the service failed; run again (the run resumes where it stopped)" }
        if isTransient(error) { return resumeFix }
        return "see the message; correct the configuration and run again"
    }

    /// Whether `error` is a fault on the way rather than an answer about the setup: throttling or a
    /// busy service after the retries, no answer, or an answer that is not JSON.
    static func isTransient(_ error: MicrosoftError) -> Bool {
        error.status == 429 || error.status >= 500 || error.status == 0
            || error.code.caseInsensitiveCompare("MalformedResponse") == .orderedSame || error.code == "NoResponse"
    }

    /// The fix of a transport error: a fault that may pass resumes; a refusal (a URL or redirect
    /// mailscope does not follow, a certificate it does not trust) meets the same refusal again.
    static func fix(for error: TransportError) -> String {
        error.mayPass
            ? resumeFix
            : "check the configured cloud URLs, a proxy or the CA bundle; running again meets the same refusal"
    }

    /// The fix of a fault on the way (a broken connection, a timeout, an answer cut short).
    static let resumeFix =
        "a network or service fault, not a problem with the setup: run mailscope again; it re-reads the tenant "
        + "and resumes from the journal, repeating only what is missing"

    // MARK: Service account

    func observeServiceAccount() async throws -> StageObservation {
        let (graph, _) = try clients()
        var evidence: [String] = []
        var steps: [StepReport] = []
        var writes: [Write] = []
        var warnings: [String] = []
        let uniqueName = config.applicationUniqueName

        // The app: by the journal's ID, by uniqueName, then by display name.
        var app: JSONValue?
        if let known = journal.ids["appObjectID"] {
            app = try await graph.getIfPresent("/v1.0/applications/\(GraphClient.segment(known))")
            evidence.append("GET /v1.0/applications/\(known) → \(app == nil ? "404" : "200")")
        }
        if app == nil {
            app = try await graph.getIfPresent("/v1.0/applications(uniqueName=\(GraphClient.literal(uniqueName)))")
            evidence.append("GET /v1.0/applications(uniqueName='\(uniqueName)') → \(app == nil ? "404" : "200")")
        }
        if app == nil {
            let named = try await graph.list(
                GraphClient.path(
                    "/v1.0/applications",
                    [("$filter", "displayName eq \(GraphClient.literal(config.serviceAccountName))"), ("$top", "999")]
                )
            )
            evidence.append(
                "GET /v1.0/applications?$filter=displayName eq '\(config.serviceAccountName)' → \(named.count)"
            )
            if named.count > 1 {
                throw EngineError(
                    stage: .serviceAccount,
                    message: "\(named.count) apps are named \"\(config.serviceAccountName)\"",
                    fix:
                        "rename or delete the extra apps in Entra (App registrations), or choose another service_account.name"
                )
            }
            app = named.first
        }
        guard let app, let objectID = app["id"].string, let appID = app["appId"].string else {
            facts.appObjectID = nil
            facts.appID = nil
            writes.append(.createApplication(name: config.serviceAccountName, uniqueName: uniqueName))
            writes.append(.createServicePrincipal(appID: "<new app>"))
            writes.append(credentialWrite())
            steps = [
                StepReport(name: "app registration", status: .needsChange, detail: "missing"),
                StepReport(name: "service principal", status: .needsChange, detail: "missing"),
                StepReport(name: "credential", status: .needsChange, detail: "missing"),
            ]
            let mailbox = try await observeMailboxUser(graph: graph)
            steps += mailbox.steps
            writes += mailbox.writes
            evidence += mailbox.evidence
            return StageObservation(
                report: StageReport(
                    stage: .serviceAccount,
                    status: .needsChange,
                    detail: "no app \"\(config.serviceAccountName)\" yet",
                    evidence: evidence,
                    steps: steps
                ),
                writes: writes
            )
        }
        facts.application = app
        facts.appObjectID = objectID
        facts.appID = appID
        journal.ids["appObjectID"] = objectID
        journal.ids["appID"] = appID
        steps.append(StepReport(name: "app registration", status: .verified, detail: "appId \(appID)"))

        // The service principal.
        let sp = try await graph.getIfPresent(
            "/v1.0/servicePrincipals(appId=\(GraphClient.literal(appID)))?$select=id,appId,displayName"
        )
        evidence.append("GET /v1.0/servicePrincipals(appId='\(appID)') → \(sp == nil ? "404" : "200")")
        if let spID = sp?["id"].string {
            facts.servicePrincipalID = spID
            journal.ids["servicePrincipalID"] = spID
            steps.append(StepReport(name: "service principal", status: .verified, detail: "object id \(spID)"))
        } else {
            facts.servicePrincipalID = nil
            writes.append(.createServicePrincipal(appID: appID))
            steps.append(StepReport(name: "service principal", status: .needsChange, detail: "missing"))
        }

        // The credential mailscope holds: present in the app, not expiring, and its secret on disk.
        let now = environment.clock.now
        let credentials = (app["passwordCredentials"].array ?? []) + (app["keyCredentials"].array ?? [])
        for credential in credentials {
            if let end = credential["endDateTime"].string.flatMap(Self.parseDate),
                end < now.addingTimeInterval(30 * 86_400)
            {
                let name = credential["displayName"].string ?? credential["keyId"].string ?? "?"
                warnings.append(
                    end < now
                        ? "credential \(name) expired on \(Self.day(end))"
                        : "credential \(name) expires on \(Self.day(end)); plan a rotation"
                )
            }
        }
        // A credential file of this state directory that the journal does not record (the journal
        // was damaged or deleted) is matched to the app's credentials by key ID and held again.
        adoptHeldCredentialFile(among: credentials)
        // The held credential's end as the tenant has it (the journal's copy may be stale).
        let heldInApp = journal.credential.flatMap { held in
            credentials.first { $0["keyId"].string?.lowercased() == held.keyID.lowercased() }
        }
        let heldEnd = heldInApp?["endDateTime"].string.flatMap(Self.parseDate) ?? journal.credential?.expires
        // Credentials mailscope made (named "mailscope …") whose secret this directory does not hold:
        // held by another state directory or machine, or lost.
        let untracked = credentials.filter { credential in
            (credential["displayName"].string ?? "").hasPrefix("mailscope")
                && credential["keyId"].string?.lowercased() != journal.credential?.keyID.lowercased()
                && (credential["endDateTime"].string.flatMap(Self.parseDate) ?? .distantFuture) > now
        }
        // Of those, the ones another state directory or machine made (or a version or script that
        // named no holder): their secret may be in use.
        let holder = store.holderID
        let elsewhere = untracked.filter {
            JournalStore.holder(inCredentialName: $0["displayName"].string ?? "") != holder
        }
        func describe(_ credentials: [JSONValue]) -> String {
            credentials.map { credential in
                let end = credential["endDateTime"].string.flatMap(Self.parseDate).map(Self.day) ?? "?"
                return "\(credential["keyId"].string ?? "?") (\"\(credential["displayName"].string ?? "")\", valid until \(end))"
            }.joined(separator: ", ")
        }
        var heldExpired = false
        var heldElsewhere = false
        if let held = journal.credential, held.kind == config.credential, heldInApp != nil, let heldEnd, heldEnd <= now {
            // The app cannot sign in with it any more: a failure, not a warning.
            heldExpired = true
            writes.append(credentialWrite())
            steps.append(
                StepReport(
                    name: "credential", status: .failed,
                    detail: "\(held.kind.rawValue) \(held.hint)… expired on \(Self.day(heldEnd)): the app cannot sign in"))
        } else if let held = journal.credential, held.kind == config.credential, heldInApp != nil,
            FileManager.default.fileExists(atPath: held.path), (heldEnd ?? held.expires) > now.addingTimeInterval(14 * 86_400)
        {
            steps.append(
                StepReport(
                    name: "credential",
                    status: .verified,
                    detail: "\(held.kind.rawValue) \(held.hint)… valid until \(Self.day(held.expires))"
                )
            )
        } else if !elsewhere.isEmpty && !environment.credentials.addNew {
            // Another directory or machine holds a secret of this app: never a second one silently.
            heldElsewhere = true
            steps.append(
                StepReport(
                    name: "credential", status: .notVerified,
                    detail: "held elsewhere, not on this machine: \(describe(elsewhere))"))
            warnings.append(
                "the app has \(elsewhere.count) credential(s) made by mailscope in another state directory or on another machine: \(describe(elsewhere)). Their secret is held there (or was handed to the vendor); none is added silently. To add a new one beside them: mailscope apply --add-credential (add --remove-untracked-credentials to remove the ones this machine does not hold)"
            )
        } else {
            writes.append(credentialWrite())
            let reason =
                journal.credential == nil
                ? "none held by mailscope" : "the held credential is gone, expiring, or of another kind"
            steps.append(StepReport(name: "credential", status: .needsChange, detail: reason))
            if !untracked.isEmpty {
                let lost = untracked.count - elsewhere.count
                warnings.append(
                    "a new credential is added beside \(untracked.count) made earlier that this machine does not hold: \(describe(untracked))"
                    + (lost > 0 ? " (\(lost) made here, whose file is gone: the journal or the state directory was removed)" : "")
                    + (environment.credentials.removeUntracked ? "; those are removed" : "; remove them with --remove-untracked-credentials once the vendor no longer uses them")
                )
            }
        }
        if environment.credentials.removeUntracked {
            for credential in untracked {
                guard let keyID = credential["keyId"].string else { continue }
                if (app["passwordCredentials"].array ?? []).contains(where: { $0["keyId"].string == keyID }) {
                    writes.append(.removeOrphanSecret(keyID: keyID, displayName: credential["displayName"].string ?? ""))
                } else {
                    warnings.append("certificate \(keyID) is not held here; remove it in Entra (Certificates & secrets) if unused")
                }
            }
        }
        let mailbox = try await observeMailboxUser(graph: graph)
        steps += mailbox.steps
        writes += mailbox.writes
        evidence += mailbox.evidence
        let status: StageStatus = heldExpired ? .failed : !writes.isEmpty ? .needsChange : heldElsewhere ? .notVerified : .verified
        let detail =
            heldExpired
            ? "the credential mailscope holds has expired: the integration cannot sign in"
            : heldElsewhere && writes.isEmpty
                ? "app \(appID): its credential is held elsewhere, not on this machine"
            : writes.isEmpty
                ? "app \(appID) with service principal and credential"
                : "app \(appID) exists; \(writes.count) change(s) needed"
        return StageObservation(
            report: StageReport(
                stage: .serviceAccount,
                status: status,
                detail: detail,
                evidence: evidence,
                warnings: warnings,
                fix: heldExpired
                    ? "run mailscope apply: it adds a new credential; then give the vendor the new secret or certificate"
                    : nil,
                steps: steps
            ),
            writes: writes
        )
    }

    /// The optional licensed user mailbox of the service account: exists, licensed with `config.mailboxLicense`.
    func observeMailboxUser(graph: GraphClient) async throws -> (steps: [StepReport], writes: [Write], evidence: [String]) {
        guard let upn = config.mailboxUser else { return ([], [], []) }
        let user = try await graph.getIfPresent(
            "/v1.0/users/\(GraphClient.segment(upn))?$select=id,userPrincipalName,assignedLicenses,usageLocation")
        var evidence = ["GET /v1.0/users/\(upn) → \(user == nil ? "404" : "200")"]
        guard let user else {
            return (
                [StepReport(name: "mailbox user", status: .needsChange, detail: "\(upn) missing")],
                [.createMailboxUser(upn: upn, displayName: config.serviceAccountName), .assignLicense(upn: upn, sku: config.mailboxLicense)],
                evidence
            )
        }
        let skuID = try await skuID(for: config.mailboxLicense, graph: graph)
        evidence.append("GET /v1.0/subscribedSkus → \(config.mailboxLicense) is \(skuID ?? "not in this tenant")")
        let licensed = user["assignedLicenses"].array?.contains { $0["skuId"].string?.lowercased() == skuID?.lowercased() } ?? false
        if licensed {
            return ([StepReport(name: "mailbox user", status: .verified, detail: "\(upn), licensed \(config.mailboxLicense)")], [], evidence)
        }
        return (
            [StepReport(name: "mailbox user", status: .needsChange, detail: "\(upn) has no \(config.mailboxLicense) licence")],
            [.assignLicense(upn: upn, sku: config.mailboxLicense)], evidence
        )
    }

    /// The id of the subscribed SKU with part number `partNumber`, or nil when the tenant has none.
    func skuID(for partNumber: String, graph: GraphClient) async throws -> String? {
        let skus = try await graph.list("/v1.0/subscribedSkus?$select=skuId,skuPartNumber,prepaidUnits,consumedUnits")
        return skus.first { $0["skuPartNumber"].string?.caseInsensitiveCompare(partNumber) == .orderedSame }?["skuId"].string
    }

    /// Holds again a credential whose 0600 file is in this state directory but which the journal
    /// does not record: its file name carries the key ID's first 8 characters, and a secret's first
    /// characters must equal the app's `hint` for it.
    func adoptHeldCredentialFile(among credentials: [JSONValue]) {
        let inApp = { (keyID: String) in credentials.contains { $0["keyId"].string?.lowercased() == keyID.lowercased() } }
        if let held = journal.credential, inApp(held.keyID) { return }
        let now = environment.clock.now
        var best: (Journal.HeldCredential, Date)?
        for file in store.heldCredentialFiles() where file.kind == config.credential {
            for credential in credentials {
                guard let keyID = credential["keyId"].string, keyID.lowercased().hasPrefix(file.prefix),
                    let end = credential["endDateTime"].string.flatMap(Self.parseDate), end > now
                else { continue }
                var hint = credential["hint"].string ?? ""
                if file.kind == .secret {
                    guard let text = try? String(contentsOf: file.url, encoding: .utf8) else { continue }
                    if !hint.isEmpty && !text.hasPrefix(hint) { continue }
                    if hint.isEmpty { hint = String(text.prefix(3)) }
                } else {
                    hint = credential["customKeyIdentifier"].string ?? keyID
                }
                let certificate = file.kind == .certificate ? store.certificateURL(keyID: keyID).path : nil
                let candidate = Journal.HeldCredential(
                    keyID: keyID, kind: file.kind, path: file.url.path, certificatePath: certificate, expires: end, hint: hint)
                if best.map({ end > $0.1 }) ?? true { best = (candidate, end) }
            }
        }
        guard let (credential, _) = best else { return }
        log(
            .warning,
            "the journal did not record the credential \(credential.keyID); its file \(credential.path) matches the app's credential by key ID, so it is held again (no new one is added)"
        )
        journal.credential = credential
        persist()
    }

    private func credentialWrite() -> Write {
        let name = "mailscope \(Self.day(environment.clock.now)) (\(store.holderID))"
        return config.credential == .secret
            ? .addSecret(displayName: name, days: config.credentialLifetimeDays)
            : .addCertificate(displayName: name, days: config.credentialLifetimeDays)
    }

    // MARK: Distribution group

    func observeGroup() async throws -> StageObservation {
        guard config.scopeKind == .group else {
            facts.group = nil
            return StageObservation(
                report: StageReport(
                    stage: .distributionGroup,
                    status: .skipped,
                    detail:
                        "the scope covers room mailboxes by filter; no group is needed (rooms added later are covered)"
                ),
                writes: []
            )
        }
        let (graph, exchange) = try clients()
        var evidence: [String] = []
        var warnings: [String] = []
        var steps: [StepReport] = []
        var writes: [Write] = []
        let alias = config.effectiveGroupAlias

        // The group as Exchange sees it (its DN is what the scope filter needs).
        let found: JSONValue?
        if config.groupKind == .microsoft365 {
            found = try await exchange.find("Get-UnifiedGroup", ["Identity": .string(alias)])
            evidence.append("Get-UnifiedGroup -Identity '\(alias)' → \(found == nil ? "not found" : "found")")
        } else {
            found = try await exchange.find("Get-DistributionGroup", ["Identity": .string(alias)])
            evidence.append("Get-DistributionGroup -Identity '\(alias)' → \(found == nil ? "not found" : "found")")
        }
        // The group's direct members first (999 a page): configured addresses found among them
        // need no lookup of their own; the rest are resolved with batched Graph lookups.
        var direct: [DirectMember] = []
        if let found, let dn = found["DistinguishedName"].string {
            direct = try await directMembers(
                of: GroupFacts(
                    name: found["Name"].string ?? config.groupName,
                    address: found["PrimarySmtpAddress"].string ?? "",
                    distinguishedName: dn,
                    objectID: found["ExternalDirectoryObjectId"].string ?? "",
                    recipientTypeDetails: found["RecipientTypeDetails"].string ?? ""
                ),
                graph: graph,
                exchange: exchange
            )
        }
        let members = try await resolveMembers(graph: graph, known: direct)
        facts.members = members
        for member in members {
            if member.objectID == nil {
                warnings.append("\(member.configured) does not exist in the directory; it is left out")
            } else if member.isGroup {
                warnings.append(
                    "\(member.configured) is a group: group scopes count direct members only, so its members would NOT be in scope; list its mailboxes instead"
                )
            } else if let primary = member.primary, primary.lowercased() != member.configured.lowercased() {
                warnings.append(
                    "\(member.configured) is an alias; the primary SMTP address is \(primary) (used instead)"
                )
            }
        }
        // One write per mailbox: case variants, repeats and an alias beside its primary address
        // are the same object; each duplicate dropped is named.
        var wanted: [ResolvedMember] = []
        var firstByID: [String: ResolvedMember] = [:]
        for member in members where !member.isGroup {
            guard let id = member.objectID else { continue }
            if let first = firstByID[id] {
                let same =
                    first.configured.caseInsensitiveCompare(member.configured) == .orderedSame
                    ? "a repeat of \(first.configured)" : "the same mailbox as \(first.configured) (\(member.primary ?? first.configured))"
                warnings.append("\(member.configured) is \(same); the duplicate is dropped")
            } else {
                firstByID[id] = member
                wanted.append(member)
            }
        }
        if config.scopeKind == .group && wanted.isEmpty {
            // Nothing could be proven and the scope would cover nobody: stop before any write.
            let configured = config.members.prefix(5).joined(separator: ", ") + (config.members.count > 5 ? ", …" : "")
            return StageObservation(
                report: StageReport(
                    stage: .distributionGroup,
                    status: .failed,
                    detail:
                        "none of the \(config.members.count) configured member(s) is a mailbox in this tenant (\(configured))",
                    evidence: evidence,
                    warnings: warnings,
                    fix:
                        "list existing user or room mailboxes by their primary SMTP address in group.members (Get-Mailbox shows them); nothing was written",
                    steps: [StepReport(name: "members", status: .failed, detail: "no configured member resolves to a mailbox")]
                ),
                writes: []
            )
        }

        guard let found, let dn = found["DistinguishedName"].string else {
            facts.group = nil
            // A new name that looks like an existing group's is a takeover or a typo waiting to
            // happen: say so (TR39 skeletons), and name any mix of scripts.
            let existing = try await graph.list(
                GraphClient.path("/v1.0/groups", [("$select", "displayName,mailNickname"), ("$top", "999")]))
            evidence.append("GET /v1.0/groups?$select=displayName,mailNickname → \(existing.count) group(s)")
            warnings += Self.lookAlikeWarnings(
                kind: "group", name: config.groupName,
                existing: existing.flatMap { [$0["displayName"].string, $0["mailNickname"].string].compactMap { $0 } })
            writes.append(.createGroup(name: config.groupName, alias: alias, kind: config.groupKind))
            writes += wanted.map { .addMember(address: $0.primary ?? $0.configured, objectID: $0.objectID ?? "") }
            steps.append(StepReport(name: "group", status: .needsChange, detail: "missing"))
            steps.append(StepReport(name: "members", status: .needsChange, detail: "\(wanted.count) to add"))
            return StageObservation(
                report: StageReport(
                    stage: .distributionGroup,
                    status: .needsChange,
                    detail: "no group \"\(config.groupName)\" yet",
                    evidence: evidence,
                    warnings: warnings,
                    steps: steps
                ),
                writes: writes
            )
        }
        let group = GroupFacts(
            name: found["Name"].string ?? config.groupName,
            address: found["PrimarySmtpAddress"].string ?? "",
            distinguishedName: dn,
            objectID: found["ExternalDirectoryObjectId"].string ?? "",
            recipientTypeDetails: found["RecipientTypeDetails"].string ?? ""
        )
        facts.group = group
        journal.ids["groupObjectID"] = group.objectID
        steps.append(
            StepReport(name: "group", status: .verified, detail: "\(group.address) (\(group.recipientTypeDetails))")
        )
        let expectedType: String
        switch config.groupKind {
        case .distribution: expectedType = "MailUniversalDistributionGroup"
        case .mailEnabledSecurity: expectedType = "MailUniversalSecurityGroup"
        case .microsoft365: expectedType = "GroupMailbox"
        }
        if !group.recipientTypeDetails.isEmpty && group.recipientTypeDetails != expectedType {
            warnings.append(
                "the existing group is a \(group.recipientTypeDetails), not a \(expectedType); it is used as it is"
            )
        }

        facts.directMembers = direct
        evidence.append("direct members: \(direct.count)")
        let present = Set(direct.map(\.objectID))
        let missing = wanted.filter { !present.contains($0.objectID ?? "") }
        writes += missing.map { .addMember(address: $0.primary ?? $0.configured, objectID: $0.objectID ?? "") }
        for nested in direct where nested.isGroup {
            warnings.append(
                "the group contains the group \(nested.address): its members are NOT in scope (direct members only)"
            )
        }
        let configuredIDs = Set(wanted.compactMap(\.objectID))
        let extra = direct.filter { !$0.isGroup && !configuredIDs.contains($0.objectID) }
        if !extra.isEmpty {
            warnings.append(
                "\(extra.count) member(s) not in the config are in scope too: \(extra.prefix(5).map(\.address).joined(separator: ", "))\(extra.count > 5 ? ", …" : "")"
            )
        }
        steps.append(
            StepReport(
                name: "members",
                status: missing.isEmpty ? .verified : .needsChange,
                detail: missing.isEmpty
                    ? "\(wanted.count) configured member(s) present"
                    : "missing: \(missing.map { $0.primary ?? $0.configured }.joined(separator: ", "))"
            )
        )
        let detail =
            missing.isEmpty
            ? "\(group.address): \(direct.count) direct member(s)"
            : "\(missing.count) member(s) missing from \(group.address)"
        return StageObservation(
            report: StageReport(
                stage: .distributionGroup,
                status: missing.isEmpty ? .verified : .needsChange,
                detail: detail,
                evidence: evidence,
                warnings: warnings,
                steps: steps
            ),
            writes: writes
        )
    }

    /// Resolves each configured address: from the group's `known` direct members when one of
    /// their SMTP addresses matches, otherwise with Graph `$batch` (users, then groups for the misses).
    func resolveMembers(graph: GraphClient, known: [DirectMember]) async throws -> [ResolvedMember] {
        let addresses = config.members
        guard !addresses.isEmpty else { return [] }
        var byAddress: [String: DirectMember] = [:]
        for member in known {
            for address in member.addresses { byAddress[address] = member }
        }
        var resolvedKnown: [Int: ResolvedMember] = [:]
        for (index, address) in addresses.enumerated() {
            if let member = byAddress[address.lowercased()] {
                resolvedKnown[index] = ResolvedMember(
                    configured: address,
                    primary: member.address,
                    objectID: member.objectID,
                    isGroup: member.isGroup
                )
            }
        }
        func filter(_ address: String) -> String {
            "proxyAddresses/any(p:p eq \(GraphClient.literal("smtp:" + address)))"
        }
        let lookups = addresses.enumerated().filter { resolvedKnown[$0.offset] == nil }
        let userRequests = lookups.map { index, address in
            BatchRequest(
                id: "\(index)",
                url: GraphClient.path(
                    "/users",
                    [("$filter", filter(address)), ("$select", "id,mail,userPrincipalName,proxyAddresses")]
                )
            )
        }
        let users = try await graph.batch(userRequests)
        var resolved = addresses.enumerated().map { index, address in
            resolvedKnown[index] ?? ResolvedMember(configured: address, primary: nil, objectID: nil, isGroup: false)
        }
        var misses: [Int] = []
        for answer in users {
            guard let index = Int(answer.id) else { continue }
            guard answer.status == 200 else {
                throw GraphClient.error(of: answer, request: "GET /users (member lookup)")
            }
            if let user = answer.body["value"].array?.first {
                let primary =
                    user["proxyAddresses"].strings.first { $0.hasPrefix("SMTP:") }.map { String($0.dropFirst(5)) }
                    ?? user["mail"].string
                resolved[index] = ResolvedMember(
                    configured: addresses[index],
                    primary: primary,
                    objectID: user["id"].string,
                    isGroup: false
                )
            } else {
                misses.append(index)
            }
        }
        if !misses.isEmpty {
            let groupRequests = misses.map { index in
                BatchRequest(
                    id: "\(index)",
                    url: GraphClient.path("/groups", [("$filter", filter(addresses[index])), ("$select", "id,mail")])
                )
            }
            for answer in try await graph.batch(groupRequests) {
                guard let index = Int(answer.id) else { continue }
                guard answer.status == 200 else { throw GraphClient.error(of: answer, request: "GET /groups (member lookup)") }
                guard let group = answer.body["value"].array?.first else { continue }
                resolved[index] = ResolvedMember(
                    configured: addresses[index],
                    primary: group["mail"].string,
                    objectID: group["id"].string,
                    isGroup: true
                )
            }
        }
        return resolved
    }

    /// The group's direct members: from Graph (999 a page), or from Exchange while Graph has not
    /// replicated a group just created.
    func directMembers(
        of group: GroupFacts,
        graph: GraphClient,
        exchange: ExchangeAdminClient
    ) async throws -> [DirectMember] {
        if !group.objectID.isEmpty {
            do {
                return try await graph.list(
                    "/v1.0/groups/\(GraphClient.segment(group.objectID))/members?$select=id,mail,userPrincipalName,proxyAddresses&$top=999"
                ) { member in
                    let proxies = member["proxyAddresses"].strings
                    let primary = proxies.first { $0.hasPrefix("SMTP:") }.map { String($0.dropFirst(5)) }
                    let smtp = proxies.filter { $0.lowercased().hasPrefix("smtp:") }.map {
                        String($0.dropFirst(5)).lowercased()
                    }
                    return DirectMember(
                        objectID: member["id"].string ?? "",
                        address: primary ?? member["mail"].string ?? member["userPrincipalName"].string ?? member["id"]
                            .string ?? "",
                        isGroup: member["@odata.type"].string == "#microsoft.graph.group",
                        addresses: Set(smtp + [member["mail"].string?.lowercased()].compactMap { $0 })
                    )
                }
            } catch let error as MicrosoftError where error.isNotFound {
                // Not replicated to Graph yet: ask Exchange.
            }
        }
        let members = try await exchange.invoke(
            "Get-DistributionGroupMember",
            ["Identity": .string(group.distinguishedName), "ResultSize": "Unlimited"]
        )
        return members.map { member in
            DirectMember(
                objectID: member["ExternalDirectoryObjectId"].string ?? "",
                address: member["PrimarySmtpAddress"].string ?? "",
                isGroup: (member["RecipientTypeDetails"].string ?? "").contains("Group"),
                addresses: Set([member["PrimarySmtpAddress"].string?.lowercased()].compactMap { $0 })
            )
        }
    }

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

    // MARK: Scope

    /// The filter the scope must have, or nil while the group does not exist yet.
    var wantedFilter: String? {
        switch config.scopeKind {
        case .rooms: Quoting.roomMailboxFilter
        case .group: facts.group.map { Quoting.memberOfGroupFilter(groupDN: $0.distinguishedName) }
        }
    }

    /// Graph beta's RBAC for Applications endpoints (documented; the same objects as Exchange's
    /// management scopes and management role assignments).
    static let roleManagement = "/beta/roleManagement/exchange"

    /// The Exchange application role definitions: id → name (read once per run).
    func roleDefinitions(graph: GraphClient) async throws -> [String: String] {
        if let known = facts.roleDefinitions { return known }
        let definitions = try await graph.list("\(Self.roleManagement)/roleDefinitions")
        var map: [String: String] = [:]
        for definition in definitions {
            if let id = definition["id"].string, let name = definition["displayName"].string {
                map[id.lowercased()] = name
            }
        }
        facts.roleDefinitions = map
        return map
    }

    /// The scope stage's reads, made at once: the scope by name and, once the app has a service
    /// principal, its role assignments with the role names.
    func readScope(graph: GraphClient) async throws -> ScopeReads {
        let spID = facts.servicePrincipalID
        async let scopes = graph.list(
            GraphClient.path(
                "\(Self.roleManagement)/customAppScopes",
                [("$filter", "displayName eq \(GraphClient.literal(config.scopeName))")]
            )
        )
        async let names = spID == nil ? [:] : roleDefinitions(graph: graph)
        async let assignments =
            spID == nil
            ? nil
            : graph.list(
                GraphClient.path(
                    "\(Self.roleManagement)/roleAssignments",
                    [("$filter", "principalId eq '/ServicePrincipals/\(spID ?? "")'")]
                )
            )
        return ScopeReads(
            servicePrincipalID: spID, scopes: try await scopes, roleNames: try await names,
            assignments: try await assignments)
    }

    /// The scope stage's reads made ahead (by an overlapped check), or nil when one failed: the
    /// stage then reads again itself and reports the failure.
    func prefetchScopeReads() async -> ScopeReads? {
        guard let (graph, _) = try? clients() else { return nil }
        return try? await readScope(graph: graph)
    }

    func observeScope() async throws -> StageObservation {
        let (graph, _) = try clients()
        if let dn = facts.group?.distinguishedName, dn.contains(where: FieldRules.typographicQuotes.contains) {
            throw EngineError(
                stage: .scope,
                message: "the group's distinguished name contains a typographic quote, which Exchange's filter parser reads as a quote",
                fix: "rename the group without ‘ ’ ‚ ‛ (a plain apostrophe is fine), then run again")
        }
        var evidence: [String] = []
        var steps: [StepReport] = []
        var writes: [Write] = []
        var warnings: [String] = []
        let filter = wantedFilter ?? Quoting.memberOfGroupFilter(groupDN: "<DN of \(config.groupName)>")

        let reads: ScopeReads
        if let prefetched = facts.scopeReads {
            reads = prefetched
            facts.scopeReads = nil
        } else {
            reads = try await readScope(graph: graph)
        }
        let scope = reads.scopes.first
        var exclusive = false
        facts.scopeID = scope?["id"].string
        let storedFilter = scope?["customAttributes"]["RecipientFilter"].string ?? ""
        evidence.append(
            "GET \(Self.roleManagement)/customAppScopes?$filter=displayName eq '\(config.scopeName)' → \(scope == nil ? "none" : "filter \(storedFilter)")"
        )
        if let scope {
            if scope["customAttributes"]["Exclusive"].bool == true {
                exclusive = true
                warnings.append("scope \"\(config.scopeName)\" is exclusive: exclusive scopes do not restrict apps")
                steps.append(
                    StepReport(
                        name: "exclusive scope", status: .failed,
                        detail: "exclusive scopes are not supported for apps; the scope does not restrict the app"))
            }
            if wantedFilter == nil {
                steps.append(StepReport(name: "management scope", status: .needsChange, detail: "waits for the group"))
            } else if Self.sameFilter(storedFilter, filter) {
                steps.append(StepReport(name: "management scope", status: .verified, detail: storedFilter))
            } else {
                writes.append(.updateScope(name: config.scopeName, filter: filter))
                steps.append(
                    StepReport(
                        name: "management scope",
                        status: .needsChange,
                        detail: "filter is \(storedFilter.isEmpty ? "empty" : storedFilter), should be \(filter)"
                    )
                )
            }
        } else {
            let all = try await graph.list("\(Self.roleManagement)/customAppScopes")
            evidence.append("GET \(Self.roleManagement)/customAppScopes → \(all.count) scope(s)")
            warnings += Self.lookAlikeWarnings(
                kind: "scope", name: config.scopeName, existing: all.compactMap { $0["displayName"].string })
            writes.append(.createScope(name: config.scopeName, filter: filter))
            steps.append(StepReport(name: "management scope", status: .needsChange, detail: "missing"))
        }

        // The app's role assignments.
        let existing = reads.assignments ?? []
        let names = reads.roleNames
        if let spID = reads.servicePrincipalID {
            evidence.append(
                "GET \(Self.roleManagement)/roleAssignments?$filter=principalId eq '/ServicePrincipals/\(spID)' → \(existing.count)"
            )
        }
        func roleName(_ assignment: JSONValue) -> String {
            names[(assignment["roleDefinitionId"].string ?? "").lowercased()] ?? assignment["roleDefinitionId"].string
                ?? "?"
        }
        let scopeID = facts.scopeID?.lowercased()
        for role in config.roles {
            let bound = existing.contains {
                roleName($0).caseInsensitiveCompare(role) == .orderedSame && scopeID != nil
                    && $0["appScopeId"].string?.lowercased() == scopeID
            }
            if bound {
                steps.append(StepReport(name: role, status: .verified, detail: "bound to \(config.scopeName)"))
            } else {
                writes.append(
                    .createRoleAssignment(name: config.assignmentName(for: role), role: role, scope: config.scopeName)
                )
                steps.append(StepReport(name: role, status: .needsChange, detail: "not assigned with this scope"))
            }
        }
        // An assignment without any scope reaches every mailbox; one with another scope reaches more.
        for assignment in existing {
            guard let id = assignment["id"].string else { continue }
            let appScope = assignment["appScopeId"].string?.lowercased()
            if appScope != nil && appScope == scopeID { continue }
            let role = roleName(assignment)
            let directoryScope = assignment["directoryScopeId"].string ?? "/"
            if appScope == nil && directoryScope == "/" {
                writes.append(.removeRoleAssignment(id: id, role: role))
                steps.append(
                    StepReport(
                        name: role,
                        status: .needsChange,
                        detail: "an assignment without a scope reaches every mailbox"
                    )
                )
            } else {
                warnings.append("the app also holds \(role) with scope \(appScope ?? directoryScope)")
            }
        }
        let status: StageStatus = exclusive ? .failed : writes.isEmpty ? .verified : .needsChange
        let detail =
            exclusive
            ? "\(config.scopeName) is an exclusive scope, which does not restrict an app"
            : writes.isEmpty
                ? "\(config.scopeName): \(filter); \(config.roles.count) role(s) bound" : "\(writes.count) change(s) needed"
        return StageObservation(
            report: StageReport(
                stage: .scope,
                status: status,
                detail: detail,
                evidence: evidence,
                warnings: warnings,
                fix: exclusive
                    ? "an exclusive scope cannot be made ordinary (Set-ManagementScope has no -Exclusive): remove the "
                        + "app's role assignments on it and the scope (Remove-ManagementScope), then run mailscope apply"
                    : nil,
                steps: steps
            ),
            writes: writes
        )
    }

    /// Compares two OPATH filters the way Exchange stores them (it adds parentheses and may
    /// change quoting), ignoring case and outer parentheses.
    static func sameFilter(_ stored: String, _ wanted: String) -> Bool {
        func normal(_ filter: String) -> String {
            var text = filter.trimmingCharacters(in: .whitespaces)
            while text.hasPrefix("("), text.hasSuffix(")") {
                text = String(text.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
            }
            return text.lowercased().split(separator: " ").joined(separator: " ")
        }
        return normal(stored) == normal(wanted)
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
