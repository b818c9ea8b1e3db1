import Foundation
import MailscopeCore
import MicrosoftClients

/// Delegated access (`service_account.access = "delegated"`, the authorization-code grant): the
/// app gets the vendor's Web redirect URI, declares Graph's delegated permissions
/// (`requiredResourceAccess`), holds admin consent for every user (an `oauth2PermissionGrant`
/// with `consentType` AllPrincipals: microsoft-graph-docs-contrib
/// api-reference/v1.0/resources/oauth2permissiongrant.md) and a client secret. Each signed-in
/// user's own mailbox rights limit what it reaches, so the group, role and scope stages do not
/// apply; the proof without a user's sign-in is the app itself, and a user's sign-in at the vendor
/// is the real test.
extension ExchangeOnlineDriver {
    /// Whether this run sets up delegated access.
    var isDelegated: Bool { config.access == .delegated }

    /// Why an Exchange scope does not limit delegated access, in the plan's words.
    static let delegatedLimit =
        "delegated access is limited by each signed-in user's own mailbox rights; an Exchange management scope does not apply to it"

    /// The reason `stage` does not apply to delegated access, or nil when it does.
    static func notApplicableToDelegated(_ stage: StageID) -> String? {
        switch stage {
        case .distributionGroup: "does not apply: \(delegatedLimit) (no group is needed)"
        case .impersonationRole: "does not apply: \(delegatedLimit) (no RBAC for Applications role is assigned)"
        case .scope: "does not apply: \(delegatedLimit)"
        case .signIn, .serviceAccount, .connect: nil
        }
    }

    /// The configured delegated permissions (validated when the config was loaded).
    var wantedScopes: [String] { config.delegatedScopeNames ?? [] }

    /// The configured redirect URI, as Entra stores it.
    var wantedRedirectURI: String { config.redirectURI?.absoluteString ?? "" }

    // MARK: Reading

    /// What the tenant holds of delegated access for the app `app` (with service principal `spID`).
    func readDelegatedState(
        app: JSONValue,
        spID: String?,
        graph: GraphClient
    ) async throws -> (DelegatedState, [String]) {
        var evidence: [String] = []
        var state = DelegatedState()
        state.redirectURIs = app["web"]["redirectUris"].array?.compactMap(\.string) ?? []
        let graphEntry = (app["requiredResourceAccess"].array ?? []).first {
            $0["resourceAppId"].string?.lowercased() == GraphDelegatedPermission.graphAppID
        }
        state.declared = (graphEntry?["resourceAccess"].array ?? []).compactMap { access in
            access["type"].string == "Scope" ? access["id"].string.flatMap(GraphDelegatedPermission.name(ofID:)) : nil
        }
        let graphSP = GraphRequest.servicePrincipal(appID: GraphDelegatedPermission.graphAppID, select: ["id"])
        state.graphServicePrincipalID = try await graph.getIfPresent(graphSP)?["id"].string
        evidence.append(graphSP.answered(state.graphServicePrincipalID ?? "404"))
        guard let spID, let resource = state.graphServicePrincipalID else { return (state, evidence) }
        let list = GraphRequest.oauth2PermissionGrants(clientID: spID)
        let grants = try await graph.list(list)
        evidence.append(list.answered("\(grants.count) grant(s)"))
        if let grant = grants.first(where: {
            $0["consentType"].string == "AllPrincipals"
                && $0["resourceId"].string?.lowercased() == resource.lowercased()
        }) {
            state.grantID = grant["id"].string
            state.granted = (grant["scope"].string ?? "").split(separator: " ").map(String.init)
        }
        return (state, evidence)
    }

    /// The service account stage's delegated part: the redirect URI, the declared permissions and
    /// admin consent, each verified or with the write that repairs it.
    func observeDelegatedAccess(app: JSONValue, graph: GraphClient) async throws -> StageFindings {
        var findings = StageFindings()
        let (state, evidence) = try await readDelegatedState(app: app, spID: facts.servicePrincipalID, graph: graph)
        facts.delegated = state
        facts.delegatedExposure = []
        findings.evidence = evidence
        judgeRedirectURI(state, into: &findings)
        judgeDeclaredPermissions(state, into: &findings)
        judgeConsent(state, into: &findings)
        if let spID = facts.servicePrincipalID {
            try await judgeApplicationPermissions(spID: spID, graph: graph, into: &findings)
        }
        return findings
    }

