import Foundation
import MailscopeCore

/// What the stages have learned about the tenant so far in this run.
struct Facts: Sendable {
    var appObjectID: String?
    var appID: String?
    var application: JSONValue?
    var servicePrincipalID: String?
    /// The vendor's own app (`service_account.app_id`), as its service principal in this tenant shows it.
    var vendorApp: VendorApp?
    /// Delegated access: the redirect URIs, declared permissions and admin consent, once read.
    var delegated: DelegatedState?
    /// Delegated access: tenant-wide application permissions found on the app (each named), if any.
    var delegatedExposure: [String] = []
    /// Whether Exchange has its pointer to the service principal (`Get-ServicePrincipal`), once read.
    var exchangePointerExists: Bool?
    /// The organisation's EWS settings (`service_account.uses_ews`), once read.
    var ewsOrganization: EWSOrganization?
    var group: GroupFacts?
    var members: [ResolvedMember] = []
    var directMembers: [DirectMember] = []
    /// The tenant's room mailboxes (`Get-Mailbox -RecipientTypeDetails RoomMailbox`), with their object ids.
    var rooms: [ProbeMailbox]?
    /// Configured probe mailboxes resolved to their object ids, by lower-cased address (looked up once).
    var probeMailboxes: [String: ProbeMailbox] = [:]
    /// The licensed member mailbox outside the scope chosen for the denial probe.
    var outOfScopeCandidate: ProbeMailbox?
    var scopeID: String?
    /// The tenant's country (`organization.countryLetterCode`), read at sign-in.
    var tenantCountry: String?
    var roleDefinitions: [String: String]?
    /// The scope stage's reads, made ahead by an overlapped check (used once, then cleared).
    var scopeReads: ScopeReads?
}

/// The group as Exchange sees it.
struct GroupFacts: Sendable, Equatable {
    var name: String
    var address: String
    var distinguishedName: String
    var objectID: String
    var recipientTypeDetails: String
}

/// A mailbox a probe addresses: its SMTP address (for Exchange's `Test-ServicePrincipalAuthorization`
/// and the evidence) and its Entra object id (for Graph, which addresses a user by id or user
/// principal name only, not by SMTP address: microsoft-graph-docs-contrib
/// `api-reference/v1.0/api/user-get.md`, `GET /users/{id | userPrincipalName}`).
struct ProbeMailbox: Sendable, Equatable {
    /// The SMTP address.
    var address: String
    /// The object id; nil when no user in the directory has the address.
    var objectID: String?
}

/// A configured member address, resolved in the directory.
struct ResolvedMember: Sendable, Equatable {
    var configured: String
    var primary: String?
    var objectID: String?
    var isGroup: Bool
}

/// A direct member of the group.
struct DirectMember: Sendable, Equatable {
    var objectID: String
    /// The primary SMTP address.
    var address: String
    var isGroup: Bool
    /// Every SMTP address (primary and aliases), lower-cased.
    var addresses: Set<String> = []
}

/// The vendor's own (multi-tenant) app, as its service principal in this tenant names it.
struct VendorApp: Sendable, Equatable {
    /// The app's display name (the vendor's).
    var displayName: String
    /// The tenant that registered the app (the vendor's tenant).
    var ownerTenantID: String
}
