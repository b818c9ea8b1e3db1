import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeOnlineDriver {
    // MARK: Service account

    /// Reads the service account: the app registration, its service principal, the credential
    /// mailscope holds, and the optional mailbox user; says what is missing and what must change.
    func observeServiceAccount() async throws -> StageObservation {
        if let vendorAppID = config.vendorAppID { return try await observeVendorApp(appID: vendorAppID) }
        let (graph, _) = try clients()
        var findings = StageFindings()
        guard let app = try await findApplication(graph: graph, into: &findings),
            let objectID = app["id"].string, let appID = app["appId"].string
        else {
            return try await missingServiceAccount(graph: graph, findings: findings)
        }
        facts.application = app
        facts.appObjectID = objectID
        facts.appID = appID
        journal.ids["appObjectID"] = objectID
        journal.ids["appID"] = appID
        findings.step("app registration", .verified, "appId \(appID)")
        try await observeServicePrincipal(appID: appID, graph: graph, into: &findings)
        let credential = judgeCredential(of: app, into: &findings)
        if isDelegated { findings.append(try await observeDelegatedAccess(app: app, graph: graph)) }
        findings.append(try await observeMailboxUser(graph: graph))
        return serviceAccountObservation(appID: appID, credential: credential, findings: findings)
    }

    /// The app: by the journal's ID, by uniqueName, then by display name (nil: none yet). Two
    /// apps of the configured name are an error, as mailscope cannot tell which one is its own.
    private func findApplication(graph: GraphClient, into findings: inout StageFindings) async throws -> JSONValue? {
        let uniqueName = config.applicationUniqueName
        var app: JSONValue?
        if let known = journal.ids["appObjectID"] {
            let byID = GraphRequest.application(id: known)
            app = try await graph.getIfPresent(byID)
            findings.evidence.append(byID.answered(app == nil ? "404" : "200"))
        }
        if app == nil {
            let byUniqueName = GraphRequest.application(uniqueName: uniqueName)
            app = try await graph.getIfPresent(byUniqueName)
            findings.evidence.append(byUniqueName.answered(app == nil ? "404" : "200"))
        }
        if app == nil {
            let byName = GraphRequest.applications(displayName: config.serviceAccountName)
            let named = try await graph.list(byName)
            findings.evidence.append(byName.answered("\(named.count)"))
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
        return app
    }

    /// No app yet: the app, its service principal and a credential are all to be made (the
    /// mailbox user is still read, as it does not depend on the app).
    private func missingServiceAccount(graph: GraphClient, findings: StageFindings) async throws -> StageObservation {
        var findings = findings
        facts.appObjectID = nil
        facts.appID = nil
        findings.writes.append(
            .createApplication(name: config.serviceAccountName, uniqueName: config.applicationUniqueName))
        findings.writes.append(.createServicePrincipal(appID: "<new app>"))
        findings.writes.append(credentialWrite())
        if isDelegated { findings.writes += newDelegatedAppWrites }
        findings.step("app registration", .needsChange, "missing")
        findings.step("service principal", .needsChange, "missing")
        findings.step("credential", .needsChange, "missing")
        findings.append(try await observeMailboxUser(graph: graph))
        return findings.observation(
            stage: .serviceAccount, status: .needsChange, detail: "no app \"\(config.serviceAccountName)\" yet")
    }

    /// The app's service principal: present (its id is recorded), or to be created.
    private func observeServicePrincipal(
        appID: String, graph: GraphClient, into findings: inout StageFindings
    ) async throws {
        let read = GraphRequest.servicePrincipal(appID: appID, select: ["id", "appId", "displayName", "accountEnabled"])
        let sp = try await graph.getIfPresent(read)
        findings.evidence.append(read.answered(sp == nil ? "404" : "200"))
        if let spID = sp?["id"].string {
            facts.servicePrincipalID = spID
            journal.ids["servicePrincipalID"] = spID
            if sp?["accountEnabled"].bool == false {
                // Someone turned off "Enabled for users to sign in": the app gets no token
                // (AADSTS7000112). Reported, not repaired: an admin may have meant it.
                findings.step("service principal", .failed, "object id \(spID), disabled: the app cannot sign in")
            } else {
                findings.step("service principal", .verified, "object id \(spID)")
            }
        } else {
            facts.servicePrincipalID = nil
            findings.writes.append(.createServicePrincipal(appID: appID))
            findings.step("service principal", .needsChange, "missing")
        }
    }

    /// The service account's report: failed while the held credential has expired, otherwise
    /// by the writes needed, and "not verified" when only another machine holds the credential.
    private func serviceAccountObservation(
        appID: String, credential: CredentialState, findings: StageFindings
    ) -> StageObservation {
        if let disabled = findings.steps.first(where: { $0.name == "service principal" && $0.status == .failed }) {
            return findings.observation(
                stage: .serviceAccount, status: .failed,
                detail: "the app's service principal is disabled: the integration cannot sign in (\(disabled.detail))",
                fix: "enable it if the integration should work: Update-MgServicePrincipal -ServicePrincipalId "
                    + "\(facts.servicePrincipalID ?? "<id>") -AccountEnabled:$true (Entra admin center → Enterprise "
                    + "applications → \(config.serviceAccountName) → Properties → Enabled for users to sign in)")
        }
        if findings.steps.contains(where: { $0.name == "application permissions" && $0.status == .failed }) {
            let spID = facts.servicePrincipalID ?? "<id>"
            return findings.observation(
                stage: .serviceAccount, status: .failed,
                detail: "EXPOSED: the delegated app also holds tenant-wide application permissions: "
                    + facts.delegatedExposure.joined(separator: "; "),
                fix: "remove each unless an admin meant it (delegated access needs none): Remove-MgServicePrincipalAppRoleAssignment "
                    + "-ServicePrincipalId \(spID) -AppRoleAssignmentId <id> (Entra admin center → Enterprise applications → "
                    + "\(config.serviceAccountName) → Permissions → Revoke)")
        }
        let expired = credential == .expired
        let elsewhere = credential == .heldElsewhere
        let writes = findings.writes
        let status: StageStatus = expired ? .failed : !writes.isEmpty ? .needsChange : elsewhere ? .notVerified : .verified
        let detail =
            expired
            ? "the credential mailscope holds has expired: the integration cannot sign in"
            : elsewhere && writes.isEmpty
                ? "app \(appID): its credential is held elsewhere, not on this machine"
            : writes.isEmpty
                ? "app \(appID) with service principal and credential"
                : "app \(appID) exists; \(writes.count) change(s) needed"
        return findings.observation(
            stage: .serviceAccount,
            status: status,
            detail: detail,
            fix: expired
                ? "run mailscope apply: it adds a new credential; then give the vendor the new secret or certificate"
                : nil
        )
    }

    /// The optional licensed user mailbox of the service account: exists, licensed with `config.mailboxLicense`.
    func observeMailboxUser(graph: GraphClient) async throws -> StageFindings {
        var findings = StageFindings()
        guard let upn = config.mailboxUser else { return findings }
        if let consent = PresetMailbox.consentNote(config) { findings.warnings.append(consent) }
        let read = GraphRequest.user(upn, select: ["id", "userPrincipalName", "assignedLicenses", "usageLocation"])
        let user = try await graph.getIfPresent(read)
        findings.evidence.append(read.answered(user == nil ? "404" : "200"))
        guard let user else {
            let location =
                config.usageLocation == nil
                ? mailboxUsageLocation.map { ", usage location \($0) (the tenant's country; service_account.usage_location changes it)" }
                    ?? "" : ""
            findings.step("mailbox user", .needsChange, "\(upn) missing\(location)")
            findings.writes = [
                .createMailboxUser(upn: upn, displayName: config.serviceAccountName),
                .assignLicense(upn: upn, sku: config.mailboxLicense),
            ]
            return findings
        }
        let skuID = try await skuID(for: config.mailboxLicense, graph: graph)
        findings.evidence.append(
            Self.subscribedSkus.answered("\(config.mailboxLicense) is \(skuID ?? "not in this tenant")"))
        let licensed = user["assignedLicenses"].array?.contains { $0["skuId"].string?.lowercased() == skuID?.lowercased() } ?? false
        if licensed {
            findings.step("mailbox user", .verified, "\(upn), licensed \(config.mailboxLicense)")
        } else {
            findings.step("mailbox user", .needsChange, "\(upn) has no \(config.mailboxLicense) licence")
            findings.writes = [.assignLicense(upn: upn, sku: config.mailboxLicense)]
        }
        return findings
    }

    // MARK: The held credential

    /// The app's credentials as the service-account check sees them, against the one mailscope holds.
    struct CredentialSurvey {
        /// The held credential as the app has it (nil: none is held, or the app no longer has it).
        var heldInApp: JSONValue?
        /// The held credential's end as the tenant has it (the journal's copy may be stale).
        var heldEnd: Date?
        /// Still-valid credentials mailscope made (named "mailscope …") whose secret this directory
        /// does not hold: held by another state directory or machine, or lost.
        var untracked: [JSONValue]
        /// Of those, the ones another state directory or machine made (or a version or script that
        /// named no holder): their secret may be in use.
        var elsewhere: [JSONValue]
    }

    /// What the check concluded about the credential mailscope holds.
    enum CredentialState {
        /// Held here, in the app, and valid for two more weeks.
        case usable
        /// Held here and in the app, but expired: the app cannot sign in with it.
        case expired
        /// Only another state directory or machine holds one, and none is added silently.
        case heldElsewhere
        /// A new credential is to be added.
        case toAdd
    }

    /// Judges the credential mailscope holds: warns of credentials near their end, adopts a
    /// credential file the journal lost, decides whether a new credential is needed, and (when
    /// asked) removes the untracked secrets.
    private func judgeCredential(of app: JSONValue, into findings: inout StageFindings) -> CredentialState {
        let now = environment.clock.now
        let credentials = (app["passwordCredentials"].array ?? []) + (app["keyCredentials"].array ?? [])
        findings.warnings += Self.expiryWarnings(credentials, now: now)
        // A credential file of this state directory that the journal does not record (the journal
        // was damaged or deleted) is matched to the app's credentials by key ID and held again.
        adoptHeldCredentialFile(among: credentials)
        let survey = surveyCredentials(credentials, now: now)
        let state = credentialState(survey, now: now, into: &findings)
        if environment.credentials.removeUntracked {
            removeUntracked(survey.untracked, of: app, into: &findings)
        }
        return state
    }

    /// A warning for each credential of the app that has expired or ends within 30 days.
    private static func expiryWarnings(_ credentials: [JSONValue], now: Date) -> [String] {
        credentials.compactMap { credential in
            guard let end = credential["endDateTime"].string.flatMap(Timestamps.parse),
                end < now.addingTimeInterval(30 * 86_400)
            else { return nil }
            let name = credential["displayName"].string ?? credential["keyId"].string ?? "?"
            return end < now
                ? "credential \(name) expired on \(Timestamps.day(end))"
                : "credential \(name) expires on \(Timestamps.day(end)); plan a rotation"
        }
    }

    /// Sorts the app's `credentials` against the journal's held one (read after any adoption).
    private func surveyCredentials(_ credentials: [JSONValue], now: Date) -> CredentialSurvey {
        let heldInApp = journal.credential.flatMap { held in
            credentials.first { $0["keyId"].string?.lowercased() == held.keyID.lowercased() }
        }
        let untracked = credentials.filter { credential in
            (credential["displayName"].string ?? "").hasPrefix("mailscope")
                && credential["keyId"].string?.lowercased() != journal.credential?.keyID.lowercased()
                && (credential["endDateTime"].string.flatMap(Timestamps.parse) ?? .distantFuture) > now
        }
        let holder = store.holderID
        return CredentialSurvey(
            heldInApp: heldInApp,
            heldEnd: heldInApp?["endDateTime"].string.flatMap(Timestamps.parse) ?? journal.credential?.expires,
            untracked: untracked,
            elsewhere: untracked.filter {
                JournalStore.holder(inCredentialName: $0["displayName"].string ?? "") != holder
            }
        )
    }

    /// The credential's step, its write and warnings: expired (a failure, not a warning), usable,
    /// held only elsewhere (never a second one silently), or to be added beside any untracked ones.
    private func credentialState(
        _ survey: CredentialSurvey, now: Date, into findings: inout StageFindings
    ) -> CredentialState {
        let describe = Self.describeCredentials
        if let held = journal.credential, held.kind == config.credential, survey.heldInApp != nil,
            let heldEnd = survey.heldEnd, heldEnd <= now
        {
            // The app cannot sign in with it any more.
            findings.writes.append(credentialWrite())
            findings.step(
                "credential", .failed,
                "\(held.kind.rawValue) \(held.hint)… expired on \(Timestamps.day(heldEnd)): the app cannot sign in")
            return .expired
        }
        if let held = journal.credential, held.kind == config.credential, survey.heldInApp != nil,
            FileManager.default.fileExists(atPath: held.path),
            (survey.heldEnd ?? held.expires) > now.addingTimeInterval(14 * 86_400)
        {
            findings.step("credential", .verified, "\(held.kind.rawValue) \(held.hint)… valid until \(Timestamps.day(held.expires))")
            return .usable
        }
        let elsewhere = survey.elsewhere
        if !elsewhere.isEmpty && !environment.credentials.addNew {
            findings.step("credential", .notVerified, "held elsewhere, not on this machine: \(describe(elsewhere))")
            findings.warnings.append(
                "the app has \(elsewhere.count) credential(s) made by mailscope in another state directory or on another machine: \(describe(elsewhere)). Their secret is held there (or was handed to the vendor); none is added silently. To add a new one beside them: mailscope apply --add-credential (add --remove-untracked-credentials to remove the ones this machine does not hold)"
            )
            return .heldElsewhere
        }
        findings.writes.append(credentialWrite())
        let reason =
            journal.credential == nil
            ? "none held by mailscope" : "the held credential is gone, expiring, or of another kind"
        findings.step("credential", .needsChange, reason)
        let untracked = survey.untracked
        if !untracked.isEmpty {
            let lost = untracked.count - elsewhere.count
            findings.warnings.append(
                "a new credential is added beside \(untracked.count) made earlier that this machine does not hold: \(describe(untracked))"
                + (lost > 0 ? " (\(lost) made here, whose file is gone: the journal or the state directory was removed)" : "")
                + (environment.credentials.removeUntracked ? "; those are removed" : "; remove them with --remove-untracked-credentials once the vendor no longer uses them")
            )
        }
        return .toAdd
    }

    /// `--remove-untracked-credentials`: each untracked secret is removed; a certificate is only
    /// named, as Graph removes one by rewriting the whole collection.
    private func removeUntracked(_ untracked: [JSONValue], of app: JSONValue, into findings: inout StageFindings) {
        for credential in untracked {
            guard let keyID = credential["keyId"].string else { continue }
            if (app["passwordCredentials"].array ?? []).contains(where: { $0["keyId"].string == keyID }) {
                findings.writes.append(.removeOrphanSecret(keyID: keyID, displayName: credential["displayName"].string ?? ""))
            } else {
                findings.warnings.append("certificate \(keyID) is not held here; remove it in Entra (Certificates & secrets) if unused")
            }
        }
    }

    /// Credentials as the warnings name them: key ID, display name and end day.
    private static func describeCredentials(_ credentials: [JSONValue]) -> String {
        credentials.map { credential in
            let end = credential["endDateTime"].string.flatMap(Timestamps.parse).map(Timestamps.day) ?? "?"
            return "\(credential["keyId"].string ?? "?") (\"\(credential["displayName"].string ?? "")\", valid until \(end))"
        }.joined(separator: ", ")
    }

    /// The tenant's subscriptions, as `skuID(for:graph:)` reads them.
    static let subscribedSkus = GraphRequest.subscribedSkus(
        select: ["skuId", "skuPartNumber", "prepaidUnits", "consumedUnits"])

    /// The id of the subscribed SKU with part number `partNumber`, or nil when the tenant has none.
    func skuID(for partNumber: String, graph: GraphClient) async throws -> String? {
        let skus = try await graph.list(Self.subscribedSkus)
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
                    let end = credential["endDateTime"].string.flatMap(Timestamps.parse), end > now
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
        let name = "mailscope \(Timestamps.day(environment.clock.now)) (\(store.holderID))"
        return config.credential == .secret
            ? .addSecret(displayName: name, days: config.credentialLifetimeDays)
            : .addCertificate(displayName: name, days: config.credentialLifetimeDays)
    }

    // MARK: Writes

    func createApplication(named name: String, uniqueName: String) async throws {
        let (graph, _) = try clients()
        let result = try await graph.write(
            .upsertApplication(uniqueName: uniqueName),
            body: [
                "displayName": .string(name), "signInAudience": "AzureADMyOrg",
                "notes": "Service account for a scoped mailbox integration, managed by mailscope.",
            ]
        )
        // 201 carries the new app; 204 (it existed, e.g. a repeat after a lost answer) carries
        // nothing, so read it back (it may not be replicated yet).
        let app =
            result.body["id"].string != nil
            ? result.body
            : try await retryingNotYetReplicated {
                try await graph.get(.application(uniqueName: uniqueName))
            }
        if let id = app["id"].string, let appID = app["appId"].string {
            facts.appObjectID = id
            facts.appID = appID
            journal.ids["appObjectID"] = id
            journal.ids["appID"] = appID
        }
    }

    func createServicePrincipal() async throws {
        if let vendorAppID = config.vendorAppID { return try await createVendorServicePrincipal(appID: vendorAppID) }
        let (graph, _) = try clients()
        let appID = try requireAppID()
        let result = try await retryingNotYetReplicated {
            try await graph.write(.upsertServicePrincipal(appID: appID), body: [:])
        }
        let servicePrincipal =
            result.body["id"].string != nil
            ? result.body
            : try await retryingNotYetReplicated {
                try await graph.get(.servicePrincipal(appID: appID, select: ["id"]))
            }
        if let id = servicePrincipal["id"].string {
            facts.servicePrincipalID = id
            journal.ids["servicePrincipalID"] = id
        }
    }

    func addSecret(named displayName: String, days: Int) async throws {
        let (graph, _) = try clients()
        let objectID = try requireAppObjectID()
        let end = environment.clock.now.addingTimeInterval(TimeInterval(days) * 86_400)
        let result = try await retryingNotYetReplicated {
            try await graph.write(
                .addPassword(application: objectID),
                body: [
                    "passwordCredential": [
                        "displayName": .string(displayName), "endDateTime": .string(Timestamps.iso8601(end)),
                    ]
                ]
            )
        }
        guard let keyID = result.body["keyId"].string, let text = result.body["secretText"].string else {
            throw EngineError(
                stage: .serviceAccount,
                message: "addPassword answered without keyId or secretText",
                fix: "run again"
            )
        }
        let secret = Secret(text)
        let url = store.credentialURL(.secret, keyID: keyID)
        try PrivateFiles.write(Data(secret.reveal().utf8), to: url)
        freshSecret = secret
        switchHeldCredential(
            to: Journal.HeldCredential(
                keyID: keyID,
                kind: .secret,
                path: url.path,
                certificatePath: nil,
                expires: end,
                hint: result.body["hint"].string ?? String(text.prefix(3))
            )
        )
    }

    func addCertificate(named displayName: String, days: Int) async throws {
        let (graph, _) = try clients()
        let objectID = try requireAppObjectID()
        let now = environment.clock.now
        let certificate = try GeneratedCertificate.make(
            commonName: config.serviceAccountName,
            now: now,
            days: days
        )
        // New files named by the new key ID: the held credential's files stay intact until
        // the tenant has the new certificate.
        let keyID = UUID().uuidString.lowercased()
        let keyURL = store.credentialURL(.certificate, keyID: keyID)
        let certificateURL = store.certificateURL(keyID: keyID)
        try PrivateFiles.write(Data(certificate.privateKeyPEM.reveal().utf8), to: keyURL)
        try PrivateFiles.write(Data(certificate.certificatePEM.utf8), to: certificateURL)
        // PATCH replaces the whole collection: send the existing certificates back, `key`
        // included (Graph returns it for a single object's $select=keyCredentials).
        let app = try await graph.get(.application(id: objectID, select: ["keyCredentials"]))
        var credentials = app["keyCredentials"].array ?? []
        credentials.append([
            "keyId": .string(keyID), "type": "AsymmetricX509Cert", "usage": "Verify",
            "key": .string(certificate.certificateDER.base64EncodedString()),
            "displayName": .string(displayName),
            "startDateTime": .string(Timestamps.iso8601(now)),
            "endDateTime": .string(Timestamps.iso8601(certificate.notAfter)),
        ])
        try await graph.write(.updateApplication(id: objectID), body: ["keyCredentials": .array(credentials)])
        switchHeldCredential(
            to: Journal.HeldCredential(
                keyID: keyID,
                kind: .certificate,
                path: keyURL.path,
                certificatePath: certificateURL.path,
                expires: certificate.notAfter,
                hint: certificate.thumbprint
            )
        )
    }

    /// The usage location a licence of the mailbox user needs: the configured one; for a preset that
    /// turns the licensed mailbox on itself (Eptura Workplace), the tenant's country when none is
    /// configured (`organization.countryLetterCode`, named in the plan).
    var mailboxUsageLocation: String? {
        config.usageLocation ?? (PresetMailbox.asked(by: config) ? facts.tenantCountry : nil)
    }

    func createMailboxUser(upn: String, displayName: String) async throws {
        let (graph, _) = try clients()
        let password = Self.makePassword()
        let nickname = String(upn.split(separator: "@").first ?? "").filter {
            $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0))
        }
        var body: [String: JSONValue] = [
            "accountEnabled": true, "displayName": .string(displayName), "mailNickname": .string(nickname),
            "userPrincipalName": .string(upn),
            "passwordProfile": ["forceChangePasswordNextSignIn": false, "password": .string(password.reveal())],
        ]
        if let location = mailboxUsageLocation { body["usageLocation"] = .string(location) }
        do {
            try await graph.write(.createUser(), body: .object(body))
            let url = store.directory.appendingPathComponent("mailbox-user.password")
            try PrivateFiles.write(Data(password.reveal().utf8), to: url)
            freshMailboxPassword = password
            journal.ids["mailboxPasswordPath"] = url.path
        } catch let error as MicrosoftError where error.isAlreadyExists {
            log(.info, "already present: \(error.message)")
        }
    }

    func assignLicense(to upn: String, sku: String) async throws {
        let (graph, _) = try clients()
        guard let skuID = try await skuID(for: sku, graph: graph) else {
            throw EngineError(
                stage: .serviceAccount,
                message: "the tenant has no subscription \(sku)",
                fix: "set service_account.license to a SKU the tenant owns (Get-MgSubscribedSku lists them)"
            )
        }
        let user = try await retryingNotYetReplicated {
            try await graph.get(.user(upn, select: ["id", "usageLocation"]))
        }
        if user["usageLocation"].string == nil {
            guard let location = mailboxUsageLocation else {
                throw EngineError(
                    stage: .serviceAccount,
                    message: "\(upn) has no usage location, which a licence needs",
                    fix: "set service_account.usage_location to a two-letter country code such as US"
                )
            }
            try await graph.write(.updateUser(upn), body: ["usageLocation": .string(location)])
        }
        try await graph.write(
            .assignLicense(to: upn),
            body: ["addLicenses": [["skuId": .string(skuID), "disabledPlans": []]], "removeLicenses": []]
        )
    }

    func removeSecret(keyID: String) async throws {
        let (graph, _) = try clients()
        let objectID = try requireAppObjectID()
        try await graph.write(.removePassword(application: objectID), body: ["keyId": .string(keyID)])
    }

    func requireAppID() throws -> String {
        guard let appID = facts.appID else {
            throw EngineError(stage: .serviceAccount, message: "the app is not known yet", fix: "run again")
        }
        return appID
    }

    func requireAppObjectID() throws -> String {
        guard let id = facts.appObjectID else {
            throw EngineError(stage: .serviceAccount, message: "the app is not known yet", fix: "run again")
        }
        return id
    }

    /// After a crash: a credential that was being added but never recorded is an orphan (nobody
    /// holds its secret), so it is removed before a new one is added.
    func reconcile(interrupted pending: Write, engine: SetupEngine) async throws {
        switch pending {
        case .addSecret(let displayName, _), .addCertificate(let displayName, _):
            _ = try await engine.observe(.serviceAccount)
            if let app = facts.application {
                let held = journal.credential?.keyID.lowercased()
                let orphans = ((app["passwordCredentials"].array ?? []) + (app["keyCredentials"].array ?? [])).filter {
                    $0["displayName"].string == displayName && $0["keyId"].string?.lowercased() != held
                }
                for orphan in orphans {
                    if let keyID = orphan["keyId"].string {
                        if case .addSecret = pending {
                            // Not journaled on its own: the pending addSecret stays recorded until
                            // every orphan is gone, so a crash here finds them again.
                            let removal = Write.removeOrphanSecret(keyID: keyID, displayName: displayName)
                            log(.write, PowerShell.summary(of: removal), powershell: powershellLine(for: removal))
                            try await perform(removal)
                        } else {
                            log(
                                .warning,
                                "certificate \(keyID) from the interrupted run stays in the app; remove it in Entra if unused"
                            )
                        }
                    }
                }
            }
        case .createApplication, .createServicePrincipal, .createMailboxUser, .assignLicense, .removeOrphanSecret,
            .createGroup, .addMember, .createExchangeServicePrincipal, .removeTenantWideGrant, .createScope, .updateScope,
            .createRoleAssignment, .removeRoleAssignment, .removeAccessPolicy, .removeMailboxPermission, .setEwsAllowedAppIDs, .shellStep,
            .addRedirectURI, .declareDelegatedPermissions, .grantDelegatedConsent, .updateDelegatedConsent:
            break  // Upserts and "already exists" make the other writes safe to repeat.
        }
    }

    /// A random password of 24 characters from letters, digits and symbols (Entra's complexity rules).
    static func makePassword() -> Secret {
        let lower = Array("abcdefghijkmnopqrstuvwxyz")
        let upper = Array("ABCDEFGHJKLMNPQRSTUVWXYZ")
        let digits = Array("23456789")
        let symbols = Array("!#%+-=?@_~")
        var generator = SystemRandomNumberGenerator()
        var characters = [lower, upper, digits, symbols].compactMap { $0.randomElement(using: &generator) }
        let all = lower + upper + digits + symbols
        while characters.count < 24 { characters.append(all.randomElement(using: &generator) ?? "x") }
        characters.shuffle(using: &generator)
        return Secret(String(characters))
    }

    /// Records `credential` as the one mailscope holds, then deletes the files of the one it replaces.
    func switchHeldCredential(to credential: Journal.HeldCredential) {
        let previous = journal.credential
        journal.credential = credential
        persist()
        if let previous, previous.keyID != credential.keyID {
            for path in [previous.path, previous.certificatePath].compactMap({ $0 }) where path != credential.path {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }
}
