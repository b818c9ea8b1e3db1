import Foundation
import MailscopeCore

/// The in-memory state of one simulated Microsoft 365 tenant (Contoso): Entra ID's users, groups,
/// applications, service principals and grants, and Exchange Online's recipients, service
/// principal pointers, management scopes and role assignments.
///
/// `SimulatorServer` serves it over HTTP; tests inspect and change it directly through the helpers
/// in the extensions (for example to create drift: remove a group member, grant a tenant-wide
/// permission, delete a scope). Time comes from the injected clock, randomness from the seed.
public actor SimulatedTenant {
    /// The default tenant's id (`tid`): `TenantIdentity.contoso`, what a one-tenant simulator serves.
    public static let tenantID = TenantIdentity.contoso.tenantID
    /// The default tenant's display name.
    public static let organizationName = TenantIdentity.contoso.organizationName
    /// The default tenant's default verified domain.
    public static let defaultDomain = TenantIdentity.contoso.defaultDomain
    /// The default tenant's initial `onmicrosoft.com` domain.
    public static let initialDomain = TenantIdentity.contoso.initialDomain
    /// Microsoft Graph's application id.
    public static let graphAppID = Catalog.graphAppID
    /// Office 365 Exchange Online's application id.
    public static let exchangeAppID = Catalog.exchangeAppID

    /// The clock every date comes from.
    public nonisolated let clock: WallClock
    /// The options the tenant was populated with.
    public nonisolated let options: SimulatorOptions
    /// Who this tenant is: its id and domains (`options.identity`).
    public nonisolated var identity: TenantIdentity { options.identity }

    let issuer: TokenIssuer
    var identifiers: SeededGenerator
    var faultGenerator: SeededGenerator
    var requestIdentifiers: SeededGenerator
    var propagationGenerator: SeededGenerator
    /// Salts of passwords and NTLM server challenges (Exchange Server).
    var onPremisesGenerator: SeededGenerator
    var directory: Directory
    var registry: AppRegistry
    var admin: AdminAccount
    /// The live Exchange RBAC state (what `Test-ServicePrincipalAuthorization` sees).
    var rbac: RBACState
    /// What mailbox calls see during a propagation window, and when the window ends.
    var frozenRBAC: (state: RBACState, until: Date)?
    /// The organisation's EWS settings (Exchange Online), with a list change in flight.
    var organizationEWS = OrganizationEWSState(live: .populated)
    var deviceCodes: [String: DeviceCodeRecord] = [:]
    var refreshTokens: [String: RefreshTokenRecord] = [:]
    var deviceCodeOutcome: DeviceCodeOutcome = .approve
    /// Every base URL the tenant has been served at (kept across snapshots), so that a token issued
    /// for an earlier server's URL stays valid after a restart on another port.
    var servedBases: [URL] = []
    /// Exchange Server sign-in passwords by user object id (`New-Mailbox -Password`, `setPassword`).
    var passwords: [String: StoredPassword] = [:]
    /// NTLM handshakes waiting for their AUTHENTICATE message, by TCP connection (`ip:port`).
    /// Not part of snapshots: a handshake lives as long as its connection.
    var ntlmHandshakes: [String: NTLMHandshake] = [:]
    /// How many more signed-in EWS requests answer `ErrorServerBusy`, and the back-off they ask for
    /// (`answerEWSServerBusy(times:backOff:)`). Not part of snapshots.
    var ewsBusyAnswers: (remaining: Int, backOff: Duration) = (0, .zero)

    /// Creates and populates a tenant from `options` (seed, population sizes, admin, propagation delay).
    public init(options: SimulatorOptions = SimulatorOptions(), clock: WallClock = .system) {
        self.clock = clock
        self.options = options
        issuer = TokenIssuer(seed: options.seed)
        var population = SeededGenerator(seed: options.seed, stream: 1)
        let result = Population.build(options: options, generator: &population, now: clock.now)
        directory = result.directory
        registry = result.registry
        rbac = result.rbac
        admin = result.admin
        identifiers = SeededGenerator(seed: options.seed, stream: 2)
        faultGenerator = SeededGenerator(seed: options.seed, stream: 3)
        requestIdentifiers = SeededGenerator(seed: options.seed, stream: 4)
        propagationGenerator = SeededGenerator(seed: options.seed, stream: 5)
        onPremisesGenerator = SeededGenerator(seed: options.seed, stream: 6)
    }

    /// Rebuilds a tenant from a snapshot already checked against `options` (see `init(restoring:options:clock:)`).
    init(snapshot: TenantSnapshot, options: SimulatorOptions, clock: WallClock) {
        self.clock = clock
        self.options = options
        issuer = TokenIssuer(seed: options.seed)
        directory = Directory(users: snapshot.users, groups: snapshot.groups, lastSequence: snapshot.lastSequence)
        registry = AppRegistry(
            applications: snapshot.applications, servicePrincipals: snapshot.servicePrincipals, grants: snapshot.grants)
        for grant in snapshot.permissionGrants ?? [] { registry.store(grant) }
        admin = snapshot.admin
        rbac = snapshot.rbac
        frozenRBAC = snapshot.frozenRBAC.map { ($0.state, $0.until) }
        identifiers = snapshot.generators.identifiers
        faultGenerator = snapshot.generators.faults
        requestIdentifiers = snapshot.generators.requestIdentifiers
        propagationGenerator = snapshot.generators.propagation
        onPremisesGenerator = snapshot.generators.onPremises ?? SeededGenerator(seed: options.seed, stream: 6)
        refreshTokens = snapshot.refreshTokens
        servedBases = snapshot.servedBases
        passwords = snapshot.passwords ?? [:]
        organizationEWS = snapshot.organizationEWS ?? OrganizationEWSState(live: .populated)
    }

    /// The current time.
    var now: Date { clock.now }

    /// A new seeded GUID.
    func newGUID() -> String { identifiers.guid() }

    /// A new opaque id shaped like Entra's app role assignment ids (43 base64url characters).
    func newOpaqueID() -> String {
        Base64URL.encode(Data((0..<32).map { _ in UInt8(truncatingIfNeeded: identifiers.next()) }))
    }

    /// A new request id for a response.
    func newRequestID() -> String { requestIdentifiers.guid() }

    /// Whether an object created at `createdAt` is visible to reads yet, under replication lag `lag`.
    func isReplicated(_ createdAt: Date, lag: Duration) -> Bool {
        lag <= .zero || now >= createdAt.addingTimeInterval(lag.timeInterval)
    }

    // MARK: Propagation of Exchange RBAC changes

    /// Call before changing anything in `rbac` that mailbox calls depend on: opens (or extends)
    /// the propagation window, keeping the state from before the first change of the window.
    func beginRBACChange() {
        let delay = options.propagationDelay ?? propagationGenerator.duration(in: .seconds(30 * 60)...Duration.seconds(2 * 3600))
        let until = now.addingTimeInterval(delay.timeInterval)
        if let frozen = frozenRBAC, now < frozen.until {
            frozenRBAC = (frozen.state, max(frozen.until, until))
        } else {
            frozenRBAC = (rbac, until)
        }
    }

    /// The RBAC state mailbox calls see now.
    var propagatedRBAC: RBACState {
        if let frozen = frozenRBAC, now < frozen.until { return frozen.state }
        return rbac
    }

    /// Whether the group `id` is used by a management scope (live or propagating), so that a change
    /// of its members is an RBAC change.
    func isScopeGroup(_ id: String) -> Bool {
        guard let dn = directory.groups[id]?.distinguishedName.map(Directory.normalizedDN) else { return false }
        let states = [rbac] + (frozenRBAC.map { [$0.state] } ?? [])
        return states.contains { state in
            state.scopes.values.contains { scope in
                scope.filter.referencedGroups.contains { Directory.normalizedDN($0) == dn }
            }
        }
    }

    /// Adds `member` to group `groupID` (no checks); a change of a scope's group opens a propagation window.
    @discardableResult
    func insertMember(_ member: DirectoryObjectReference, into groupID: String) -> Bool {
        guard rbac.memberships[groupID]?.contains(member.id) != true else { return false }
        if isScopeGroup(groupID) { beginRBACChange() }
        rbac.memberships[groupID, default: MemberList()].insert(member)
        return true
    }

    /// Removes `memberID` from group `groupID`; a change of a scope's group opens a propagation window.
    @discardableResult
    func deleteMember(_ memberID: String, from groupID: String) -> Bool {
        guard rbac.memberships[groupID]?.contains(memberID) == true else { return false }
        if isScopeGroup(groupID) { beginRBACChange() }
        rbac.memberships[groupID]?.remove(memberID)
        return true
    }

    // MARK: Effective access

    /// Whether a mailbox user matches `scope` under `state`'s memberships.
    func scope(_ scope: ManagementScope, contains user: DirectoryUser, in state: RBACState) -> Bool {
        scope.filter.matches(recipientTypeDetails: user.recipientTypeDetails) { dn in
            guard let group = directory.group(distinguishedName: dn) else { return false }
            return state.memberships[group.id]?.contains(user.id) ?? false
        }
    }

    /// The role assignments of the service principal `objectID` in `state` that grant one of
    /// `permissions` and whose scope contains `user`.
    func grantingAssignments(
        objectID: String, user: DirectoryUser, permissions: Set<String>, in state: RBACState
    ) -> [ManagementRoleAssignment] {
        guard state.servicePrincipals[objectID] != nil else { return [] }
        return state.assignments.values.filter { assignment in
            guard assignment.app == objectID, assignment.enabled,
                let role = Catalog.applicationRole(named: assignment.role),
                !permissions.isDisjoint(with: role.permissions)
            else { return false }
            guard let scopeName = assignment.customResourceScope else { return true }
            guard let scope = state.scopes[scopeName.lowercased()] else { return false }
            return self.scope(scope, contains: user, in: state)
        }
    }

    /// Whether an app-only caller may use `permissions` in `user`'s mailbox: a tenant-wide Entra grant
    /// in the token's roles, or a propagated Exchange role assignment whose scope contains the mailbox.
    /// Application access policies limit only the Entra grants: "Application Access Policies
    /// constrain ONLY the permissions assigned in Microsoft Entra ID", and the two authorities are a
    /// union (application-rbac page, MicrosoftDocs/OfficeDocs-Exchange-pr
    /// Exchange/ExchangeOnline/permissions-exo/application-rbac.md, FAQ "How does RBAC for
    /// Applications work alongside Application Access Policies?").
    func mayAccess(mailbox user: DirectoryUser, roles: [String], appID: String, permissions: Set<String>) -> Bool {
        if !permissions.isDisjoint(with: roles), accessPolicyAllows(appID: appID, userID: user.id, in: propagatedRBAC) {
            return true
        }
        guard let servicePrincipal = registry.servicePrincipal(appID: appID) else { return false }
        return !grantingAssignments(objectID: servicePrincipal.id, user: user, permissions: permissions, in: propagatedRBAC)
            .isEmpty
    }
}

