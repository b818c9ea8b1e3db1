import Foundation
import MailscopeCore

/// A device-code grant in progress.
public struct DeviceCodeGrant: Sendable {
    /// The code the client polls with (secret: never shown or logged).
    public var deviceCode: Secret
    /// The code the admin types.
    public var userCode: String
    /// Where the admin types it.
    public var verificationURI: String
    /// When the code expires.
    public var expiresAt: Date
    /// How often to poll.
    public var interval: Duration
    /// The identity platform's own sentence for the admin.
    public var message: String
}

/// The tokens one grant returned.
public struct TokenSet: Sendable {
    /// The access token.
    public var accessToken: AccessToken
    /// The refresh token, when `offline_access` was asked for.
    public var refreshToken: Secret?
}

/// How an app proves who it is.
public enum ClientCredential: Sendable {
    /// A client secret.
    case secret(Secret)
    /// A certificate: the assertion is signed with its private key.
    case certificate(CertificateCredential)
}

/// The Microsoft identity platform's OAuth 2.0 endpoints for one tenant.
public struct IdentityClient: Sendable {
    /// The cloud's endpoints.
    public let endpoints: CloudEndpoints
    /// The tenant (GUID or domain) in the authority URL.
    public let tenant: TenantID
    private let sender: RequestSender

    /// Creates a client for `tenant`.
    public init(endpoints: CloudEndpoints, tenant: TenantID, sender: RequestSender) {
        self.endpoints = endpoints
        self.tenant = tenant
        self.sender = sender
    }

    /// The current time on the client's clock.
    public var now: Date { sender.clock.now }

    /// The token endpoint (also the `aud` of client assertions).
    public var tokenURL: URL {
        endpoints.login.appending(path: "\(tenant.rawValue)/oauth2/v2.0/token")
    }

    /// Starts a device-code sign-in.
    public func startDeviceCode(clientID: String, scopes: [String]) async throws -> DeviceCodeGrant {
        let url = endpoints.login.appending(path: "\(tenant.rawValue)/oauth2/v2.0/devicecode")
        let json = try await postForm(url, ["client_id": clientID, "scope": scopes.joined(separator: " ")])
        guard let deviceCode = json["device_code"].string, let userCode = json["user_code"].string,
            let uri = json["verification_uri"].string
        else {
            throw MicrosoftError(
                service: .identity,
                status: 200,
                code: "malformed_response",
                message: "the devicecode answer lacks device_code, user_code or verification_uri",
                request: "POST devicecode"
            )
        }
        return DeviceCodeGrant(
            deviceCode: Secret(deviceCode),
            userCode: userCode,
            verificationURI: uri,
            expiresAt: sender.clock.now.addingTimeInterval(json["expires_in"].number ?? 900),
            // 1 to 60 s (Microsoft says 5); not Int(_:), which stops the process on 1e300 (found by scripts/fuzz).
            interval: .interval(min(max(1, json["interval"].number ?? 5), 60).rounded()),
            message: json["message"].string ?? "To sign in, open \(uri) and enter the code \(userCode)."
        )
    }

    /// Polls until the admin finishes the device-code sign-in, the code expires, or sign-in is declined.
    public func completeDeviceCode(_ grant: DeviceCodeGrant, clientID: String) async throws -> TokenSet {
        var interval = grant.interval
        while true {
            try await sender.clock.sleep(for: interval)
            if sender.clock.now >= grant.expiresAt {
                throw SignInError.expired
            }
            do {
                return try await token([
                    "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": clientID,
                    "device_code": grant.deviceCode.reveal(),
                ])
            } catch let error as MicrosoftError where error.code == "authorization_pending" {
                continue
            } catch let error as MicrosoftError where error.code == "slow_down" {
                interval += .seconds(5)
            } catch let error as MicrosoftError where error.code == "authorization_declined" {
                throw SignInError.declined
            } catch let error as MicrosoftError where error.code == "expired_token" {
                throw SignInError.expired
            }
        }
    }

    /// Redeems a refresh token for a token for `scope` (another resource, typically).
    public func refresh(clientID: String, refreshToken: Secret, scope: String) async throws -> TokenSet {
        try await token([
            "grant_type": "refresh_token", "client_id": clientID, "refresh_token": refreshToken.reveal(),
            "scope": scope,
        ])
    }

    /// Client-credentials grant (app-only) for `scope`.
    public func clientCredentials(
        clientID: String,
        credential: ClientCredential,
        scope: String
    ) async throws -> TokenSet {
        var form = ["grant_type": "client_credentials", "client_id": clientID, "scope": scope]
        switch credential {
        case .secret(let secret):
            form["client_secret"] = secret.reveal()
        case .certificate(let certificate):
            form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            form["client_assertion"] = try certificate.assertion(
                clientID: clientID,
                audience: tokenURL.absoluteString,
                now: sender.clock.now
            ).reveal()
        }
        return try await token(form)
    }

    private func token(_ form: [String: String]) async throws -> TokenSet {
        let json = try await postForm(tokenURL, form)
        guard let access = json["access_token"].string else {
            throw MicrosoftError(
                service: .identity,
                status: 200,
                code: "malformed_response",
                message: "no access_token in the answer",
                request: "POST token"
            )
        }
        let expiresIn = json["expires_in"].number ?? 3600
        return TokenSet(
            accessToken: AccessToken(value: Secret(access), expiresAt: sender.clock.now.addingTimeInterval(expiresIn)),
            refreshToken: json["refresh_token"].string.map(Secret.init)
        )
    }

    private func postForm(_ url: URL, _ form: [String: String]) async throws -> JSONValue {
        var allowed = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128))
        )
        allowed.insert(charactersIn: "-._~")
        let body = form.sorted { $0.key < $1.key }.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
        let request = HTTPRequest(
            method: "POST",
            url: url,
            headers: [
                HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded"),
                HTTPHeader(name: "Accept", value: "application/json"),
            ],
            body: Data(body.utf8)
        )
        let (response, decoded) = try await sender.send(request, idempotent: true, decode: HTTPResponse.jsonBody)
        let label = "POST \(url.path)"
        guard (200..<300).contains(response.status) else {
            throw ErrorBody.parse(response, service: .identity, request: label)
        }
        guard let json = decoded, !response.body.isEmpty else {
            throw MicrosoftError(
                service: .identity,
                status: response.status,
                code: "malformed_response",
                message: "the answer is not JSON",
                request: label
            )
        }
        return json
    }
}

/// Why a sign-in did not complete.
public enum SignInError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The device code expired before the admin finished.
    case expired
    /// The admin declined the sign-in.
    case declined
    /// The token is for another tenant than the configured one.
    case wrongTenant(expected: String, actual: String)

    public var description: String {
        switch self {
        case .expired: "the sign-in code expired before sign-in finished; start again"
        case .declined: "sign-in was declined in the browser"
        case .wrongTenant(let expected, let actual):
            "signed in to tenant \(actual), but the configuration names \(expected); sign in with an account of that tenant (a cached sign-in from another tenant causes this)"
        }
    }
}
