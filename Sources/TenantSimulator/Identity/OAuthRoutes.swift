import Crypto
import Foundation
import MailscopeCore

/// The identity platform: `POST {login}/{tenant}/oauth2/v2.0/devicecode` and `…/token`
/// (device code, refresh token, client credentials with a secret or a certificate assertion).
extension SimulatedTenant {
    static let openIDScopes: Set<String> = ["openid", "profile", "offline_access", "email"]
    static let delegatedDefaultScopes: [ResourceKind: [String]] = [
        .graph: [
            "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "Directory.Read.All", "Group.ReadWrite.All",
            "RoleManagement.Read.Directory", "User.Read", "User.Read.All",
        ],
        .exchange: ["Exchange.Manage"],
    ]

    func login(_ request: WireRequest, segments: [String], context: RequestContext) -> WireResponse {
        if segments == ["devicelogin"] {
            return .text(
                200,
                "Simulated Contoso tenant: device codes are approved automatically after \(context.options.deviceCodeApprovalPolls) poll(s).")
        }
        guard segments.count == 4, segments[1] == "oauth2", segments[2] == "v2.0",
            segments[3] == "devicecode" || segments[3] == "token"
        else {
            return oauthError(OAuthFailure(status: 404, error: "invalid_request", code: 90027, text: "Unknown endpoint."), context)
        }
        guard request.method == "POST" else {
            return oauthError(
                OAuthFailure(status: 405, error: "invalid_request", code: 900561, text: "The endpoint only accepts POST requests."),
                context)
        }
        // `{tenant}` is the tenant id or one of its verified domains, or `common`/`organizations`
        // (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow).
        // Anything else is AADSTS90002 InvalidTenantName, "the tenant name wasn't found in the data
        // store", 400 invalid_request in the identity platform's error body
        // (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes). A
        // simulator serving several tenants routes each request to the tenant it names
        // (`SimulatorServer.tenant(for:)`); one it does not serve reaches the default tenant, here.
        let tenantSegment = segments[0]
        let known = [identity.tenantID, identity.defaultDomain, identity.initialDomain].map { $0.lowercased() }
        let isCommon = ["common", "organizations"].contains(tenantSegment.lowercased())
        guard known.contains(tenantSegment.lowercased()) || isCommon else {
            return oauthError(
                OAuthFailure(
                    status: 400, error: "invalid_request", code: 90002,
                    text: "Tenant '\(tenantSegment)' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."),
                context)
        }
        let form = WireRequest.form(request.body)
        do throws(OAuthFailure) {
            if segments[3] == "devicecode" {
                return try startDeviceCode(form, context: context)
            }
            let tokenURL = context.endpoints.login.absoluteString.withoutTrailingSlash + "/\(tenantSegment)/oauth2/v2.0/token"
            return try token(form, request: request, tokenURL: tokenURL, isCommon: isCommon, context: context)
        } catch {
            return oauthError(error, context)
        }
    }

    private func startDeviceCode(_ form: [String: String], context: RequestContext) throws(OAuthFailure) -> WireResponse {
        let clientID = try required("client_id", form)
        try requireKnownClient(clientID, context: context)
        let scopes = (form["scope"] ?? "").split(separator: " ").map(String.init)
        guard !scopes.isEmpty else {
            throw OAuthFailure(
                status: 400, error: "invalid_request", code: 900144,
                text: "The request body must contain the following parameter: 'scope'.")
        }
        _ = try resolveDelegatedScopes(scopes, endpoints: context.endpoints)
        let deviceCode = identifiers.string(length: 96, alphabet: Self.tokenAlphabet)
        let userCode = identifiers.string(length: 9, alphabet: "ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        deviceCodes[deviceCode] = DeviceCodeRecord(
            clientID: clientID, scopes: scopes, userCode: userCode, expiresAt: now.addingTimeInterval(900), polls: 0,
            redeemed: false)
        let uri = context.endpoints.login.absoluteString.withoutTrailingSlash + "/devicelogin"
        return .json(
            200,
            [
                "device_code": .string(deviceCode), "user_code": .string(userCode), "verification_uri": .string(uri),
                "expires_in": 900, "interval": .number(Double(context.options.deviceCodeInterval)),
                "message": .string(
                    "To sign in, use a web browser to open the page \(uri) and enter the code \(userCode) to authenticate."),
            ])
    }

