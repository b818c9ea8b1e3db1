import Foundation

/// How the simulated tenant is populated and how its services misbehave.
///
/// `SimulatedTenant` reads the population (`seed`, `userCount`, `roomCount`, `admin`) and
/// `propagationDelay`; `SimulatorServer` reads the rest per request. Pass the same value to both.
public struct SimulatorOptions: Sendable, Equatable {
    /// The seed of every random choice (object ids, secrets, faults, the propagation delay).
    public var seed: UInt64
    /// Who the tenant is (id, name, domains); Contoso unless a multi-tenant simulator numbers it.
    public var identity: TenantIdentity = .contoso
    /// How long Exchange RBAC changes take to reach mailbox calls; nil draws a seeded delay
    /// between 30 minutes and 2 hours for each propagation window (Microsoft's documented range).
    public var propagationDelay: Duration?
    /// The device code is approved on this token poll (1 = the first poll succeeds).
    public var deviceCodeApprovalPolls: Int
    /// The seconds between token polls the device-code answer asks for (`interval`; Entra: 5).
    public var deviceCodeInterval: Int = 5
    /// The lifetime of access tokens.
    public var tokenLifetime: Duration
    /// The lifetime token answers announce (`expires_in`) when it differs from `tokenLifetime`: a
    /// longer one makes tokens expire while the client still trusts them (401 mid-run).
    public var tokenAdvertisedLifetime: Duration? = nil
    /// How long a new directory object (application, service principal, group, secret) stays invisible
    /// to reads by id and to `$filter` results: 404 `Request_ResourceNotFound`, as in Entra's eventual
    /// consistency. Zero disables it.
    public var replicationLag: Duration
    /// The fraction of Graph and Exchange requests answered 429 with `Retry-After` (0...1).
    public var throttleRate: Double
    /// The `Retry-After` seconds of throttled and busy answers.
    public var retryAfterSeconds: Int
    /// The fraction of Graph and Exchange requests answered 503 (0...1).
    public var serverErrorRate: Double
    /// Added to every request before it is answered.
    public var latency: Duration
    /// Graph's page size when `$top` is absent (Graph: 100; `$top` is honoured up to 999).
    public var pageSize: Int
    /// Ordinary user mailboxes created at start (besides the admin).
    public var userCount: Int
    /// Room mailboxes created at start.
    public var roomCount: Int
    /// The admin who signs in with the device code.
    public var admin: AdminSettings
    /// For benchmarks: when positive, a distribution group `BenchUsers` (alias `benchusers`) with
    /// this many user mailboxes as direct members, spread evenly over the population (at most
    /// `userCount`). Zero (the default) leaves the population as it always was.
    public var benchGroupMembers: Int
    /// Whether Exchange Server's EWS endpoint accepts Basic sign-ins besides NTLM (an IIS setting);
    /// when false, its challenge offers NTLM only and Basic credentials are refused.
    public var ewsBasicAuthentication: Bool
    /// How long a change of the organisation's `EwsAllowedAppIDs` takes to reach EWS (Exchange
    /// Online); nil: the documented longest, 24 hours ("Changes to EwsAllowedAppIDs can take up to 24
    /// hours", David Barrett, Microsoft, PowerShell-EWS-Scripts wiki "Testing EWS App Access").
    public var ewsAllowListDelay: Duration?
    /// Transport faults, drawn per tenant request (login, Graph, Exchange, EWS) from their own seeded
    /// stream, after the request was applied: what a client sees when a proxy or the network breaks
    /// an exchange whose effect already happened. See `TransportFaults`.
    public var transportFaults: TransportFaults
    /// Simulator-only kill points for crash tests: hold the answer of the Nth write or probe
    /// forever, after applying it (`POST /_sim/hold-after` changes them while serving).
    public var hold: HoldPoints

    /// The name (and, lower-cased, the alias) of the group `benchGroupMembers` populates.
    public static let benchGroupName = "BenchUsers"