    /// Tenant-wide application permissions on a delegated app reach every mailbox without any
    /// user's sign-in (client credentials): an exposure, never a warning. Named with the fix;
    /// not removed silently (an admin granted them).
    private func judgeApplicationPermissions(
        spID: String,
        graph: GraphClient,
        into findings: inout StageFindings
    )
        async throws
    {
        let grants = try await conflictingGrants(spID: spID, graph: graph, into: &findings)
        guard !grants.isEmpty else {
            findings.step("application permissions", .verified, "none: the app reaches mail only as a signed-in user")
            return
        }
        facts.delegatedExposure = grants.map { "\($0.permission) (\($0.resource), assignment \($0.id))" }
        findings.step(
            "application permissions",
            .failed,
            "EXPOSED: \(grants.map(\.permission).joined(separator: ", ")) granted tenant-wide: the app reaches every "
                + "mailbox without a user's sign-in"
        )
    }

    private func judgeRedirectURI(_ state: DelegatedState, into findings: inout StageFindings) {
        let others = state.redirectURIs.filter { $0 != wantedRedirectURI }
        if state.redirectURIs.contains(wantedRedirectURI) {
            findings.step("redirect URI", .verified, "Web: \(wantedRedirectURI)")
        } else {
            findings.writes.append(.addRedirectURI(uri: wantedRedirectURI))
            findings.step(
                "redirect URI",
                .needsChange,
                others.isEmpty
                    ? "missing: \(wantedRedirectURI)"
                    : "changed: the app has \(others.joined(separator: ", ")) instead of \(wantedRedirectURI)"
            )
        }
        if !others.isEmpty {
            findings.warnings.append(
                "the app also sends authorization codes to \(others.joined(separator: ", ")); remove each that is not "
                    + "the vendor's (Entra admin center → App registrations → \(config.serviceAccountName) → Authentication)"
            )
        }
    }

    private func judgeDeclaredPermissions(_ state: DelegatedState, into findings: inout StageFindings) {
        let missing = wantedScopes.filter { !state.declared.contains($0) }
        if missing.isEmpty {
            findings.step("delegated permissions", .verified, "Microsoft Graph: \(wantedScopes.joined(separator: " "))")
        } else {
            findings.writes.append(.declareDelegatedPermissions(scopes: wantedScopes))
            findings.step("delegated permissions", .needsChange, "not declared: \(missing.joined(separator: ", "))")
        }
        let extra = state.declared.filter { !wantedScopes.contains($0) }
        if !extra.isEmpty {
            findings.warnings.append(
                "the app also declares \(extra.joined(separator: ", ")), beyond the configured permissions"
            )
        }
    }

    private func judgeConsent(_ state: DelegatedState, into findings: inout StageFindings) {
        guard state.graphServicePrincipalID != nil else {
            findings.step("admin consent", .failed, "Microsoft Graph has no service principal in this tenant")
            return
        }
        guard let grantID = state.grantID else {
            findings.writes.append(.grantDelegatedConsent(scopes: wantedScopes))
            findings.step("admin consent", .needsChange, "missing: no consent for all users yet")
            return
        }
        let missing = wantedScopes.filter { !state.granted.contains($0) }
        if missing.isEmpty {
            findings.step("admin consent", .verified, "all users: \(state.granted.joined(separator: " "))")
        } else {
            findings.writes.append(.updateDelegatedConsent(grantID: grantID, scopes: state.granted + missing))
            findings.step("admin consent", .needsChange, "missing from the grant: \(missing.joined(separator: ", "))")
        }
        let extra = state.granted.filter { !wantedScopes.contains($0) }
        if !extra.isEmpty {
            findings.warnings.append(
                "admin consent also grants \(extra.joined(separator: ", ")) to every user's sign-in, beyond the configuration"
            )
        }
    }

    /// The writes a new app needs for delegated access, after the app, its service principal and
    /// its secret.
    var newDelegatedAppWrites: [Write] {
        [
            .addRedirectURI(uri: wantedRedirectURI), .declareDelegatedPermissions(scopes: wantedScopes),
            .grantDelegatedConsent(scopes: wantedScopes),
        ]
    }

    // MARK: Writes

    /// Adds the redirect URI to the app's Web platform, keeping the other URIs and Web settings
    /// (PATCH replaces `web` as a whole: microsoft-graph-docs-contrib application-update.md).
    func addRedirectURI(_ uri: String) async throws {
        let (graph, _) = try clients()
        let objectID = try requireAppObjectID()
        let app = try await graph.get(.application(id: objectID, select: ["web"]))
        var web = app["web"].object ?? [:]
        var uris = web["redirectUris"]?.array?.compactMap(\.string) ?? []
        if !uris.contains(uri) { uris.append(uri) }
        web["redirectUris"] = .array(uris.map(JSONValue.string))
        try await graph.write(.updateApplication(id: objectID), body: ["web": .object(web)])
    }

