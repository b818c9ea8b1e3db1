import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeOnlineDriver {
    static let globalAdministrator = "62e90394-69f5-4237-9190-012177145e10"
    static let exchangeAdministrator = "29232cdf-9323-42fd-ade2-1d097af3e4de"
    static let applicationAdministrators: Set<String> = [
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "158c047a-c907-4556-b7ef-446551a6b5f7",
    ]
    static let privilegedRoleAdministrator = "e8611ab8-c189-46e8-94e1-60213ab1f814"

    /// Signs the admin in, shows the tenant from the token, refuses a tenant other than the
    /// configured one, and checks the admin's roles; every failure is an `EngineError` with its fix.
    func signIn() async throws -> SignedInTenant {
        do {
            return try await performSignIn()
        } catch let error as SignInError {
            let fix: String
            switch error {
            case .wrongTenant: fix = "sign in with an account of \(config.tenant), or correct tenant.id"
            default: fix = "run again and finish the sign-in in the browser within 15 minutes"
            }
            throw EngineError(stage: .signIn, message: error.description, fix: fix)
        } catch let error as MicrosoftError {
            throw EngineError(
                stage: .signIn, message: error.description, fix: Self.signInFix(for: error, method: config.signIn))
        } catch let error as TransportError {
            throw networkFailure(error)
        }
    }

    /// The network failed before the sign-in: the stage fails (never left "checking"), with the
    /// fix and a log line.
    private func networkFailure(_ error: TransportError) -> EngineError {
        let host = endpoints.login.host ?? endpoints.login.absoluteString
        let fix: String
        switch error {
        case .tlsFailure:
            fix = "the certificate of \(host) is not trusted here: check a TLS-inspecting proxy, or set tenant.ca_bundle"
        case .refusedURL: fix = "use an https:// address for \(host)"
        case .connectionFailed, .timedOut:
            fix = "check the network, DNS, proxy and firewall from this machine to \(host) (curl -v \(endpoints.login.absoluteString)); the run is saved and a re-run resumes here"
        }
        log(.error, "Sign-in failed: \(host): \(error.description)")
        return EngineError(stage: .signIn, message: "\(host): \(error.description)", fix: fix, transient: error.mayPass)
    }

    /// The sign-in itself: tokens by the configured method, the tenant and the admin's roles read
    /// at once, the tenant checked against the configured one, then the roles (or, app-only, the
    /// automation app's permissions) judged; the clients are made and the stage recorded.
    private func performSignIn() async throws -> SignedInTenant {
        let identity = IdentityClient(endpoints: endpoints, tenant: tenantID, sender: sender)
        let tokens = try await tokenProvider(identity: identity)
        let graphToken = try await tokens.token(for: .graph, forceRefresh: false)
        guard let claims = graphToken.claims, let tid = claims.tenantID else {
            throw EngineError(
                stage: .signIn,
                message: "the access token carries no tenant ID (tid)",
                fix: "check the login URL of the configured cloud"
            )
        }
        let graph = GraphClient(base: endpoints.graph, tokens: tokens, sender: sender)
        // The tenant and the admin's roles are read at once; the roles are judged only once the
        // tenant is known to be the configured one.
        let organizationRequest = GraphRequest.organization()
        async let organizationRead = graph.get(organizationRequest)
        // An OData cast: `myDirectoryRoles` carries `ConsistencyLevel: eventual` and `$count=true`.
        async let rolesRead: [JSONValue]? = claims.isAppOnly ? nil : graph.list(.myDirectoryRoles())
        let organization = try await organizationRead["value"].array?.first ?? .null
        let defaultDomain = try requireConfiguredTenant(organization, tid: tid)
        facts.tenantCountry = organization["countryLetterCode"].string.flatMap { $0.isEmpty ? nil : $0 }
        let who = claims.user ?? "app \(claims.appID ?? config.clientID ?? "?")"
        var findings = StageFindings()
        findings.evidence = [
            "token tid \(tid), signed in as \(who)",
            organizationRequest.answered(
                "\(organization["displayName"].string ?? "?"), default domain \(defaultDomain)"),
        ]
        let anchor: String
        if claims.isAppOnly {
            anchor = ExchangeAdminClient.appAnchor(tenantID: tid)
            findings.warnings += Self.missingGraphPermissions(claims.roles)
            try await requireExchangeManageAsApp(tokens: tokens, evidence: &findings.evidence)
        } else {
            anchor = "UPN:\(who)"
            let roles = try await rolesRead ?? []
            try judgeAdminRoles(roles, who: who, into: &findings)
        }
        self.graph = graph
        self.exchange = ExchangeAdminClient(
            base: endpoints.exchange,
            tenantID: tid,
            anchorMailbox: anchor,
            tokens: tokens,
            sender: sender
        )
        let tenant = SignedInTenant(
            id: tid,
            displayName: organization["displayName"].string ?? "",
            defaultDomain: defaultDomain,
            signedInAs: who
        )
        recordSignIn(tenant, findings: findings)
        return tenant
    }

    /// Records the verified sign-in stage with what it found, and says who is signed in where.
    private func recordSignIn(_ tenant: SignedInTenant, findings: StageFindings) {
        let place = "\(tenant.displayName) (\(tenant.id))"
        run.record(
            StageReport(
                stage: .signIn,
                status: .verified,
                detail: "\(place) as \(tenant.signedInAs)",
                evidence: findings.evidence,
                warnings: findings.warnings
            )
        )
        log(.info, "Signed in to \(place) as \(tenant.signedInAs).")
    }

    /// The admin's tokens by the configured sign-in method: a device code (one sign-in per
    /// process when sessions are cached), or the automation app's client secret or certificate.
    private func tokenProvider(identity: IdentityClient) async throws -> any AccessTokenProvider {
        switch config.signIn {
        case .deviceCode:
            return await deviceCodeTokens(identity: identity)
        case .clientSecret:
            return ClientCredentialSession(
                identity: identity,
                clientID: config.clientID ?? "",
                credential: .secret(try readAdminSecret())
            )
        case .certificate:
            return ClientCredentialSession(
                identity: identity,
                clientID: config.clientID ?? "",
                credential: .certificate(try readAdminCertificate())
            )
        }
    }

    /// A device-code session whose prompt goes to the run's events. One sign-in per process: the
    /// same tenant, cloud, client and scopes reuse the cached session, with this run's prompt.
    private func deviceCodeTokens(identity: IdentityClient) async -> any AccessTokenProvider {
        let prompt: @Sendable (DeviceCodeGrant) -> Void = { [events = run.events] grant in
            events(
                .deviceCode(
                    DeviceCodePrompt(
                        userCode: grant.userCode,
                        verificationURL: grant.verificationURI,
                        expiresAt: grant.expiresAt,
                        message: grant.message
                    )
                )
            )
        }
        let clientID = config.clientID ?? DeviceCodeSession.graphCommandLineTools
        let scopes = config.delegatedGraphScopes
        let make = {
            DeviceCodeSession(identity: identity, clientID: clientID, graphScopes: scopes, prompt: prompt)
        }
        guard let cache = environment.tokenSessions else { return make() }
        let key = [endpoints.login.absoluteString, tenantID.key, clientID]
            .joined(separator: "|") + "|" + config.delegatedGraphScopes.joined(separator: " ")
        let (session, reused) = cache.deviceCodeSession(key, make: make)
        if reused {
            await session.setPrompt(prompt)
            log(.info, "Signed in earlier in this session: no new device code unless its tokens have run out.")
        }
        return session
    }

    /// Refuses a tenant other than the configured one (by tenant id or a verified domain) and
    /// returns the signed-in tenant's default domain.
    private func requireConfiguredTenant(_ organization: JSONValue, tid: String) throws -> String {
        let domains = organization["verifiedDomains"].array ?? []
        let defaultDomain =
            domains.first { $0["isDefault"].bool == true }?["name"].string ?? domains.first?["name"].string ?? ""
        let configured = tenantID.key
        let matches =
            configured == tid.lowercased()
            || domains.contains { $0["name"].string?.lowercased() == configured }
        guard matches else {
            throw SignInError.wrongTenant(expected: config.tenant, actual: "\(tid) (\(defaultDomain))")
        }
        return defaultDomain
    }

    /// A warning for each Graph permission the automation app's token lacks, with what will fail.
    private static func missingGraphPermissions(_ roles: [String]) -> [String] {
        [
            ("Application.ReadWrite", "creating the service account"),
            ("AppRoleAssignment.ReadWrite.All", "removing tenant-wide grants"),
            ("RoleManagement.ReadWrite.Exchange", "creating the scope and role assignments"),
        ].filter { permission, _ in !roles.contains(where: { $0.hasPrefix(permission) }) }.map { permission, purpose in
            "the automation app's Graph token lacks \(permission)…; \(purpose) will fail"
        }
    }

    /// Requires the signed-in admin to manage both Exchange and apps (Global Administrator, or
    /// Exchange Administrator and Application or Cloud Application Administrator); warns when
    /// removing a tenant-wide grant will need a role the admin lacks.
    private func judgeAdminRoles(_ roles: [JSONValue], who: String, into findings: inout StageFindings) throws {
        let templates = Set(roles.compactMap { $0["roleTemplateId"].string })
        findings.evidence.append(
            "directory roles: \(roles.compactMap { $0["displayName"].string }.sorted().joined(separator: ", "))"
        )
        let global = templates.contains(Self.globalAdministrator)
        let exchangeAdmin = global || templates.contains(Self.exchangeAdministrator)
        let appAdmin = global || !templates.isDisjoint(with: Self.applicationAdministrators)
        guard exchangeAdmin && appAdmin else {
            throw EngineError(
                stage: .signIn,
                message: "\(who) lacks the roles this setup needs",
                fix:
                    "sign in as a Global Administrator, or as an Exchange Administrator who is also an Application (or Cloud Application) Administrator; the Exchange side also needs Organization Management. A role you are only eligible for in Privileged Identity Management (PIM) does not appear until it is activated: activate it in PIM, then run again"
            )
        }
        if !global && !templates.contains(Self.privilegedRoleAdministrator) {
            findings.warnings.append(
                "removing a tenant-wide Entra grant needs Privileged Role Administrator or Global Administrator"
            )
        }
    }

    /// App-only Exchange management needs both halves (Exchange's app-only-auth-powershell-v2
    /// page): the Office 365 Exchange Online permission `Exchange.ManageAsApp`, admin-consented
    /// (in the Exchange token's `roles`), and an Entra role that manages Exchange on the app's
    /// service principal, Exchange Administrator or Global Administrator (the token's `wids`).
    /// Either missing is named, with its fix, before anything else is sent to Exchange.
    private func requireExchangeManageAsApp(tokens: any AccessTokenProvider, evidence: inout [String]) async throws {
        let token = try await tokens.token(for: .exchange, forceRefresh: false)
        let claims = token.claims
        let roles = claims?.roles ?? []
        let directoryRoles = Set(claims?.directoryRoles ?? [])
        let manageAsApp = roles.contains("Exchange.ManageAsApp")
        let exchangeRole = !directoryRoles.isDisjoint(with: [Self.exchangeAdministrator, Self.globalAdministrator])
        evidence.append(
            "Exchange token: roles \(roles.isEmpty ? "none" : roles.joined(separator: ", ")); Entra roles \(directoryRoles.isEmpty ? "none" : "\(directoryRoles.count)")"
        )
        var missing: [String] = []
        var fixes: [String] = []
        if !manageAsApp {
            missing.append("the Exchange.ManageAsApp permission")
            fixes.append(
                "add the API permission Office 365 Exchange Online › Exchange.ManageAsApp (application) to the automation app and grant admin consent")
        }
        if !exchangeRole {
            missing.append("an Entra role that manages Exchange")
            fixes.append(
                "assign the Exchange Administrator role to the automation app (Entra admin center › Roles and administrators › Exchange Administrator › Add assignments)")
        }
        guard !missing.isEmpty else { return }
        throw EngineError(
            stage: .signIn,
            message: "the automation app \(claims?.appID ?? config.clientID ?? "?") lacks \(missing.joined(separator: " and ")) for app-only Exchange management",
            fix: fixes.joined(separator: "; ") + " (learn.microsoft.com/powershell/exchange/app-only-auth-powershell-v2)")
    }

    private func readAdminSecret() throws -> Secret {
        guard let source = config.adminSecret else {
            throw EngineError(stage: .signIn, message: "no secret source", fix: "set auth.secret_env or auth.secret_file")
        }
        return try source.read(
            in: run, keys: ("auth.secret_env", "auth.secret_file"),
            what: "the automation app's client secret")
    }

    private func readAdminCertificate() throws -> CertificateCredential {
        guard let certificatePath = config.certificateFile, let keyPath = config.privateKeyFile else {
            throw EngineError(
                stage: .signIn,
                message: "certificate sign-in needs a certificate and a key",
                fix: "set auth.certificate_file and auth.private_key_file"
            )
        }
        guard
            let certificate = FileManager.default.contents(atPath: certificatePath).flatMap({
                String(data: $0, encoding: .utf8)
            })
        else {
            throw EngineError(
                stage: .signIn,
                message: "cannot read \(certificatePath) (auth.certificate_file)",
                fix: "check the path"
            )
        }
        let key = try readPrivateFile(keyPath, field: "auth.private_key_file")
        do {
            return try CertificateCredential(certificatePEM: certificate, privateKeyPEM: Secret(key))
        } catch {
            throw EngineError(
                stage: .signIn,
                message: "cannot use the certificate or key: \(error)",
                fix: "give a PEM certificate and its PEM RSA private key"
            )
        }
    }

    static func signInFix(for error: MicrosoftError, method: AdminSignIn) -> String {
        let text = error.message
        if text.contains("AADSTS53003") || text.contains("AADSTS530") {
            return
                "Conditional Access blocked this sign-in (device code is often blocked); use auth.method = \"certificate\" with an automation app instead"
        }
        if text.contains("AADSTS7000215") || text.contains("AADSTS7000222") {
            return "the client secret is wrong or expired; create a new one for the automation app"
        }
        if text.contains("AADSTS700016") {
            return "the client ID is not registered in this tenant; check auth.client_id"
        }
        if text.contains("AADSTS90002") { return "the tenant was not found; check tenant.id" }
        if text.contains("AADSTS65001") { return "the app is not consented in this tenant; grant admin consent for it" }
        if error.status == 0 { return "check the network and the cloud's login URL" }
        return method == .deviceCode
            ? "run again and finish the sign-in in the browser" : "check auth.client_id and its credential"
    }
}
