import Foundation
import MailscopeCore

/// Why a snapshot was not restored. The caller should start a fresh tenant instead.
public enum TenantSnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The snapshot was written in another format version.
    case unsupportedVersion(Int)
    /// The snapshot is of a tenant populated from other options (seed, user or room count, admin).
    case differentPopulation

    public var description: String {
        switch self {
        case .unsupportedVersion(let version):
            "the tenant snapshot has format version \(version); this build reads version \(SimulatedTenant.snapshotFormatVersion)"
        case .differentPopulation:
            "the tenant snapshot was taken of a tenant with another seed or population"
        }
    }
}

extension SimulatedTenant {
    /// The version of the snapshot format `snapshot()` writes and `init(restoring:options:clock:)` reads.
    public static let snapshotFormatVersion = 1

    /// The tenant's state as JSON, for `init(restoring:options:clock:)` in a later process: the
    /// directory, applications (with secret hashes and certificates), service principals, grants,
    /// the admin, Exchange's pointers, scopes, role assignments (to apps and, on-premises, to
    /// users), group memberships, Exchange Server passwords (hashes only), the open
    /// propagation window with its end date, the seeded generators, refresh tokens and the base URLs
    /// the tenant was served at. Pending device codes are left out (they expire in 15 minutes).
    public func snapshot() throws -> Data {
        let snapshot = TenantSnapshot(
            formatVersion: Self.snapshotFormatVersion, population: PopulationKey(options),
            users: users(), groups: groups(), lastSequence: directory.nextSequence,
            applications: applications(), servicePrincipals: servicePrincipals(),
            grants: registry.grantOrder.compactMap { registry.grants[$0] },
            permissionGrants: registry.permissionGrantOrder.isEmpty
                ? nil : registry.permissionGrantOrder.compactMap { registry.permissionGrants[$0] },
            admin: admin, rbac: rbac,
            frozenRBAC: frozenRBAC.map { FrozenRBAC(state: $0.state, until: $0.until) },
            generators: Generators(
                identifiers: identifiers, faults: faultGenerator, requestIdentifiers: requestIdentifiers,
                propagation: propagationGenerator, onPremises: onPremisesGenerator),
            refreshTokens: refreshTokens, servedBases: servedBases, passwords: passwords.isEmpty ? nil : passwords,
            organizationEWS: organizationEWS)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Dates keep Foundation's default coding (seconds since 2001 as a double), which round-trips exactly.
        return try encoder.encode(snapshot)
    }

    /// Rebuilds a tenant from `snapshot()`'s data. Time continues on `clock`, so an open propagation
    /// window ends at the same wall time as before. Tokens issued before still validate (the signing
    /// key derives from the seed), also when the new server listens on another port.
    ///
    /// Throws `TenantSnapshotError` when the snapshot has another format version or was taken of a
    /// tenant with another seed or population (`options` must populate the same tenant), and a
    /// `DecodingError` when the data is not a snapshot.
    public init(restoring data: Data, options: SimulatorOptions, clock: WallClock) throws {
        let decoder = JSONDecoder()
        let header = try decoder.decode(TenantSnapshot.Header.self, from: data)
        guard header.formatVersion == Self.snapshotFormatVersion else {
            throw TenantSnapshotError.unsupportedVersion(header.formatVersion)
        }
        guard header.population == PopulationKey(options) else { throw TenantSnapshotError.differentPopulation }
        self.init(snapshot: try decoder.decode(TenantSnapshot.self, from: data), options: options, clock: clock)
    }
}

/// The options that decide the initial population; a snapshot restores only into a tenant whose
/// options agree on them.
struct PopulationKey: Codable, Equatable {
    /// The seed in decimal (a string: JSON numbers lose 64-bit precision in many readers).
    var seed: String
    var userCount: Int
    var roomCount: Int
    var adminUserPrincipalName: String
    var adminDisplayName: String
    var adminDirectoryRoles: [String]
    /// `SimulatorOptions.benchGroupMembers`, absent when zero (so snapshots taken before the option
    /// existed still restore).
    var benchGroupMembers: Int?

    init(_ options: SimulatorOptions) {
        seed = String(options.seed)
        userCount = options.userCount
        roomCount = options.roomCount
        adminUserPrincipalName = options.admin.userPrincipalName
        adminDisplayName = options.admin.displayName
        adminDirectoryRoles = options.admin.directoryRoles
        benchGroupMembers = options.benchGroupMembers > 0 ? options.benchGroupMembers : nil
    }
}

/// The top-level, versioned container `SimulatedTenant.snapshot()` writes.
struct TenantSnapshot: Codable {
    /// What is read first, to refuse a snapshot before decoding the rest.
    struct Header: Decodable {
        var formatVersion: Int
        var population: PopulationKey
    }

