import Foundation
import MailscopeCore

// The simulated tenant's objects. Values are snapshots: changing a returned value changes nothing
// in the tenant; use the tenant's mutation helpers.

/// A reference to a directory object that can be a group member or an Exchange recipient.
public enum DirectoryObjectReference: Sendable, Hashable {
    /// A user (person, room or the admin), by object id.
    case user(String)
    /// A group, by object id.
    case group(String)

    /// The object id.
    public var id: String {
        switch self {
        case .user(let id), .group(let id): id
        }
    }
}

/// A user object in Entra ID; room mailboxes are users too.
public struct DirectoryUser: Sendable, Equatable {
    /// The object id.
    public let id: String
    /// The display name.
    public var displayName: String
    /// The sign-in name.
    public var userPrincipalName: String
    /// The Exchange alias.
    public var mailNickname: String
    /// `SMTP:` (the primary) and `smtp:` (aliases) addresses.
    public var proxyAddresses: [String]
    /// `UserMailbox`, `RoomMailbox`, or nil when the user has no mailbox (unlicensed).
    public var recipientTypeDetails: String?
    /// Whether sign-in is enabled (false for rooms).
    public var accountEnabled: Bool
    /// Exchange's distinguished name; nil without a mailbox.
    public var distinguishedName: String?
    /// Exchange's own GUID of the recipient.
    public var exchangeGuid: String
    var createdAt: Date
    var sequence: Int
    /// The two-letter country where the user's services are used (needed before licensing).
    public var usageLocation: String?
    /// The SKU ids assigned to the user.
    public var assignedLicenses: [String]?
    /// `Guest` for an external user invited into the tenant; nil for a member (Graph's `userType`
    /// `Member`).
    public var userType: String? = nil

    /// The primary SMTP address (the `SMTP:` entry), if any.
    public var primarySmtpAddress: String? {
        proxyAddresses.first { $0.hasPrefix("SMTP:") }.map { String($0.dropFirst(5)) }
    }

    /// Whether this is a room mailbox.
    public var isRoom: Bool { recipientTypeDetails == "RoomMailbox" }
}

/// The kinds of group Entra and Exchange know.
public enum GroupKind: String, Sendable, Hashable, CaseIterable {
    /// A Microsoft 365 group (`groupTypes: ["Unified"]`); writable through Graph.
    case microsoft365
    /// A distribution list; read-only through Graph, managed through Exchange.
    case distribution
    /// A mail-enabled security group; read-only through Graph, managed through Exchange.
    case mailEnabledSecurity
    /// A cloud-only Entra security group; invisible to Exchange.
    case security

    /// Whether Exchange sees the group as a recipient.
    public var isMailEnabled: Bool { self != .security }
    /// Whether Graph may change it (create, add members).
    public var isWritableThroughGraph: Bool { self == .microsoft365 || self == .security }
}

/// A group in Entra ID (and, when mail-enabled, an Exchange recipient).
public struct DirectoryGroup: Sendable, Equatable {
    /// The object id (Exchange's `ExternalDirectoryObjectId`).
    public let id: String
    /// The display name.
    public var displayName: String
    /// Exchange's `Name` (unique among recipients).
    public var name: String
    /// The alias.
    public var mailNickname: String
    /// What kind of group it is.
    public var kind: GroupKind
    /// `SMTP:`/`smtp:` addresses (empty for security groups).
    public var proxyAddresses: [String]
    /// Exchange's distinguished name; nil for security groups.
    public var distinguishedName: String?
    /// Exchange's own GUID.
    public var exchangeGuid: String
    /// The description.
    public var description: String?
    var createdAt: Date
    var sequence: Int
    /// The owners' object ids (users or service principals); empty for a group created without
    /// owners by an app (an "anonymous" group).
    public var owners: [String] = []

    /// The primary SMTP address, if mail-enabled.
    public var primarySmtpAddress: String? {
        proxyAddresses.first { $0.hasPrefix("SMTP:") }.map { String($0.dropFirst(5)) }
    }

