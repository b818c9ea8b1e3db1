import Foundation
import MailscopeCore

/// The claims of an access token that mailscope reads (to show and check the tenant), never trusts
/// for authorization.
public struct TokenClaims: Sendable, Equatable {
    /// Tenant ID (`tid`).
    public var tenantID: String?
    /// Object ID of the user or service principal (`oid`).
    public var objectID: String?
    /// The signed-in user (`upn`, `unique_name` or `preferred_username`).
    public var user: String?
    /// The client's app ID (`appid` or `azp`).
    public var appID: String?
    /// Delegated scopes (`scp`).
    public var scopes: [String]
    /// App-only roles (`roles`).
    public var roles: [String]
    /// Audience (`aud`).
    public var audience: String?
    /// The Entra directory roles of the user or the app, by role template id (`wids`).
    public var directoryRoles: [String]

    /// Reads the claims of a JWT without verifying it; nil when it is not a JWT.
    public init?(jwt: String) {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let data = Base64URL.decode(String(parts[1])),
            let json = try? JSONValue.parse(data)
        else { return nil }
        tenantID = json["tid"].string
        objectID = json["oid"].string
        user = json["upn"].string ?? json["unique_name"].string ?? json["preferred_username"].string
        appID = json["appid"].string ?? json["azp"].string
        scopes = (json["scp"].string ?? "").split(separator: " ").map(String.init)
        roles = json["roles"].strings
        audience = json["aud"].string
        directoryRoles = json["wids"].strings
    }

    /// Whether the token was issued to an app acting as itself.
    public var isAppOnly: Bool { user == nil && scopes.isEmpty }
}

/// An access token for one resource.
public struct AccessToken: Sendable {
    /// The bearer token.
    public var value: Secret
    /// When it expires.
    public var expiresAt: Date
    /// Its claims.
    public var claims: TokenClaims?

    /// Creates a token.
    public init(value: Secret, expiresAt: Date) {
        self.value = value
        self.expiresAt = expiresAt
        self.claims = TokenClaims(jwt: value.reveal())
    }
}

/// Gives access tokens for a resource, refreshing them before they expire.
public protocol AccessTokenProvider: Sendable {
    /// A token for `resource`; `forceRefresh` skips the cache (after a 401).
    func token(for resource: Resource, forceRefresh: Bool) async throws -> AccessToken
}

/// Base64url without padding.
public enum Base64URL {
    /// Encodes `data`.
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes `text`, or nil.
    public static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