    var formatVersion: Int
    var population: PopulationKey
    /// Users and groups in creation order; the directory's indexes are rebuilt from them.
    var users: [DirectoryUser]
    var groups: [DirectoryGroup]
    /// The last creation sequence number handed out.
    var lastSequence: Int
    /// Applications, service principals and grants in creation order.
    var applications: [RegisteredApplication]
    var servicePrincipals: [ServicePrincipal]
    var grants: [AppRoleAssignment]
    /// Delegated permission grants in creation order; absent when there are none.
    var permissionGrants: [OAuth2PermissionGrant]?
    var admin: AdminAccount
    var rbac: RBACState
    var frozenRBAC: FrozenRBAC?
    var generators: Generators
    var refreshTokens: [String: RefreshTokenRecord]
    var servedBases: [URL]
    /// Exchange Server passwords (salted SHA-256 and NT hash) by user id; absent when none was set.
    var passwords: [String: StoredPassword]?
    /// The organisation's EWS settings; absent from snapshots taken before they were modelled.
    var organizationEWS: OrganizationEWSState?
}

/// What mailbox calls see during a propagation window, and when it ends.
struct FrozenRBAC: Codable {
    var state: RBACState
    var until: Date
}

/// The states of the tenant's seeded generators.
struct Generators: Codable {
    var identifiers: SeededGenerator
    var faults: SeededGenerator
    var requestIdentifiers: SeededGenerator
    var propagation: SeededGenerator
    /// Password salts and NTLM challenges; absent from snapshots taken before Exchange Server existed.
    var onPremises: SeededGenerator?
}

extension ManagementScope: Codable {
    private enum CodingKeys: String, CodingKey {
        case name, recipientFilter, guid, exclusive
    }

    /// Decodes a scope, parsing its recipient filter from the text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .recipientFilter)
        let filter: RecipientFilter
        do {
            filter = try RecipientFilter.parse(text)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .recipientFilter, in: container, debugDescription: error.message)
        }
        self.init(
            name: try container.decode(String.self, forKey: .name), recipientFilter: text,
            guid: try container.decode(String.self, forKey: .guid), filter: filter,
            exclusive: try container.decodeIfPresent(Bool.self, forKey: .exclusive) ?? false)
    }

    /// Encodes the name, the filter as written and the GUID.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(recipientFilter, forKey: .recipientFilter)
        try container.encode(guid, forKey: .guid)
        if exclusive { try container.encode(exclusive, forKey: .exclusive) }
    }
}

extension DirectoryObjectReference: Codable {
    private enum CodingKeys: String, CodingKey {
        case kind, id
    }

    /// Decodes `{"kind": "user" | "group", "id": …}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let id = try container.decode(String.self, forKey: .id)
        switch try container.decode(String.self, forKey: .kind) {
        case "user": self = .user(id)
        case "group": self = .group(id)
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container, debugDescription: "A member is a user or a group, not \(other).")
        }
    }

    /// Encodes `{"kind": "user" | "group", "id": …}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .user(let id):
            try container.encode("user", forKey: .kind)
            try container.encode(id, forKey: .id)
        case .group(let id):
            try container.encode("group", forKey: .kind)
            try container.encode(id, forKey: .id)
        }
    }
}

extension RBACState: Codable {
    private enum CodingKeys: String, CodingKey {
        case servicePrincipals, scopes, assignments, userAssignments, memberships, accessPolicies, roleGroups, fullAccess
    }

    /// Decodes the state; `userAssignments` is absent from snapshots taken before on-premises
    /// role assignments existed.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        servicePrincipals = try container.decode([String: ExchangeServicePrincipal].self, forKey: .servicePrincipals)
        scopes = try container.decode([String: ManagementScope].self, forKey: .scopes)
        assignments = try container.decode([String: ManagementRoleAssignment].self, forKey: .assignments)
        userAssignments =
            try container.decodeIfPresent([String: UserRoleAssignment].self, forKey: .userAssignments) ?? [:]
        memberships = try container.decode([String: MemberList].self, forKey: .memberships)
        accessPolicies =
            try container.decodeIfPresent([String: ApplicationAccessPolicy].self, forKey: .accessPolicies) ?? [:]
        roleGroups = try container.decodeIfPresent([String: RoleGroup].self, forKey: .roleGroups) ?? [:]
        fullAccess = try container.decodeIfPresent([String: [String]].self, forKey: .fullAccess) ?? [:]
    }

    /// Encodes the state; `userAssignments` only when there are any, so snapshots of tenants that
    /// never used them stay as they were.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(servicePrincipals, forKey: .servicePrincipals)
        try container.encode(scopes, forKey: .scopes)
        try container.encode(assignments, forKey: .assignments)
        if !userAssignments.isEmpty { try container.encode(userAssignments, forKey: .userAssignments) }
        try container.encode(memberships, forKey: .memberships)
        if !accessPolicies.isEmpty { try container.encode(accessPolicies, forKey: .accessPolicies) }
        if !roleGroups.isEmpty { try container.encode(roleGroups, forKey: .roleGroups) }
        if !fullAccess.isEmpty { try container.encode(fullAccess, forKey: .fullAccess) }
    }
}

extension MemberList: Codable {
    /// Decodes the members in the order they were added.
    init(from decoder: any Decoder) throws {
        self.init()
        for member in try decoder.singleValueContainer().decode([DirectoryObjectReference].self) { insert(member) }
    }

    /// Encodes the members in the order they were added.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(ordered)
    }
}