    /// Creates options; the defaults make a small, well-behaved tenant for the demo.
    public init(
        seed: UInt64 = 1,
        propagationDelay: Duration? = nil,
        deviceCodeApprovalPolls: Int = 2,
        tokenLifetime: Duration = .seconds(3600),
        replicationLag: Duration = .zero,
        throttleRate: Double = 0,
        retryAfterSeconds: Int = 2,
        serverErrorRate: Double = 0,
        latency: Duration = .zero,
        pageSize: Int = 100,
        userCount: Int = 12,
        roomCount: Int = 4,
        admin: AdminSettings = AdminSettings(),
        benchGroupMembers: Int = 0,
        ewsBasicAuthentication: Bool = true,
        ewsAllowListDelay: Duration? = nil,
        transportFaults: TransportFaults = TransportFaults(),
        hold: HoldPoints = HoldPoints()
    ) {
        self.seed = seed
        self.propagationDelay = propagationDelay
        self.deviceCodeApprovalPolls = deviceCodeApprovalPolls
        self.tokenLifetime = tokenLifetime
        self.replicationLag = replicationLag
        self.throttleRate = throttleRate
        self.retryAfterSeconds = retryAfterSeconds
        self.serverErrorRate = serverErrorRate
        self.latency = latency
        self.pageSize = pageSize
        self.userCount = userCount
        self.roomCount = roomCount
        self.admin = admin
        self.benchGroupMembers = benchGroupMembers
        self.ewsBasicAuthentication = ewsBasicAuthentication
        self.ewsAllowListDelay = ewsAllowListDelay
        self.transportFaults = transportFaults
        self.hold = hold
    }
}

/// Faults below HTTP, each a fraction (0...1) of tenant requests. The request is applied first,
/// so a write's effect stays even though its answer is lost.
public struct TransportFaults: Sendable, Equatable {
    /// The connection is closed without a byte of answer (curl: "Empty reply from server").
    public var resetRate: Double
    /// The answer is held `stallDuration`, then the connection closed without one: longer than
    /// the client's timeout, it times out.
    public var stallRate: Double
    /// How long a stalled answer is held.
    public var stallDuration: Duration
    /// The head announces the whole body (`Content-Length`) but only its first half is sent
    /// before the connection closes (curl: "transfer closed with N bytes remaining").
    public var truncateRate: Double
    /// A complete answer (its own status, a consistent `Content-Length`) whose body is only the
    /// first half of the JSON or XML: not parseable.
    public var malformedRate: Double

    /// No transport faults.
    public init(
        resetRate: Double = 0, stallRate: Double = 0, stallDuration: Duration = .seconds(5), truncateRate: Double = 0,
        malformedRate: Double = 0
    ) {
        self.resetRate = resetRate
        self.stallRate = stallRate
        self.stallDuration = stallDuration
        self.truncateRate = truncateRate
        self.malformedRate = malformedRate
    }

    /// Whether any fault is enabled.
    public var isEnabled: Bool { resetRate > 0 || stallRate > 0 || truncateRate > 0 || malformedRate > 0 }
}

/// Requests whose answer the simulator holds forever, after applying them: the worst moment to
/// kill a client (the tenant changed, the client never learnt it). Counted from the server's start.
public struct HoldPoints: Sendable, Equatable {
    /// Hold the answer of the Nth write (1-based): a Graph POST/PATCH/PUT/DELETE other than `$batch`,
    /// an Exchange `InvokeCommand` of a cmdlet that is not `Get-*`/`Test-*`, or an Exchange
    /// Management Shell step (`POST /_sim/ems`).
    public var afterWrite: Int?
    /// Hold the answer of the Kth probe (1-based): `Test-*` through `InvokeCommand`, a Graph read of
    /// a mailbox's content (`/users/{id}/calendar`, `messages`, `contacts`, `mailboxSettings`), or
    /// an EWS request with an `ExchangeImpersonation` header — what the propagation wait polls.
    public var afterProbe: Int?

    /// No holds.
    public init(afterWrite: Int? = nil, afterProbe: Int? = nil) {
        self.afterWrite = afterWrite
        self.afterProbe = afterProbe
    }
}

/// The admin account that the device-code sign-in signs in.
public struct AdminSettings: Sendable, Equatable {
    /// The admin's user principal name; its domain should be `contoso.com`.
    public var userPrincipalName: String
    /// The admin's display name.
    public var displayName: String
    /// Entra directory roles by display name (`Global Administrator`, `Exchange Administrator`, …).
    public var directoryRoles: [String]

    /// Creates admin settings; by default admin@contoso.com, Global Administrator.
    public init(
        userPrincipalName: String = "admin@contoso.com", displayName: String = "Contoso Admin",
        directoryRoles: [String] = ["Global Administrator"]
    ) {
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.directoryRoles = directoryRoles
    }
}