/// Who a simulated tenant is: its id (`tid`), organisation name and verified domains. A simulator
/// serves one tenant by default (`contoso`) or several at once (`numbered(_:)`), told apart as
/// Microsoft's services tell them apart: the identity platform and the Exchange admin API by the
/// tenant in the path (its id or any verified domain), Graph by the access token's `tid` claim.
public struct TenantIdentity: Sendable, Equatable, Hashable {
    /// The tenant id, a GUID (the `tid` claim of its tokens).
    public var tenantID: String
    /// The organisation's display name.
    public var organizationName: String
    /// The default verified domain: every mailbox's primary address is at it.
    public var defaultDomain: String
    /// The initial `onmicrosoft.com` domain.
    public var initialDomain: String

    /// A tenant identity.
    public init(tenantID: String, organizationName: String, defaultDomain: String, initialDomain: String) {
        self.tenantID = tenantID
        self.organizationName = organizationName
        self.defaultDomain = defaultDomain
        self.initialDomain = initialDomain
    }

    /// The default tenant: Contoso, `contoso.com`.
    public static let contoso = TenantIdentity(
        tenantID: "4a7c9e21-3b5d-4f68-8e1a-2c6b9d0f7e53", organizationName: "Contoso", defaultDomain: "contoso.com",
        initialDomain: "contoso.onmicrosoft.com")