    /// Sets Graph's entry of `requiredResourceAccess` to `scopes` (type Scope), keeping other APIs'.
    func declareDelegatedPermissions(_ scopes: [String]) async throws {
        let (graph, _) = try clients()
        let objectID = try requireAppObjectID()
        let app = try await graph.get(.application(id: objectID, select: ["requiredResourceAccess"]))
        let others = (app["requiredResourceAccess"].array ?? []).filter {
            $0["resourceAppId"].string?.lowercased() != GraphDelegatedPermission.graphAppID
        }
        let access: [JSONValue] = scopes.compactMap { name in
            GraphDelegatedPermission.id(of: name).map { ["id": .string($0), "type": "Scope"] }
        }
        let entry: JSONValue = [
            "resourceAppId": .string(GraphDelegatedPermission.graphAppID), "resourceAccess": .array(access),
        ]
        try await graph.write(
            .updateApplication(id: objectID),
            body: ["requiredResourceAccess": .array(others + [entry])]
        )
    }

    /// Grants admin consent for all users: `clientId` the app's service principal, `resourceId`
    /// Graph's, `scope` the names space-separated (oauth2permissiongrant-post.md).
    func grantDelegatedConsent(_ scopes: [String]) async throws {
        let (graph, _) = try clients()
        guard let spID = facts.servicePrincipalID else {
            throw EngineError(
                stage: .serviceAccount,
                message: "the app's service principal is not known yet",
                fix: "run again"
            )
        }
        let resource = try await graph.get(
            .servicePrincipal(appID: GraphDelegatedPermission.graphAppID, select: ["id"])
        )["id"].string
        guard let resource else {
            throw EngineError(
                stage: .serviceAccount,
                message: "Microsoft Graph's service principal was not found in this tenant",
                fix: "check the tenant in the Entra admin center (Enterprise applications → Microsoft Graph)"
            )
        }
        // A grant made by a request whose answer was lost may not be listed yet (the list page's
        // replication delay): Graph then refuses a second one (already exists); the stage's read
        // afterwards finds it and, if scopes are missing, updates it.
        try await tolerateExisting {
            _ = try await retryingNotYetReplicated {
                try await graph.write(
                    .createOAuth2PermissionGrant(),
                    body: [
                        "clientId": .string(spID), "consentType": "AllPrincipals", "resourceId": .string(resource),
                        "scope": .string(scopes.joined(separator: " ")),
                    ]
                )
            }
            return []
        }
    }

    /// Replaces the grant's scope with `scopes` (the granted ones and the missing ones).
    func updateDelegatedConsent(grantID: String, scopes: [String]) async throws {
        let (graph, _) = try clients()
        try await graph.write(
            .updateOAuth2PermissionGrant(id: grantID),
            body: ["scope": .string(scopes.joined(separator: " "))]
        )
    }

    // MARK: Connect and hand-off

    /// The connect stage's read for delegated access: what the service account stage found.
    func delegatedConnectObservation() -> StageObservation {
        guard facts.appID != nil, let state = facts.delegated else {
            return StageObservation(
                report: StageReport(stage: .connect, status: .pending, detail: "waits for the service account"),
                writes: []
            )
        }
        let evidence = delegatedEvidence(state, lines: [])
        return StageObservation(report: connectReport(evidence, waiting: false, exposureCause: nil), writes: [])
    }

    /// One poll for delegated access: the app read again (redirect URI, permissions, consent, secret).
    func pollDelegated() async throws -> PollEvidence {
        let (graph, _) = try clients()
        guard let objectID = facts.appObjectID else {
            return delegatedEvidence(DelegatedState(), lines: ["no app yet"])
        }
        let read = GraphRequest.application(
            id: objectID,
            select: ["id", "appId", "web", "requiredResourceAccess", "passwordCredentials", "keyCredentials"]
        )
        let app = try await graph.get(read)
        facts.application = app
        let (state, lines) = try await readDelegatedState(app: app, spID: facts.servicePrincipalID, graph: graph)
        facts.delegated = state
        return delegatedEvidence(state, lines: [read.answered("200")] + lines)
    }

    /// Whether the credential mailscope holds is in the app and valid now (its end as the app has it).
    var heldCredentialValid: Bool {
        guard let held = journal.credential else { return false }
        let credentials =
            (facts.application?["passwordCredentials"].array ?? []) + (facts.application?["keyCredentials"].array ?? [])
        guard let inApp = credentials.first(where: { $0["keyId"].string?.lowercased() == held.keyID.lowercased() })
        else {
            return false
        }
        let end = inApp["endDateTime"].string.flatMap(Timestamps.parse) ?? held.expires
        return end > environment.clock.now
    }