    private func token(
        _ form: [String: String], request: WireRequest, tokenURL: String, isCommon: Bool, context: RequestContext
    ) throws(OAuthFailure) -> WireResponse {
        var form = form
        // client_secret_basic: the secret may come in an Authorization: Basic header.
        if let authorization = request.header("authorization"), authorization.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":")
        {
            form["client_id"] = form["client_id"] ?? WireRequest.decode(String(pair[..<colon]), plusIsSpace: true)
            form["client_secret"] = WireRequest.decode(String(pair[pair.index(after: colon)...]), plusIsSpace: true)
        }
        let grantType = try required("grant_type", form)
        switch grantType {
        case "urn:ietf:params:oauth:grant-type:device_code":
            return try redeemDeviceCode(form, context: context)
        case "refresh_token":
            return try redeemRefreshToken(form, context: context)
        case "client_credentials":
            guard !isCommon else {
                throw OAuthFailure(
                    status: 400, error: "invalid_request", code: 50059,
                    text: "No tenant-identifying information found in either the request or implied by any provided credentials.")
            }
            return try clientCredentials(form, tokenURL: tokenURL, context: context)
        default:
            throw OAuthFailure(
                status: 400, error: "unsupported_grant_type", code: 70003,
                text: "The app requested an unsupported grant type '\(grantType)'.")
        }
    }

    // MARK: Device code

    private func redeemDeviceCode(_ form: [String: String], context: RequestContext) throws(OAuthFailure) -> WireResponse {
        let clientID = try required("client_id", form)
        let code = try required("device_code", form)
        guard var record = deviceCodes[code] else {
            throw OAuthFailure(
                status: 400, error: "bad_verification_code", code: 70019,
                text: "The provided value for the input parameter 'device_code' is not valid.")
        }
        guard record.clientID == clientID else {
            throw OAuthFailure(
                status: 400, error: "invalid_grant", code: 70000,
                text: "The provided value for the 'device_code' was issued to another client.")
        }
        guard !record.redeemed else {
            throw OAuthFailure(
                status: 400, error: "invalid_grant", code: 54005,
                text: "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
        }
        guard now < record.expiresAt else {
            throw OAuthFailure(
                status: 400, error: "expired_token", code: 70020,
                text: "The provided value for the input parameter 'device_code' is not valid. This device code has expired.")
        }
        record.polls += 1
        deviceCodes[code] = record
        switch deviceCodeOutcome {
        case .decline:
            throw OAuthFailure(
                status: 400, error: "authorization_declined", code: 70000, text: "The user declined the sign-in request.")
        case .abandon:
            throw pending
        case .approve:
            guard record.polls >= max(1, context.options.deviceCodeApprovalPolls) else { throw pending }
        }
        record.redeemed = true
        deviceCodes[code] = record
        return try delegatedTokenResponse(
            clientID: clientID, scopes: record.scopes, offline: record.scopes.contains("offline_access"), context: context)
    }

    private var pending: OAuthFailure {
        OAuthFailure(
            status: 400, error: "authorization_pending", code: 70016,
            text: "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
    }

    // MARK: Refresh token

    private func redeemRefreshToken(_ form: [String: String], context: RequestContext) throws(OAuthFailure) -> WireResponse {
        let clientID = try required("client_id", form)
        let token = try required("refresh_token", form)
        guard let record = refreshTokens[token] else {
            throw OAuthFailure(
                status: 400, error: "invalid_grant", code: 9_002_313,
                text: "Invalid request. Request is malformed or invalid: the refresh token is not valid.")
        }
        guard record.clientID == clientID else {
            throw OAuthFailure(
                status: 400, error: "invalid_grant", code: 70000,
                text: "Provided grant is invalid or malformed: the refresh token was issued to another client.")
        }
        let scopes = (form["scope"] ?? "").split(separator: " ").map(String.init)
        return try delegatedTokenResponse(
            clientID: clientID, scopes: scopes.isEmpty ? ["openid"] : scopes, offline: true, context: context,
            consented: record.consented ?? [:])
    }

    // MARK: Delegated tokens

    /// Resolves delegated scopes to one resource and its scope names.
    private func resolveDelegatedScopes(_ scopes: [String], endpoints: SimulatorEndpoints) throws(OAuthFailure)
        -> (resource: ResourceKind, audience: String, names: [String])
    {
        var found: (resource: ResourceKind, audience: String)?
        var names: [String] = []
        for scope in scopes where !Self.openIDScopes.contains(scope.lowercased()) {
            let (audience, name) = Self.split(scope: scope)
            guard let resource = endpoints.resource(named: audience ?? Catalog.graphAppID) else {
                throw OAuthFailure(
                    status: 400, error: "invalid_resource", code: 500_011,
                    text: "The resource principal named \(audience ?? scope) was not found in the tenant named \(identity.organizationName).")
            }
            if let found, found.resource != resource {
                throw OAuthFailure(
                    status: 400, error: "invalid_scope", code: 28000,
                    text: "Provided value for the input parameter scope is not valid because it contains more than one resource.")
            }
            found = (resource, audience ?? "https://graph.microsoft.com")
            names.append(name)
        }
        let resolved = found ?? (.graph, "https://graph.microsoft.com")
        if names.isEmpty || names.contains(".default") {
            names = Self.delegatedDefaultScopes[resolved.resource] ?? []
        }
        return (resolved.resource, resolved.audience, names)
    }

    private func delegatedTokenResponse(
        clientID: String, scopes: [String], offline: Bool, context: RequestContext, consented: [String: [String]] = [:]
    ) throws(OAuthFailure) -> WireResponse {
        var resolved = try resolveDelegatedScopes(scopes, endpoints: context.endpoints)
        let asksDefault = scopes.contains { Self.split(scope: $0).1 == ".default" }
            || !scopes.contains { !Self.openIDScopes.contains($0.lowercased()) }
        var grant = consented
        if asksDefault {
            // /.default: the resource's defaults and every permission consented to before.
            for name in consented[resolved.resource.rawValue] ?? [] where !resolved.names.contains(name) {
                resolved.names.append(name)
            }
        } else {
            grant[resolved.resource.rawValue] = Array(Set(grant[resolved.resource.rawValue] ?? []).union(resolved.names)).sorted()
        }
        let issued = now
        let lifetime = context.options.tokenLifetime.timeInterval
        let claims: JSONValue = [
            "aud": .string(resolved.audience), "iss": .string("https://sts.windows.net/\(identity.tenantID)/"),
            "iat": .number(issued.timeIntervalSince1970.rounded(.down)),
            "nbf": .number(issued.timeIntervalSince1970.rounded(.down)),
            "exp": .number((issued.timeIntervalSince1970 + lifetime).rounded(.down)), "tid": .string(identity.tenantID),
            "oid": .string(admin.id), "sub": .string(admin.id), "upn": .string(admin.userPrincipalName),
            "unique_name": .string(admin.userPrincipalName), "name": .string(admin.displayName),
            "scp": .string(resolved.names.joined(separator: " ")), "appid": .string(clientID), "appidacr": "0",
            "idtyp": "user", "ver": "1.0", "uti": .string(newOpaqueID()),
            "wids": .array(admin.directoryRoles.compactMap { Catalog.directoryRoleTemplates[$0] }.map(JSONValue.string)),
        ]
        var body: [String: JSONValue] = [
            "token_type": "Bearer",
            "scope": .string(resolved.names.map { "\(resolved.audience)/\($0)" }.joined(separator: " ")),
            "expires_in": .number(advertised(lifetime, context)), "ext_expires_in": .number(advertised(lifetime, context)),
            "access_token": .string(issuer.sign(claims)),
        ]
        if offline {
            let refresh = identifiers.string(length: 120, alphabet: Self.tokenAlphabet)
            refreshTokens[refresh] = RefreshTokenRecord(clientID: clientID, userID: admin.id, consented: grant)
            body["refresh_token"] = .string(refresh)
        }
        return .json(200, .object(body))
    }

    // MARK: Client credentials

    private func clientCredentials(_ form: [String: String], tokenURL: String, context: RequestContext) throws(OAuthFailure)
        -> WireResponse
    {
        let clientID = try required("client_id", form)
        let scope = try required("scope", form).trimmingCharacters(in: .whitespaces)
        let lag = context.options.replicationLag
        guard let application = registry.application(appID: clientID), isReplicated(application.createdAt, lag: lag) else {
            throw OAuthFailure(
                status: 400, error: "unauthorized_client", code: 700_016,
                text: "Application with identifier '\(clientID)' was not found in the directory '\(identity.organizationName)'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.")
        }
        // AADSTS7000112 UnauthorizedClientApplicationDisabled: "The application is disabled."
        // (learn.microsoft.com/entra/identity-platform/reference-error-codes).
        if let servicePrincipal = registry.servicePrincipal(appID: clientID), !servicePrincipal.accountEnabled {
            throw OAuthFailure(
                status: 400, error: "unauthorized_client", code: 7_000_112,
                text: "Application '\(clientID)'(\(servicePrincipal.displayName)) is disabled.")
        }
        guard scope.hasSuffix("/.default"), !scope.contains(" ") else {
            throw OAuthFailure(
                status: 400, error: "invalid_scope", code: 1_002_012,
                text: "The provided value for scope \(scope) is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
        }
        let audience = String(scope.dropLast("/.default".count))
        guard let resource = context.endpoints.resource(named: audience),
            let resourceSP = registry.servicePrincipal(appID: resource.appID)
        else {
            throw OAuthFailure(
                status: 400, error: "invalid_resource", code: 500_011,
                text: "The resource principal named \(audience) was not found in the tenant named \(identity.organizationName). This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.")
        }
        let appidacr: String
        if let assertion = form["client_assertion"] {
            guard form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" else {
                throw OAuthFailure(
                    status: 400, error: "invalid_request", code: 50027,
                    text: "The client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.")
            }
            let base = context.endpoints.login.absoluteString.withoutTrailingSlash
            let audiences = Set(
                ([tokenURL] + [identity.tenantID, identity.defaultDomain, identity.initialDomain].map { "\(base)/\($0)/oauth2/v2.0/token" })
                    .map { $0.lowercased() })
            try ClientAssertionVerifier.verify(
                assertion, clientID: clientID, keys: application.keyCredentials, audiences: audiences, now: now)
            appidacr = "2"
        } else if let secret = form["client_secret"] {
            let hash = Self.hash(secret: secret)
            let matching = application.passwordCredentials.filter {
                $0.secretHash == hash && isReplicated($0.createdAt, lag: lag)
            }
            guard let credential = matching.first else {
                throw .invalidClient(
                    7_000_215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '\(clientID)'."
                )
            }
            guard credential.endDateTime > now else {
                throw .invalidClient(7_000_222, "The provided client secret keys for app '\(clientID)' are expired.")
            }
            guard credential.startDateTime <= now else {
                throw .invalidClient(7_000_215, "The provided client secret for app '\(clientID)' is not valid yet.")
            }
            appidacr = "1"
        } else {
            throw .invalidClient(
                7_000_218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                status: 400)
        }
        guard let servicePrincipal = registry.servicePrincipal(appID: clientID),
            isReplicated(servicePrincipal.createdAt, lag: lag)
        else {
            throw .invalidClient(
                7_000_229, "The client application \(clientID) is missing service principal in the tenant \(identity.tenantID).",
                status: 400)
        }
        let roles = registry.grants(principal: servicePrincipal.id).filter { $0.resourceId == resourceSP.id }
            .map(\.permission)
        let issued = now
        let lifetime = context.options.tokenLifetime.timeInterval
        var claims: [String: JSONValue] = [
            "aud": .string(audience), "iss": .string("https://sts.windows.net/\(identity.tenantID)/"),
            "iat": .number(issued.timeIntervalSince1970.rounded(.down)),
            "nbf": .number(issued.timeIntervalSince1970.rounded(.down)),
            "exp": .number((issued.timeIntervalSince1970 + lifetime).rounded(.down)), "tid": .string(identity.tenantID),
            "oid": .string(servicePrincipal.id), "sub": .string(servicePrincipal.id), "appid": .string(clientID),
            "appidacr": .string(appidacr), "idtyp": "app", "ver": "1.0", "uti": .string(newOpaqueID()),
        ]
        if !roles.isEmpty { claims["roles"] = .array(roles.map(JSONValue.string)) }
        let wids = servicePrincipal.directoryRoles.compactMap { Catalog.directoryRoleTemplates[$0] }
        if !wids.isEmpty { claims["wids"] = .array(wids.map(JSONValue.string)) }
        return .json(
            200,
            [
                "token_type": "Bearer", "expires_in": .number(advertised(lifetime, context)),
                "ext_expires_in": .number(advertised(lifetime, context)), "access_token": .string(issuer.sign(.object(claims))),
            ])
    }

    // MARK: Helpers

    static let tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    /// The stored form of a client secret.
    static func hash(secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Splits `https://graph.microsoft.com/User.Read` into the resource and the scope name; a bare
    /// name (`User.Read`) has no resource.
    static func split(scope: String) -> (resource: String?, name: String) {
        guard let slash = scope.lastIndex(of: "/") else { return (nil, scope) }
        return (String(scope[..<slash]).withoutTrailingSlash, String(scope[scope.index(after: slash)...]))
    }

    private func required(_ name: String, _ form: [String: String]) throws(OAuthFailure) -> String {
        guard let value = form[name], !value.isEmpty else {
            throw OAuthFailure(
                status: 400, error: "invalid_request", code: 900_144,
                text: "The request body must contain the following parameter: '\(name)'.")
        }
        return value
    }

    private func requireKnownClient(_ clientID: String, context: RequestContext) throws(OAuthFailure) {
        if Catalog.firstPartyPublicClients[clientID.lowercased()] != nil { return }
        if let application = registry.application(appID: clientID),
            isReplicated(application.createdAt, lag: context.options.replicationLag)
        {
            return
        }
        throw OAuthFailure(
            status: 400, error: "unauthorized_client", code: 700_016,
            text: "Application with identifier '\(clientID)' was not found in the directory '\(identity.organizationName)'.")
    }

    func oauthError(_ failure: OAuthFailure, _ context: RequestContext) -> WireResponse {
        let timestamp = Timestamp.string(now)
        let description =
            "AADSTS\(failure.code): \(failure.text) Trace ID: \(context.requestID) Correlation ID: \(context.clientRequestID) Timestamp: \(timestamp)"
        return .json(
            failure.status,
            [
                "error": .string(failure.error), "error_description": .string(description),
                "error_codes": [.number(Double(failure.code))], "timestamp": .string(timestamp),
                "trace_id": .string(context.requestID), "correlation_id": .string(context.clientRequestID),
            ])
    }
}

extension SimulatedTenant {
    /// The `expires_in` a token answer advertises: the real lifetime, or `tokenAdvertisedLifetime`
    /// when set (a token revoked before the time it announced, as continuous access evaluation does).
    func advertised(_ lifetime: TimeInterval, _ context: RequestContext) -> Double {
        (context.options.tokenAdvertisedLifetime?.timeInterval ?? lifetime).rounded()
    }
}