    /// Graph's `groupTypes`.
    public var groupTypes: [String] { kind == .microsoft365 ? ["Unified"] : [] }
    /// Graph's `mailEnabled`.
    public var mailEnabled: Bool { kind.isMailEnabled }
    /// Graph's `securityEnabled`.
    public var securityEnabled: Bool { kind == .mailEnabledSecurity || kind == .security }

    /// Exchange's `RecipientTypeDetails`, nil for security groups.
    public var recipientTypeDetails: String? {
        switch kind {
        case .microsoft365: "GroupMailbox"
        case .distribution: "MailUniversalDistributionGroup"
        case .mailEnabledSecurity: "MailUniversalSecurityGroup"
        case .security: nil
        }
    }
}

/// A client secret of an application. Only a hash of the secret is kept.
public struct PasswordCredential: Sendable, Equatable {
    /// The credential's id.
    public let keyId: String
    /// The label.
    public var displayName: String?
    /// The first three characters of the secret.
    public var hint: String
    /// Valid from.
    public var startDateTime: Date
    /// Valid until.
    public var endDateTime: Date
    let secretHash: String
    var createdAt: Date
}

/// A certificate of an application (`keyCredentials`).
public struct KeyCredential: Sendable, Equatable {
    /// The credential's id.
    public let keyId: String
    /// The label.
    public var displayName: String?
    /// Graph's `customKeyIdentifier` (Edm.Binary, so base64): the SHA-1 thumbprint's bytes unless
    /// the client sent its own.
    public var customKeyIdentifier: String
    /// `AsymmetricX509Cert`.
    public var type: String
    /// `Verify`.
    public var usage: String
    /// Valid from.
    public var startDateTime: Date
    /// Valid until.
    public var endDateTime: Date
    /// The certificate, DER-encoded.
    public var certificateDER: Data
    /// base64url SHA-256 of the DER (the assertion header's `x5t#S256`).
    var sha256Thumbprint: String
    /// base64url SHA-1 of the DER (the assertion header's `x5t`).
    var sha1Thumbprint: String
    /// The SHA-1 thumbprint in upper-case hex, as the Entra portal shows it.
    public var thumbprint: String
}

/// An application registration.
public struct RegisteredApplication: Sendable, Equatable {
    /// The object id.
    public let id: String
    /// The application (client) id.
    public let appId: String
    /// The display name.
    public var displayName: String
    /// The immutable unique name set by an upsert, if any.
    public var uniqueName: String?
    /// `AzureADMyOrg` and friends.
    public var signInAudience: String
    /// Free-text notes.
    public var notes: String?
    /// The description.
    public var description: String?
    /// Client secrets (hashes only).
    public var passwordCredentials: [PasswordCredential]
    /// Certificates.
    public var keyCredentials: [KeyCredential]
    /// Other writable properties, stored as sent.
    public var otherProperties: [String: JSONValue]
    var createdAt: Date
    var sequence: Int
}

/// An app role a resource service principal offers (an application permission).
public struct AppRole: Sendable, Equatable {
    /// The role id (`appRoleId` of assignments).
    public let id: String
    /// The permission name, e.g. `Calendars.Read`.
    public let value: String
    /// The display name.
    public let displayName: String
    /// `["Application"]` for application permissions.
    public let allowedMemberTypes: [String]
}

/// A service principal (Enterprise application).
public struct ServicePrincipal: Sendable, Equatable {
    /// The object id.
    public let id: String
    /// The application id it stands for.
    public let appId: String
    /// The display name.
    public var displayName: String
    /// The app roles it offers (resource service principals only).
    public var appRoles: [AppRole]
    /// Entra directory roles assigned to the service principal (by display name).
    public var directoryRoles: [String]
    /// The tenant that owns the application.
    public var appOwnerOrganizationId: String
    var createdAt: Date
    var sequence: Int
    /// Whether the app may sign in (`accountEnabled`; Entra admin center: "Enabled for users to
    /// sign in"). A disabled service principal gets no token.
    public var accountEnabled = true
}