    /// Poll evidence for delegated access: holds when the redirect URI, every permission (declared
    /// and consented) and a valid held credential are there.
    func delegatedEvidence(_ state: DelegatedState, lines: [String]) -> PollEvidence {
        var evidence = PollEvidence(
            at: environment.clock.now,
            configuredInScope: nil,
            configuredOutOfScope: nil,
            inScopeAllowed: nil,
            outOfScopeDenied: nil,
            lines: lines
        )
        evidence.configuredUnobservable = true
        evidence.effectiveUnobservable = true
        // What can be proven without a user's sign-in; the sign-in itself stays "not verified".
        evidence.delegatedAppHolds = delegatedSteps(state).allSatisfy { $0.status != .failed }
        return evidence
    }

    /// The connect stage's steps for delegated access.
    func delegatedSteps(_ state: DelegatedState) -> [StepReport] {
        func step(_ name: String, _ holds: Bool, _ yes: String, _ no: String) -> StepReport {
            StepReport(name: name, status: holds ? .verified : .failed, detail: holds ? yes : no)
        }
        let granted = wantedScopes.allSatisfy(state.granted.contains)
        let declared = wantedScopes.allSatisfy(state.declared.contains)
        return [
            step(
                "redirect URI",
                state.redirectURIs.contains(wantedRedirectURI),
                wantedRedirectURI,
                "missing \(wantedRedirectURI)"
            ),
            step("delegated permissions", declared, "declared", "not all declared"),
            step("admin consent", granted, "for all users", "missing for some permissions"),
            step("client credential", heldCredentialValid, "held here and valid", "none valid held here"),
            step(
                "application permissions",
                facts.delegatedExposure.isEmpty,
                "none",
                "EXPOSED: \(facts.delegatedExposure.joined(separator: "; "))"
            ),
            StepReport(
                name: "a user's sign-in",
                status: .notVerified,
                detail: "the real test: sign in as a user at the vendor (mailscope cannot sign in as a user)"
            ),
        ]
    }

    /// The connect stage's report for delegated access.
    func delegatedConnectReport(_ evidence: PollEvidence, waiting: Bool) -> StageReport {
        let steps = facts.delegated.map(delegatedSteps) ?? []
        if evidence.delegatedAppHolds == true {
            return StageReport.connect(
                .verified,
                "the app, its redirect URI, admin consent and a valid client secret hold; a user's sign-in at "
                    + "\(PresetConnections.of(config.preset).vendor) is the real test (\(Self.delegatedLimit))",
                poll: evidence,
                steps: steps
            )
        }
        // A tenant-wide application permission reaches every mailbox now: exposure, never "waiting".
        let exposed = !facts.delegatedExposure.isEmpty
        return StageReport.connect(
            waiting && !exposed ? .waiting : .failed,
            "the app is not ready for a user's sign-in: "
                + steps.filter { $0.status == .failed }.map { "\($0.name) \($0.detail)" }.joined(separator: "; "),
            poll: evidence,
            steps: steps,
            fix: "run mailscope apply: it adds what is missing (redirect URI, permissions, consent, a new secret)"
        )
    }

    /// The values the vendor's authorization-code connection needs.
    func delegatedHandOff() -> [HandOffItem] {
        var items = [
            HandOffItem(label: "Tenant ID", value: tenant?.id ?? config.tenant),
            HandOffItem(label: "Client (application) ID", value: facts.appID ?? journal.ids["appID"] ?? "?"),
        ]
        items += credentialHandOffItems()
        items.append(HandOffItem(label: "Redirect URI (Web)", value: wantedRedirectURI))
        items.append(
            HandOffItem(label: "Delegated permissions (admin consent)", value: wantedScopes.joined(separator: " "))
        )
        items.append(
            HandOffItem(
                label: "Authorization endpoint",
                value: endpoints.login.appending(path: "\(authorityTenant.rawValue)/oauth2/v2.0/authorize")
                    .absoluteString
            )
        )
        items.append(HandOffItem(label: "Access", value: Self.delegatedLimit))
        items.append(
            HandOffItem(
                label: "The real test",
                value: "a user signs in at \(PresetConnections.of(config.preset).vendor) and consents to nothing more: "
                    + "mailscope proved the app, not a user's sign-in"
            )
        )
        return items
    }
}

/// What the tenant holds of an app's delegated access.
struct DelegatedState: Sendable, Equatable {
    /// The app's Web redirect URIs.
    var redirectURIs: [String] = []
    /// Graph's delegated permissions the app declares (`requiredResourceAccess`, type Scope).
    var declared: [String] = []
    /// Graph's service principal in the tenant (the grant's `resourceId`).
    var graphServicePrincipalID: String?
    /// The admin consent for all users, if any.
    var grantID: String?
    /// Its scopes.
    var granted: [String] = []
}
