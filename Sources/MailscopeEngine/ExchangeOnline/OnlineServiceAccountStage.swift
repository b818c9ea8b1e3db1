import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeOnlineDriver {
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
            if let end = credential["endDateTime"].string.flatMap(Timestamps.parse),
                end < now.addingTimeInterval(30 * 86_400)
            {
                let name = credential["displayName"].string ?? credential["keyId"].string ?? "?"
                warnings.append(
                    end < now
                        ? "credential \(name) expired on \(Timestamps.day(end))"
                        : "credential \(name) expires on \(Timestamps.day(end)); plan a rotation"
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
        let heldEnd = heldInApp?["endDateTime"].string.flatMap(Timestamps.parse) ?? journal.credential?.expires
        // Credentials mailscope made (named "mailscope …") whose secret this directory does not hold:
        // held by another state directory or machine, or lost.
        let untracked = credentials.filter { credential in
            (credential["displayName"].string ?? "").hasPrefix("mailscope")
                && credential["keyId"].string?.lowercased() != journal.credential?.keyID.lowercased()
                && (credential["endDateTime"].string.flatMap(Timestamps.parse) ?? .distantFuture) > now
        }
        // Of those, the ones another state directory or machine made (or a version or script that
        // named no holder): their secret may be in use.
        let holder = store.holderID
        let elsewhere = untracked.filter {
            JournalStore.holder(inCredentialName: $0["displayName"].string ?? "") != holder
        }
        func describe(_ credentials: [JSONValue]) -> String {
            credentials.map { credential in
                let end = credential["endDateTime"].string.flatMap(Timestamps.parse).map(Timestamps.day) ?? "?"
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
                    detail: "\(held.kind.rawValue) \(held.hint)… expired on \(Timestamps.day(heldEnd)): the app cannot sign in"))
        } else if let held = journal.credential, held.kind == config.credential, heldInApp != nil,
            FileManager.default.fileExists(atPath: held.path), (heldEnd ?? held.expires) > now.addingTimeInterval(14 * 86_400)
        {
            steps.append(
                StepReport(
                    name: "credential",
                    status: .verified,
                    detail: "\(held.kind.rawValue) \(held.hint)… valid until \(Timestamps.day(held.expires))"
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
            "PATCH",
            "/v1.0/applications(uniqueName=\(GraphClient.literal(uniqueName)))",
            body: [
                "displayName": .string(name), "signInAudience": "AzureADMyOrg",
                "notes": "Service account for a scoped mailbox integration, managed by mailscope.",
            ],
            headers: [HTTPHeader(name: "Prefer", value: "create-if-missing")],
            idempotent: true
        )
        // 201 carries the new app; 204 (it existed, e.g. a repeat after a lost answer) carries
        // nothing, so read it back (it may not be replicated yet).
        let app =
            result.body["id"].string != nil
            ? result.body
            : try await retryingNotYetReplicated {
                try await graph.get("/v1.0/applications(uniqueName=\(GraphClient.literal(uniqueName)))")
            }
        if let id = app["id"].string, let appID = app["appId"].string {
            facts.appObjectID = id
            facts.appID = appID
            journal.ids["appObjectID"] = id
            journal.ids["appID"] = appID
        }
    }

    func createServicePrincipal() async throws {
        let (graph, _) = try clients()
        let appID = try requireAppID()
        let result = try await retryingNotYetReplicated {
            try await graph.write(
                "PATCH",
                "/v1.0/servicePrincipals(appId=\(GraphClient.literal(appID)))",
                body: [:],
                headers: [HTTPHeader(name: "Prefer", value: "create-if-missing")],
                idempotent: true
            )
        }
        let servicePrincipal =
            result.body["id"].string != nil
            ? result.body
            : try await retryingNotYetReplicated {
                try await graph.get("/v1.0/servicePrincipals(appId=\(GraphClient.literal(appID)))?$select=id")
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
                "POST",
                "/v1.0/applications/\(GraphClient.segment(objectID))/addPassword",
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
        let app = try await graph.get(
            "/v1.0/applications/\(GraphClient.segment(objectID))?$select=keyCredentials"
        )
        var credentials = app["keyCredentials"].array ?? []
        credentials.append([
            "keyId": .string(keyID), "type": "AsymmetricX509Cert", "usage": "Verify",
            "key": .string(certificate.certificateDER.base64EncodedString()),
            "displayName": .string(displayName),
            "startDateTime": .string(Timestamps.iso8601(now)),
            "endDateTime": .string(Timestamps.iso8601(certificate.notAfter)),
        ])
        try await graph.write(
            "PATCH",
            "/v1.0/applications/\(GraphClient.segment(objectID))",
            body: ["keyCredentials": .array(credentials)],
            idempotent: true
        )
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
        if let location = config.usageLocation { body["usageLocation"] = .string(location) }
        do {
            try await graph.write("POST", "/v1.0/users", body: .object(body))
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
            try await graph.get("/v1.0/users/\(GraphClient.segment(upn))?$select=id,usageLocation")
        }
        if user["usageLocation"].string == nil {
            guard let location = config.usageLocation else {
                throw EngineError(
                    stage: .serviceAccount,
                    message: "\(upn) has no usage location, which a licence needs",
                    fix: "set service_account.usage_location to a two-letter country code such as US"
                )
            }
            try await graph.write(
                "PATCH",
                "/v1.0/users/\(GraphClient.segment(upn))",
                body: ["usageLocation": .string(location)],
                idempotent: true
            )
        }
        try await graph.write(
            "POST",
            "/v1.0/users/\(GraphClient.segment(upn))/assignLicense",
            body: ["addLicenses": [["skuId": .string(skuID), "disabledPlans": []]], "removeLicenses": []],
            idempotent: true
        )
    }

    func removeSecret(keyID: String) async throws {
        let (graph, _) = try clients()
        let objectID = try requireAppObjectID()
        try await graph.write(
            "POST",
            "/v1.0/applications/\(GraphClient.segment(objectID))/removePassword",
            body: ["keyId": .string(keyID)]
        )
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
            .createRoleAssignment, .removeRoleAssignment, .shellStep:
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
