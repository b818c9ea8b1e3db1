import Foundation
import MailscopeCore

/// Delegated sign-in as an admin through the device-code flow. The refresh token is kept in memory
/// only, and used to get the second resource's token without a second prompt.
public actor DeviceCodeSession: AccessTokenProvider {
    /// Microsoft Graph Command Line Tools: a public client admins already use for Graph.
    public static let graphCommandLineTools = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
    /// The ExchangeOnlineManagement module's public client, for the Exchange resource.
    public static let exchangeOnlineManagement = "fb78d390-0c51-40cd-8e17-fdbfab77341b"

    /// The delegated Graph scopes asked for when the caller names none (every stage of a setup
    /// with a distribution group and no mailbox user; the engine asks per config).
    public static let graphScopes = [
        "User.Read", "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "User.Read.All",
        "GroupMember.Read.All", "RoleManagement.Read.Directory", "RoleManagement.ReadWrite.Exchange",
    ]

    private let identity: IdentityClient
    private let requestedGraphScopes: [String]
    private let clientID: String
    private let exchangeClientID: String
    private var prompt: @Sendable (DeviceCodeGrant) -> Void
    private var refreshTokens: [String: Secret] = [:]
    private var cache: [Resource: AccessToken] = [:]
    private let pending = SingleFlight<Resource, AccessToken>()

    /// Creates a session; `prompt` is called with each device code the admin must enter.
    public init(
        identity: IdentityClient,
        clientID: String = DeviceCodeSession.graphCommandLineTools,
        exchangeClientID: String = DeviceCodeSession.exchangeOnlineManagement,
        graphScopes: [String] = DeviceCodeSession.graphScopes,
        prompt: @escaping @Sendable (DeviceCodeGrant) -> Void
    ) {
        self.identity = identity
        self.requestedGraphScopes = graphScopes
        self.clientID = clientID
        self.exchangeClientID = exchangeClientID
        self.prompt = prompt
    }

    public func token(for resource: Resource, forceRefresh: Bool) async throws -> AccessToken {
        if !forceRefresh, let cached = cache[resource], cached.expiresAt.timeIntervalSince(identity.now) > 120 {
            return cached
        }
        return try await pending.run(resource) { try await self.fetch(resource) }
    }

    /// Where the next device code goes (a session kept across runs prompts in the current one).
    public func setPrompt(_ prompt: @escaping @Sendable (DeviceCodeGrant) -> Void) { self.prompt = prompt }

    private func fetch(_ resource: Resource) async throws -> AccessToken {
        let scope = identity.endpoints.defaultScope(for: resource)
        let client = resource == .graph ? clientID : exchangeClientID
        // A refresh token from either client may be redeemable for this resource; try before prompting.
        for (owner, refresh) in refreshTokens.sorted(by: { a, _ in a.key == client }) {
            if let set = try? await identity.refresh(clientID: owner, refreshToken: refresh, scope: scope) {
                return store(set, resource: resource, client: owner)
            }
        }
        let scopes: [String]
        if resource == .graph {
            let base = identity.endpoints.graph.absoluteString.trimmingSlash
            scopes = requestedGraphScopes.map { "\(base)/\($0)" } + ["offline_access", "openid", "profile"]
        } else {
            scopes = [scope, "offline_access", "openid", "profile"]
        }
        let grant = try await identity.startDeviceCode(clientID: client, scopes: scopes)
        prompt(grant)
        let set = try await identity.completeDeviceCode(grant, clientID: client)
        return store(set, resource: resource, client: client)
    }

    private func store(_ set: TokenSet, resource: Resource, client: String) -> AccessToken {
        if let refresh = set.refreshToken { refreshTokens[client] = refresh }
        cache[resource] = set.accessToken
        return set.accessToken
    }
}

/// App-only sign-in with client credentials (a secret or a certificate), for unattended runs and
/// for the connect stage's calls as the service account itself.
public actor ClientCredentialSession: AccessTokenProvider {
    private let identity: IdentityClient
    private let clientID: String
    private let credential: ClientCredential
    private var cache: [Resource: AccessToken] = [:]
    private let pending = SingleFlight<Resource, AccessToken>()

    /// Creates a session for the app `clientID`.
    public init(identity: IdentityClient, clientID: String, credential: ClientCredential) {
        self.identity = identity
        self.clientID = clientID
        self.credential = credential
    }

    public func token(for resource: Resource, forceRefresh: Bool) async throws -> AccessToken {
        if !forceRefresh, let cached = cache[resource], cached.expiresAt.timeIntervalSince(identity.now) > 120 {
            return cached
        }
        return try await pending.run(resource) { try await self.fetch(resource) }
    }

    private func fetch(_ resource: Resource) async throws -> AccessToken {
        let set = try await identity.clientCredentials(
            clientID: clientID,
            credential: credential,
            scope: identity.endpoints.defaultScope(for: resource)
        )
        cache[resource] = set.accessToken
        return set.accessToken
    }

    /// Forgets cached tokens (after the app's permissions changed).
    public func reset() { cache.removeAll() }
}

/// Runs one fetch per key at a time: callers that ask while a fetch for the same key is under way
/// wait for its result instead of starting another (two concurrent stages needing the same token
/// make one token request, and never two device-code prompts).
actor SingleFlight<Key: Hashable & Sendable, Value: Sendable> {
    private var running: [Key: Task<Value, any Error>] = [:]

    func run(_ key: Key, _ fetch: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let task = running[key] { return try await task.value }
        let task = Task { try await fetch() }
        running[key] = task
        defer { running[key] = nil }
        return try await task.value
    }
}

/// Sign-in sessions kept for the life of a process (memory only, never written anywhere), so one
/// admin signs in once per wizard however often a run is started again: going back from the plan,
/// or leaving the wait and resuming it.
public final class TokenSessionCache: @unchecked Sendable {
    private let lock = NSLock()
    private var sessions: [String: DeviceCodeSession] = [:]

    /// An empty cache.
    public init() {}

    /// The session kept under `key`, or the one `make` creates (then kept).
    public func deviceCodeSession(_ key: String, make: () -> DeviceCodeSession) -> (session: DeviceCodeSession, reused: Bool) {
        lock.withLock {
            if let kept = sessions[key] { return (kept, true) }
            let session = make()
            sessions[key] = session
            return (session, false)
        }
    }
}