    /// The `number`th tenant of a multi-tenant simulator: 1 is `contoso`; 2, 3, … are Contoso 02,
    /// `contoso02.com`, `contoso02.onmicrosoft.com`, with a tenant id that differs from Contoso's in
    /// its last twelve digits.
    public static func numbered(_ number: Int) -> TenantIdentity {
        guard number > 1 else { return .contoso }
        let suffix = number < 10 ? "0\(number)" : "\(number)"
        let serial = String(number)
        let node = String(repeating: "0", count: max(0, 12 - serial.count)) + serial
        return TenantIdentity(
            tenantID: "4a7c9e21-3b5d-4f68-8e1a-\(node)", organizationName: "Contoso \(suffix)",
            defaultDomain: "contoso\(suffix).com", initialDomain: "contoso\(suffix).onmicrosoft.com")
    }

    /// Whether `name` (a tenant id or a verified domain, any case) names this tenant.
    public func isNamed(_ name: String) -> Bool {
        let key = name.lowercased()
        return key == tenantID.lowercased() || key == defaultDomain.lowercased() || key == initialDomain.lowercased()
    }
}

/// What happens when a device code is polled.
public enum DeviceCodeOutcome: Sendable, Equatable {
    /// The admin approves after `SimulatorOptions.deviceCodeApprovalPolls` polls.
    case approve
    /// The admin declines (`authorization_declined`).
    case decline
    /// The admin never finishes; the code expires after 15 minutes (`expired_token`).
    case abandon
}

/// A device code handed out and not yet redeemed.
struct DeviceCodeRecord: Sendable {
    var clientID: String
    var scopes: [String]
    var userCode: String
    var expiresAt: Date
    var polls: Int
    var redeemed: Bool
}

/// A refresh token handed out.
struct RefreshTokenRecord: Sendable, Codable {
    var clientID: String
    var userID: String
    /// The delegated permissions the user consented to for this client, by resource: what a later
    /// `/.default` request of the same client returns besides the resource's defaults ("the
    /// /.default scope … includes the permissions the user has consented to", entra-docs
    /// identity-platform/scopes-oidc.md, "The /.default scope"). Absent in older snapshots.
    var consented: [String: [String]]?
}