/// A tenant-wide grant of an application permission (admin consent).
public struct AppRoleAssignment: Sendable, Equatable {
    /// The assignment id (opaque).
    public let id: String
    /// The granted role's id.
    public let appRoleId: String
    /// The client service principal.
    public let principalId: String
    /// Its display name.
    public var principalDisplayName: String
    /// The resource service principal.
    public let resourceId: String
    /// Its display name.
    public var resourceDisplayName: String
    /// The permission name (the role's `value`).
    public let permission: String
    /// When it was granted.
    public var createdDateTime: Date
}

/// Exchange's pointer to an Entra service principal (`New-ServicePrincipal`).
public struct ExchangeServicePrincipal: Sendable, Equatable {
    /// The application id.
    public let appId: String
    /// The Entra service principal's object id.
    public let objectId: String
    /// The display name.
    public var displayName: String
}

/// An Exchange management scope.
public struct ManagementScope: Sendable, Equatable {
    /// The name (the identity).
    public var name: String
    /// The OPATH recipient filter as written.
    public var recipientFilter: String
    /// Exchange's GUID.
    public let guid: String
    var filter: RecipientFilter
    /// Whether the scope is exclusive (`New-ManagementScope -Exclusive`). The simulated tenant's
    /// endpoints refuse to create one; `markScopeExclusive` makes one, as drift from outside.
    public var exclusive: Bool = false
}

/// An Exchange management role assignment of an application role to a service principal.
public struct ManagementRoleAssignment: Sendable, Equatable {
    /// The name (the identity), at most 64 characters.
    public var name: String
    /// The role, e.g. `Application Calendars.ReadWrite`.
    public var role: String
    /// The Entra service principal's object id.
    public var app: String
    /// The management scope's name, or nil for the whole organisation.
    public var customResourceScope: String?
    /// Whether it is enabled.
    public var enabled: Bool
    /// Exchange's GUID.
    public let guid: String
}

/// An Exchange Server (on-premises) management role assignment of a role to a user, e.g.
/// `New-ManagementRoleAssignment -Role ApplicationImpersonation -User svc -CustomRecipientWriteScope S`.
public struct UserRoleAssignment: Sendable, Equatable {
    /// The name (the identity), at most 64 characters; unique among all role assignments.
    public var name: String
    /// The role; the simulated Exchange Server assigns `ApplicationImpersonation`.
    public var role: String
    /// The object id of the user the role is assigned to.
    public var user: String
    /// The management scope's name, or nil for the whole organisation.
    public var customRecipientWriteScope: String?
    /// Whether it is enabled.
    public var enabled: Bool
    /// Exchange's GUID.
    public let guid: String
    /// The role group the role is assigned to (its name); `user` then holds the role group's GUID.
    /// Every member of the role group holds the role (office-docs-powershell
    /// exchange/exchange-ps/ExchangePowerShell/Get-ManagementRoleAssignment.md, "-GetEffectiveUsers").
    public var roleGroup: String? = nil
}

/// A management role group of Exchange Server (`New-RoleGroup`): its members hold every role
/// assigned to it. The Eptura and Nylas guides create one with ApplicationImpersonation and the
/// default, organisation-wide scope.
public struct RoleGroup: Sendable, Equatable, Codable {
    /// The name (the identity).
    public var name: String
    /// Exchange's GUID.
    public let guid: String
    /// The members' object ids.
    public var members: [String]
    /// The description.
    public var description: String?
}

/// An application access policy of Exchange Online (legacy; "App Access Policies are replaced by
/// Role Based Access Control for Applications", office-docs-powershell
/// exchange/exchange-ps/ExchangePowerShell/New-ApplicationAccessPolicy.md): it limits what an app's
/// Microsoft Entra permissions reach to the members of a group (`RestrictAccess`) or to everyone
/// but them (`DenyAccess`). Get-ApplicationAccessPolicy shows `Identity`, `Description`,
/// `ScopeName`, `AccessRight` and `AppID` (Get-ApplicationAccessPolicy.md, "-Identity").
public struct ApplicationAccessPolicy: Sendable, Equatable, Codable {
    /// `RestrictAccess` or `DenyAccess` (New-ApplicationAccessPolicy.md, "-AccessRight").
    public enum AccessRight: String, Sendable, Codable {
        /// The app reaches only the group's mailboxes.
        case restrictAccess = "RestrictAccess"
        /// The app reaches every mailbox but the group's.
        case denyAccess = "DenyAccess"
    }
    /// `<tenant id>\<app id>:<security identifier>;<recipient GUID>`, the shape of the cmdlet
    /// pages' examples.
    public let identity: String
    /// The app's ID (one policy per app, as `Format-List … AppID` shows it), or `*` for every app.
    public var appID: String
    /// The object id of the recipient the policy names (a security principal).
    public var scopeID: String
    /// The recipient's name (`ScopeName`).
    public var scopeName: String
    /// Restrict or deny.
    public var accessRight: AccessRight
    /// The description.
    public var description: String?
}

