import Foundation
import MailscopeCore
import MicrosoftClients

extension SetupEngine {
    /// Sends one write. Creation uses the upsert forms where Graph has them, so a repeat cannot
    /// create a duplicate; Exchange creations tolerate "already exists".
    func perform(_ write: Write) async throws {
        if case .shellStep(let step) = write {
            try await performShellStep(step)
            return
        }
        let (graph, exchange) = try clients()
        do {
            switch write {
            case .createApplication(let name, let uniqueName):
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
            case .createServicePrincipal:
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
            case .addSecret(let displayName, let days):
                let objectID = try requireAppObjectID()
                let end = environment.clock.now.addingTimeInterval(TimeInterval(days) * 86_400)
                let result = try await retryingNotYetReplicated {
                    try await graph.write(
                        "POST",
                        "/v1.0/applications/\(GraphClient.segment(objectID))/addPassword",
                        body: [
                            "passwordCredential": [
                                "displayName": .string(displayName), "endDateTime": .string(Self.timestamp(end)),
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
            case .addCertificate(let displayName, let days):
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
                    "startDateTime": .string(Self.timestamp(now)),
                    "endDateTime": .string(Self.timestamp(certificate.notAfter)),
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
            case .createMailboxUser(let upn, let displayName):
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
            case .assignLicense(let upn, let sku):
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
            case .removeOrphanSecret(let keyID, _):
                let objectID = try requireAppObjectID()
                try await graph.write(
                    "POST",
                    "/v1.0/applications/\(GraphClient.segment(objectID))/removePassword",
                    body: ["keyId": .string(keyID)]
                )
            case .createGroup(let name, let alias, let kind):
                if kind == .microsoft365 {
                    // Graph first: the group may exist there before Exchange has synchronised it.
                    let existing = try await graph.list(
                        GraphClient.path("/v1.0/groups", [("$filter", "mailNickname eq \(GraphClient.literal(alias))")]))
                    if existing.isEmpty {
                        let owner = try await groupOwnerReference(graph: graph)
                        do {
                            try await graph.write(
                                "POST",
                                "/v1.0/groups",
                                body: [
                                    "displayName": .string(name), "mailNickname": .string(alias), "mailEnabled": true,
                                    "securityEnabled": false, "groupTypes": ["Unified"],
                                    "owners@odata.bind": [.string(owner)],
                                ]
                            )
                        } catch let error as MicrosoftError where error.isAlreadyExists {
                            log(.info, "already present: \(error.message)")
                        }
                    }
                } else {
                    try await tolerateExisting {
                        try await exchange.invoke(
                            "New-DistributionGroup",
                            [
                                "Name": .string(name), "Alias": .string(alias), "DisplayName": .string(name),
                                "Type": .string(kind == .distribution ? "Distribution" : "Security"),
                            ]
                        )
                    }
                }
                // Only the group named by its alias (see `ExchangeAdminClient.find`), waiting while
                // Exchange has not synchronised it yet.
                let cmdlet = kind == .microsoft365 ? "Get-UnifiedGroup" : "Get-DistributionGroup"
                let group = try await retryingNotYetReplicated {
                    guard let group = try await exchange.find(cmdlet, ["Identity": .string(alias)]) else {
                        throw MicrosoftError(
                            service: .exchange, status: 404, code: "ManagementObjectNotFoundException",
                            message: "\(alias) is not visible in Exchange yet", request: cmdlet)
                    }
                    return group
                }
                if let dn = group["DistinguishedName"].string {
                    facts.group = GroupFacts(
                        name: group["Name"].string ?? name,
                        address: group["PrimarySmtpAddress"].string ?? "",
                        distinguishedName: dn,
                        objectID: group["ExternalDirectoryObjectId"].string ?? "",
                        recipientTypeDetails: group["RecipientTypeDetails"].string ?? ""
                    )
                }
            case .addMember(let address, let objectID):
                guard let group = facts.group else {
                    throw EngineError(
                        stage: .distributionGroup,
                        message: "the group is not known yet",
                        fix: "run again"
                    )
                }
                if config.groupKind == .microsoft365 {
                    do {
                        try await graph.write(
                            "POST",
                            "/v1.0/groups/\(GraphClient.segment(group.objectID))/members/$ref",
                            body: [
                                "@odata.id": .string("\(graph.base.absoluteString)/v1.0/directoryObjects/\(objectID)")
                            ]
                        )
                    } catch let error as MicrosoftError where error.message.contains("already exist") {}
                } else {
                    try await tolerateExisting {
                        try await exchange.invoke(
                            "Add-DistributionGroupMember",
                            [
                                "Identity": .string(group.distinguishedName), "Member": .string(address),
                                "BypassSecurityGroupManagerCheck": true,
                            ]
                        )
                    }
                }
            case .createExchangeServicePrincipal:
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
            case .removeTenantWideGrant(let assignmentID, _, _):
                guard let spID = facts.servicePrincipalID else { return }
                do {
                    try await graph.write(
                        "DELETE",
                        "/v1.0/servicePrincipals/\(GraphClient.segment(spID))/appRoleAssignments/\(GraphClient.segment(assignmentID))",
                        body: nil,
                        idempotent: true
                    )
                } catch let error as MicrosoftError where error.isNotFound {}
            case .createScope(let name, _):
                guard let filter = wantedFilter else {
                    throw EngineError(
                        stage: .scope,
                        message: "the group's DN is not known yet",
                        fix: "run again after the group exists"
                    )
                }
                do {
                    let created = try await graph.write(
                        "POST",
                        "\(Self.roleManagement)/customAppScopes",
                        body: [
                            "type": "RecipientScope", "displayName": .string(name),
                            "customAttributes": ["Exclusive": false, "RecipientFilter": .string(filter)],
                        ]
                    )
                    facts.scopeID = created.body["id"].string
                } catch let error as MicrosoftError where error.isAlreadyExists {
                    log(.info, "already present: \(error.message)")
                    let found = try await graph.list(
                        GraphClient.path(
                            "\(Self.roleManagement)/customAppScopes",
                            [("$filter", "displayName eq \(GraphClient.literal(name))")]))
                    facts.scopeID = found.first?["id"].string
                }
            case .updateScope:
                guard let filter = wantedFilter, let id = facts.scopeID else { return }
                try await graph.write(
                    "PATCH",
                    "\(Self.roleManagement)/customAppScopes/\(GraphClient.segment(id))",
                    body: ["customAttributes": ["Exclusive": false, "RecipientFilter": .string(filter)]],
                    idempotent: true
                )
            case .createRoleAssignment(_, let role, _):
                guard let spID = facts.servicePrincipalID, let scopeID = facts.scopeID else {
                    throw EngineError(
                        stage: .scope,
                        message: "the service principal or the scope is not known yet",
                        fix: "run again"
                    )
                }
                let definitions = try await roleDefinitions(graph: graph)
                guard
                    let definition = definitions.first(where: { $0.value.caseInsensitiveCompare(role) == .orderedSame }
                    )?.key
                else {
                    throw EngineError(
                        stage: .scope,
                        message: "Exchange has no role named \(role)",
                        fix: "check roles.names against Get-ManagementRole 'Application *'"
                    )
                }
                do {
                    try await graph.write(
                        "POST",
                        "\(Self.roleManagement)/roleAssignments",
                        body: [
                            "roleDefinitionId": .string(definition),
                            "principalId": .string("/ServicePrincipals/\(spID)"),
                            "directoryScopeId": .null, "appScopeId": .string(scopeID),
                        ]
                    )
                } catch let error as MicrosoftError where error.isAlreadyExists {
                    log(.info, "already present: \(error.message)")
                }
            case .removeRoleAssignment(let id, _):
                do {
                    try await graph.write(
                        "DELETE",
                        "\(Self.roleManagement)/roleAssignments/\(GraphClient.segment(id))",
                        body: nil,
                        idempotent: true
                    )
                } catch let error as MicrosoftError where error.isNotFound {}
            case .shellStep:
                break  // handled above
            }
        } catch let error as MicrosoftError {
            throw EngineError(
                stage: stage(of: write), message: error.description, fix: Self.fix(for: error),
                transient: Self.isTransient(error))
        } catch let error as TransportError {
            throw EngineError(
                stage: stage(of: write),
                message: "\(PowerShell.summary(of: write)): \(error.description); the tenant may or may not have applied it",
                fix: Self.fix(for: error), transient: error.mayPass)
        }
    }

    private func stage(of write: Write) -> StageID {
        switch write {
        case .createApplication, .createServicePrincipal, .addSecret, .addCertificate, .removeOrphanSecret,
            .createMailboxUser, .assignLicense:
            .serviceAccount
        case .createGroup, .addMember: .distributionGroup
        case .createExchangeServicePrincipal, .removeTenantWideGrant: .impersonationRole
        case .createScope, .updateScope, .createRoleAssignment, .removeRoleAssignment: .scope
        case .shellStep(let step): step.stage
        }
    }

    /// The owner of a Microsoft 365 group mailscope creates, as an `owners@odata.bind` reference:
    /// the signed-in admin (delegated sign-in), or the automation app's own service principal
    /// (app-only: "The app can assign itself as the group's owner"). Without an owner an app-only
    /// creation makes the group "anonymously", and with Group.Create "the group will not be
    /// modifiable" (microsoft-graph-docs-contrib api-reference/v1.0/api/group-post-groups.md).
    private func groupOwnerReference(graph: GraphClient) async throws -> String {
        let owner: JSONValue
        if config.signIn == .deviceCode {
            owner = try await graph.get("/v1.0/me?$select=id")
        } else {
            owner = try await graph.get(
                "/v1.0/servicePrincipals(appId=\(GraphClient.literal(config.clientID ?? "")))?$select=id")
        }
        guard let id = owner["id"].string else {
            throw EngineError(
                stage: .distributionGroup, message: "cannot read the object id of the group's owner", fix: "run again")
        }
        let kind = config.signIn == .deviceCode ? "users" : "servicePrincipals"
        return "\(graph.base.absoluteString)/v1.0/\(kind)/\(id)"
    }

    private func requireAppID() throws -> String {
        guard let appID = facts.appID else {
            throw EngineError(stage: .serviceAccount, message: "the app is not known yet", fix: "run again")
        }
        return appID
    }

    private func requireAppObjectID() throws -> String {
        guard let id = facts.appObjectID else {
            throw EngineError(stage: .serviceAccount, message: "the app is not known yet", fix: "run again")
        }
        return id
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

    /// After a crash: a credential that was being added but never recorded is an orphan (nobody
    /// holds its secret), so it is removed before a new one is added.
    func reconcileInterruptedWrite() async throws {
        guard let pending = journal.pendingWrite else { return }
        log(.warning, "The last run stopped during: \(PowerShell.summary(of: pending)). Re-reading the tenant.")
        switch pending {
        case .addSecret(let displayName, _), .addCertificate(let displayName, _):
            _ = try await observe(.serviceAccount)
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
                            log(.write, PowerShell.summary(of: removal), powershell: powershellLine(removal))
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
        default:
            break  // Upserts and "already exists" make the other writes safe to repeat.
        }
        journal.pendingWrite = nil
        persist()
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

    /// The values the vendor's product needs.
    func handOff() -> [HandOffItem] {
        if isServer { return serverHandOff() }
        var items = [
            HandOffItem(label: "Tenant ID", value: tenant?.id ?? config.tenant),
            HandOffItem(label: "Client (application) ID", value: facts.appID ?? journal.ids["appID"] ?? "?"),
        ]
        if let held = journal.credential {
            if held.kind == .secret {
                // Created in this run, or in a run left before its hand-off (the secret then comes
                // from its 0600 file): shown on the first hand-off the admin reaches, and only there.
                let unshown =
                    freshSecret
                    ?? (held.secretShownAt == nil
                        ? (try? readPrivateFile(held.path, field: "held credential"))
                            .map { Secret($0.trimmingCharacters(in: .whitespacesAndNewlines)) } : nil)
                if let secret = unshown {
                    items.append(
                        HandOffItem(label: "Client secret (shown once)", value: secret.reveal(), isSecret: true)
                    )
                    freshSecret = nil
                    journal.credential?.secretShownAt = environment.clock.now
                    persist()
                } else {
                    items.append(HandOffItem(label: "Client secret", value: "\(held.hint)… (shown once, when it was created)"))
                }
                items.append(HandOffItem(label: "Client secret file (0600)", value: held.path))
            } else {
                items.append(HandOffItem(label: "Certificate thumbprint", value: held.hint))
                items.append(HandOffItem(label: "Private key file (0600)", value: held.path))
            }
            items.append(HandOffItem(label: "Credential expires", value: Self.day(held.expires)))
        }
        if let upn = config.mailboxUser {
            items.append(HandOffItem(label: "Service-account mailbox", value: upn))
            if let password = freshMailboxPassword {
                items.append(HandOffItem(label: "Mailbox password (shown once)", value: password.reveal(), isSecret: true))
                freshMailboxPassword = nil
            }
            if let path = journal.ids["mailboxPasswordPath"] {
                items.append(HandOffItem(label: "Mailbox password file (0600)", value: path))
            }
        }
        items.append(
            HandOffItem(
                label: "Token endpoint",
                value: "\(endpoints.login.absoluteString)/\(tenant?.id ?? config.tenant)/oauth2/v2.0/token"
            )
        )
        items.append(HandOffItem(label: "Graph API", value: endpoints.graph.absoluteString))
        if let group = facts.group { items.append(HandOffItem(label: "Group", value: group.address)) }
        items.append(HandOffItem(label: "Management scope", value: config.scopeName))
        items.append(HandOffItem(label: "Roles", value: config.roles.joined(separator: ", ")))
        return items
    }
}
