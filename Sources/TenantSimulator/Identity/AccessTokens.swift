import Crypto
import Foundation
import MailscopeCore

/// The two resources the simulated tenant issues tokens for.
enum ResourceKind: String, Sendable {
    case graph
    case exchange

    /// The resource's application id.
    var appID: String { self == .graph ? Catalog.graphAppID : Catalog.exchangeAppID }
}

/// The claims of an access token the simulator issued and verified.
struct AccessTokenClaims: Sendable {
    /// `aud`.
    var audience: String
    /// Which resource the audience stands for.
    var resource: ResourceKind
    /// `tid`.
    var tenantID: String
    /// `oid`: the user or the service principal.
    var objectID: String
    /// `appid`: the client.
    var appID: String
    /// `upn`, delegated only.
    var userPrincipalName: String?
    /// `scp`, delegated only.
    var scopes: [String]
    /// `roles`, app-only only.
    var roles: [String]
    /// `exp`.
    var expiresAt: Date

    /// Whether the token was issued to an app acting as itself.
    var isAppOnly: Bool { userPrincipalName == nil }
}

/// Why a bearer token was refused.
enum TokenRejection: Error, Equatable {
    case missing
    case malformed
    case badSignature
    case expired
    case wrongAudience
    case wrongTenant

    /// Graph's message for it.
    var message: String {
        switch self {
        case .missing: "Access token is empty."
        case .malformed: "IDX14100: JWT is not well formed, there are no dots (.). The token needs to be in JWS or JWE Compact Serialization Format."
        case .badSignature: "Access token validation failure. Invalid signature."
        case .expired: "Lifetime validation failed, the token is expired."
        case .wrongAudience: "Access token validation failure. Invalid audience."
        case .wrongTenant: "Access token validation failure. Invalid tenant."
        }
    }
}

/// Issues and verifies the simulator's access tokens: JWTs signed with HS256 and a key derived
/// from the seed. Clients may read them; only the simulator can verify them.
struct TokenIssuer: Sendable {
    private let keyBytes: Data

    init(seed: UInt64) {
        var material = Data("mailscope-simulator-token-key".utf8)
        withUnsafeBytes(of: seed.bigEndian) { material.append(contentsOf: $0) }
        keyBytes = Data(SHA256.hash(data: material))
    }

    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// Signs `claims` into a compact JWT.
    func sign(_ claims: JSONValue) -> String {
        let header: JSONValue = ["alg": "HS256", "typ": "JWT", "kid": "mailscope-simulator"]
        let input = Base64URL.encode(header.encoded()) + "." + Base64URL.encode(claims.encoded())
        let signature = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key)
        return input + "." + Base64URL.encode(Data(signature))
    }

    /// Verifies `token` and returns its claims.
    func verify(
        _ token: String, now: Date, audiences: (String) -> ResourceKind?, tenantID: String
    ) throws(TokenRejection) -> AccessTokenClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { throw .malformed }
        guard let signature = Base64URL.decode(parts[2]),
            let payload = Base64URL.decode(parts[1]),
            let claims = try? JSONValue.parse(payload), claims.object != nil
        else { throw .malformed }
        let input = Data((parts[0] + "." + parts[1]).utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: key) else {
            throw .badSignature
        }
        guard let exp = claims["exp"].number else { throw .malformed }
        let expiresAt = Date(timeIntervalSince1970: exp)
        guard now < expiresAt else { throw .expired }
        guard let audience = claims["aud"].string, let resource = audiences(audience) else { throw .wrongAudience }
        guard claims["tid"].string == tenantID else { throw .wrongTenant }
        return AccessTokenClaims(
            audience: audience, resource: resource, tenantID: tenantID, objectID: claims["oid"].string ?? "",
            appID: claims["appid"].string ?? "", userPrincipalName: claims["upn"].string,
            scopes: (claims["scp"].string ?? "").split(separator: " ").map(String.init), roles: claims["roles"].strings,
            expiresAt: expiresAt)
    }
}