/// The state that decides what an app (Exchange Online) or a service account (Exchange Server's
/// `ApplicationImpersonation`) may do in mailboxes through Exchange RBAC: pointers, scopes, role
/// assignments and group memberships. Mailbox calls see a copy frozen at the start of a
/// propagation window until it ends.
struct RBACState: Sendable {
    var servicePrincipals: [String: ExchangeServicePrincipal] = [:]
    var scopes: [String: ManagementScope] = [:]
    var assignments: [String: ManagementRoleAssignment] = [:]
    /// On-premises role assignments to users, by lower-cased name.
    var userAssignments: [String: UserRoleAssignment] = [:]
    var memberships: [String: MemberList] = [:]
    /// Exchange Online's application access policies (legacy), by lower-cased identity.
    var accessPolicies: [String: ApplicationAccessPolicy] = [:]
    /// Exchange Server's management role groups, by lower-cased name.
    var roleGroups: [String: RoleGroup] = [:]
    /// FullAccess mailbox permissions: mailbox user id → the object ids that hold FullAccess on it.
    var fullAccess: [String: [String]] = [:]

    /// Whether any role assignment (to an app or a user) is named `name`, case-insensitively.
    func hasAssignment(named name: String) -> Bool {
        assignments[name.lowercased()] != nil || userAssignments[name.lowercased()] != nil
    }
}

/// A user's password as Active Directory keeps it: a salted SHA-256 for Basic sign-ins and the
/// NT hash (MD4 of the UTF-16LE password) that NTLM's challenge-response needs. The password itself
/// is not kept.
struct StoredPassword: Sendable, Equatable, Codable {
    /// 16 random bytes, hex.
    var salt: String
    /// SHA-256 of salt + UTF-8 password, hex.
    var sha256: String
    /// MD4(UTF-16LE(password)), hex.
    var ntHash: String
}

/// The direct members of one group, in the order they were added, with O(1) membership tests.
struct MemberList: Sendable, Equatable {
    private(set) var ordered: [DirectoryObjectReference] = []
    private var present: Set<String> = []

    var count: Int { ordered.count }

    func contains(_ id: String) -> Bool { present.contains(id) }

    @discardableResult
    mutating func insert(_ member: DirectoryObjectReference) -> Bool {
        guard present.insert(member.id).inserted else { return false }
        ordered.append(member)
        return true
    }

    @discardableResult
    mutating func remove(_ id: String) -> Bool {
        guard present.remove(id) != nil else { return false }
        ordered.removeAll { $0.id == id }
        return true
    }
}

// MARK: Snapshots

// Synthesised conformances (they must live in the file that declares the types), for
// `SimulatedTenant.snapshot()`. `ManagementScope`, `DirectoryObjectReference` and `MemberList`
// code themselves in Snapshot.swift.
extension DirectoryUser: Codable {}
extension GroupKind: Codable {}
extension DirectoryGroup: Codable {}
extension PasswordCredential: Codable {}
extension KeyCredential: Codable {}
extension RegisteredApplication: Codable {}
extension AppRole: Codable {}
extension ServicePrincipal: Codable {}
extension AppRoleAssignment: Codable {}
extension ExchangeServicePrincipal: Codable {}
extension ManagementRoleAssignment: Codable {}
extension UserRoleAssignment: Codable {}
