import Foundation
import MailscopeCore

/// The outcome of resolving an Exchange identity (name, alias, address, DN, GUID or object id).
enum RecipientLookup: Equatable {
    case found(DirectoryObjectReference)
    case notFound
    case ambiguous
}

/// Users and groups with the indexes every request uses: lookups are O(1), never scans.
struct Directory: Sendable {
    private(set) var users: [String: DirectoryUser] = [:]
    private(set) var userOrder: [String] = []
    private(set) var groups: [String: DirectoryGroup] = [:]
    private(set) var groupOrder: [String] = []
    /// Lower-cased SMTP address (primary or alias) → owner.
    private var smtpIndex: [String: DirectoryObjectReference] = [:]
    /// Lower-cased UPN → user id.
    private var upnIndex: [String: String] = [:]
    /// Lower-cased Exchange identities (Name, alias, DN, Exchange GUID) → recipient.
    private var recipientKeys: [String: DirectoryObjectReference] = [:]
    /// Lower-cased display name → objects (not unique).
    private var displayNames: [String: [DirectoryObjectReference]] = [:]
    /// Lower-cased mail nickname → objects (not unique across security groups).
    private var nicknames: [String: [DirectoryObjectReference]] = [:]
    /// Users with a mailbox, in creation order.
    private(set) var mailboxOrder: [String] = []
    /// Room mailboxes, in creation order.
    private(set) var roomOrder: [String] = []
    private(set) var nextSequence = 0

    /// An empty directory.
    init() {}

    /// A directory holding `users` and `groups` (each in creation order), indexed afresh, whose next
    /// creation sequence number follows `lastSequence`; for restoring a snapshot.
    init(users: [DirectoryUser], groups: [DirectoryGroup], lastSequence: Int) {
        reserveCapacity(users: users.count)
        for user in users { add(user) }
        for group in groups { add(group) }
        nextSequence = lastSequence
    }

    // MARK: Adding and removing

    /// Reserves room for `users` more users, so a large population does not rehash repeatedly.
    mutating func reserveCapacity(users count: Int) {
        users.reserveCapacity(count)
        userOrder.reserveCapacity(count)
        upnIndex.reserveCapacity(count)
        smtpIndex.reserveCapacity(count * 3)
        recipientKeys.reserveCapacity(count * 3)
        displayNames.reserveCapacity(count)
        nicknames.reserveCapacity(count)
        mailboxOrder.reserveCapacity(count)
    }

    /// The next creation sequence number.
    mutating func takeSequence() -> Int {
        nextSequence += 1
        return nextSequence
    }

    /// Adds `user` and indexes it.
    mutating func add(_ user: DirectoryUser) {
        users[user.id] = user
        userOrder.append(user.id)
        let reference = DirectoryObjectReference.user(user.id)
        upnIndex[user.userPrincipalName.lowercased()] = user.id
        index(reference, displayName: user.displayName, nickname: user.mailNickname)
        if user.recipientTypeDetails != nil {
            for address in Self.smtpAddresses(user.proxyAddresses) { smtpIndex[address.lowercased()] = reference }
            for key in [user.mailNickname, user.exchangeGuid] { recipientKeys[key.lowercased()] = reference }
            if let dn = user.distinguishedName { recipientKeys[Self.normalizedDN(dn)] = reference }
            mailboxOrder.append(user.id)
            if user.isRoom { roomOrder.append(user.id) }
        }
    }

    /// Gives a user without a mailbox a user mailbox (a licence with Exchange was assigned) and
    /// indexes its addresses as a recipient.
    mutating func provisionMailbox(_ id: String, distinguishedName: String) {
        guard var user = users[id], user.recipientTypeDetails == nil else { return }
        user.recipientTypeDetails = "UserMailbox"
        user.distinguishedName = distinguishedName
        users[id] = user
        let reference = DirectoryObjectReference.user(id)
        for address in Self.smtpAddresses(user.proxyAddresses) { smtpIndex[address.lowercased()] = reference }
        for key in [user.mailNickname, user.exchangeGuid] { recipientKeys[key.lowercased()] = reference }
        recipientKeys[Self.normalizedDN(distinguishedName)] = reference
        mailboxOrder.append(id)
    }

    /// Adds `group` and indexes it.
    mutating func add(_ group: DirectoryGroup) {
        groups[group.id] = group
        groupOrder.append(group.id)
        let reference = DirectoryObjectReference.group(group.id)
        index(reference, displayName: group.displayName, nickname: group.mailNickname)
        if group.kind.isMailEnabled {
            for address in Self.smtpAddresses(group.proxyAddresses) { smtpIndex[address.lowercased()] = reference }
            for key in [group.name, group.mailNickname, group.exchangeGuid] { recipientKeys[key.lowercased()] = reference }
            if let dn = group.distinguishedName { recipientKeys[Self.normalizedDN(dn)] = reference }
        }
    }

    /// Removes the group `id` from every index.
    mutating func removeGroup(_ id: String) {
        guard let group = groups.removeValue(forKey: id) else { return }
        groupOrder.removeAll { $0 == id }
        let reference = DirectoryObjectReference.group(id)
        unindex(reference, displayName: group.displayName, nickname: group.mailNickname)
        for address in Self.smtpAddresses(group.proxyAddresses) where smtpIndex[address.lowercased()] == reference {
            smtpIndex.removeValue(forKey: address.lowercased())
        }
        let keys = [group.name, group.mailNickname, group.exchangeGuid].map { $0.lowercased() }
            + (group.distinguishedName.map { [Self.normalizedDN($0)] } ?? [])
        for key in keys where recipientKeys[key] == reference {
            recipientKeys.removeValue(forKey: key)
        }
    }

    private mutating func index(_ reference: DirectoryObjectReference, displayName: String, nickname: String) {
        displayNames[displayName.lowercased(), default: []].append(reference)
        nicknames[nickname.lowercased(), default: []].append(reference)
    }

    private mutating func unindex(_ reference: DirectoryObjectReference, displayName: String, nickname: String) {
        displayNames[displayName.lowercased()]?.removeAll { $0 == reference }
        nicknames[nickname.lowercased()]?.removeAll { $0 == reference }
    }

    /// The bare addresses of the `smtp:` entries of `proxyAddresses`.
    static func smtpAddresses(_ proxyAddresses: [String]) -> [String] {
        proxyAddresses.compactMap { entry in
            entry.lowercased().hasPrefix("smtp:") ? String(entry.dropFirst(5)) : nil
        }
    }

    // MARK: Lookups

    /// The owner of an SMTP address (primary or alias), case-insensitive.
    func owner(ofAddress address: String) -> DirectoryObjectReference? { smtpIndex[address.lowercased()] }

    /// The user with this UPN, case-insensitive.
    func user(userPrincipalName: String) -> DirectoryUser? {
        upnIndex[userPrincipalName.lowercased()].flatMap { users[$0] }
    }

    /// Objects whose display name is `name`, case-insensitive.
    func objects(displayName name: String) -> [DirectoryObjectReference] { displayNames[name.lowercased()] ?? [] }

    /// Objects whose mail nickname is `nickname`, case-insensitive.
    func objects(nickname: String) -> [DirectoryObjectReference] { nicknames[nickname.lowercased()] ?? [] }

    /// The group with this distinguished name (mail-enabled groups only), case-insensitive.
    func group(distinguishedName dn: String) -> DirectoryGroup? {
        guard case .group(let id) = recipientKeys[Self.normalizedDN(dn)] else { return nil }
        return groups[id]
    }

    /// Resolves an Exchange identity to a recipient (mailbox users and mail-enabled groups only).
    func recipient(identity: String) -> RecipientLookup {
        let key = identity.trimmingCharacters(in: .whitespaces)
        if let reference = recipientKeys[key.lowercased()] ?? recipientKeys[Self.normalizedDN(key)] ?? smtpIndex[key.lowercased()] {
            return .found(reference)
        }
        if let user = users[key.lowercased()], user.recipientTypeDetails != nil { return .found(.user(user.id)) }
        if let group = groups[key.lowercased()], group.kind.isMailEnabled { return .found(.group(group.id)) }
        if let user = user(userPrincipalName: key), user.recipientTypeDetails != nil { return .found(.user(user.id)) }
        let named = objects(displayName: key).filter(isRecipient)
        switch named.count {
        case 0: return .notFound
        case 1: return .found(named[0])
        default: return .ambiguous
        }
    }

    /// Whether `reference` is an Exchange recipient (a mailbox or a mail-enabled group).
    func isRecipient(_ reference: DirectoryObjectReference) -> Bool {
        switch reference {
        case .user(let id): users[id]?.recipientTypeDetails != nil
        case .group(let id): groups[id]?.kind.isMailEnabled ?? false
        }
    }

    /// Whether any recipient already uses the SMTP address or Exchange identity `key`.
    func isTaken(_ key: String) -> Bool {
        smtpIndex[key.lowercased()] != nil || recipientKeys[key.lowercased()] != nil
            || recipientKeys[Self.normalizedDN(key)] != nil
    }

    /// A DN in the index's key form: lower-cased, without spaces after commas.
    static func normalizedDN(_ dn: String) -> String {
        dn.lowercased().replacingOccurrences(of: ", ", with: ",")
    }

    // MARK: Changing

    /// Replaces the stored user (same id, same addresses).
    mutating func update(_ user: DirectoryUser) { users[user.id] = user }

    /// Replaces the stored group, re-indexing its names (same addresses).
    mutating func update(_ group: DirectoryGroup) {
        guard let old = groups[group.id] else { return }
        unindex(.group(group.id), displayName: old.displayName, nickname: old.mailNickname)
        groups[group.id] = group
        index(.group(group.id), displayName: group.displayName, nickname: group.mailNickname)
    }
}

/// Applications, service principals and their tenant-wide grants, indexed.
struct AppRegistry: Sendable {
    private(set) var applications: [String: RegisteredApplication] = [:]
    private(set) var applicationOrder: [String] = []
    private var applicationByAppID: [String: String] = [:]
    private var applicationByUniqueName: [String: String] = [:]
    private(set) var servicePrincipals: [String: ServicePrincipal] = [:]
    private(set) var servicePrincipalOrder: [String] = []
    private var servicePrincipalByAppID: [String: String] = [:]
    private(set) var grants: [String: AppRoleAssignment] = [:]
    private(set) var grantOrder: [String] = []
    /// Delegated permission grants (oAuth2PermissionGrant), by id, and their creation order.
    private(set) var permissionGrants: [String: OAuth2PermissionGrant] = [:]
    private(set) var permissionGrantOrder: [String] = []

    /// An empty registry.
    init() {}

    /// A registry holding these objects (each in creation order), indexed afresh; for restoring a snapshot.
    init(applications: [RegisteredApplication], servicePrincipals: [ServicePrincipal], grants: [AppRoleAssignment]) {
        for application in applications { store(application) }
        for servicePrincipal in servicePrincipals { store(servicePrincipal) }
        for grant in grants { store(grant) }
    }

    /// The application with this client id.
    func application(appID: String) -> RegisteredApplication? {
        applicationByAppID[appID.lowercased()].flatMap { applications[$0] }
    }

    /// The application with this unique name (case-insensitive).
    func application(uniqueName: String) -> RegisteredApplication? {
        applicationByUniqueName[uniqueName.lowercased()].flatMap { applications[$0] }
    }

    /// The service principal of this application id.
    func servicePrincipal(appID: String) -> ServicePrincipal? {
        servicePrincipalByAppID[appID.lowercased()].flatMap { servicePrincipals[$0] }
    }

    /// Stores `application` (new or changed).
    mutating func store(_ application: RegisteredApplication) {
        if applications[application.id] == nil { applicationOrder.append(application.id) }
        applications[application.id] = application
        applicationByAppID[application.appId.lowercased()] = application.id
        if let unique = application.uniqueName { applicationByUniqueName[unique.lowercased()] = application.id }
    }

    /// Stores `servicePrincipal` (new or changed).
    mutating func store(_ servicePrincipal: ServicePrincipal) {
        if servicePrincipals[servicePrincipal.id] == nil { servicePrincipalOrder.append(servicePrincipal.id) }
        servicePrincipals[servicePrincipal.id] = servicePrincipal
        servicePrincipalByAppID[servicePrincipal.appId.lowercased()] = servicePrincipal.id
    }

    /// Stores a grant.
    mutating func store(_ grant: AppRoleAssignment) {
        if grants[grant.id] == nil { grantOrder.append(grant.id) }
        grants[grant.id] = grant
    }

    /// Removes a grant; returns it.
    @discardableResult
    mutating func removeGrant(_ id: String) -> AppRoleAssignment? {
        guard let grant = grants.removeValue(forKey: id) else { return nil }
        grantOrder.removeAll { $0 == id }
        return grant
    }

    /// Stores a delegated permission grant (new or changed).
    mutating func store(_ grant: OAuth2PermissionGrant) {
        if permissionGrants[grant.id] == nil { permissionGrantOrder.append(grant.id) }
        permissionGrants[grant.id] = grant
    }

    /// Removes a delegated permission grant.
    mutating func removePermissionGrant(_ id: String) {
        guard permissionGrants.removeValue(forKey: id) != nil else { return }
        permissionGrantOrder.removeAll { $0 == id }
    }

    /// Removes a service principal and its grants (both directions).
    mutating func removeServicePrincipal(_ id: String) {
        guard let servicePrincipal = servicePrincipals.removeValue(forKey: id) else { return }
        servicePrincipalOrder.removeAll { $0 == id }
        servicePrincipalByAppID.removeValue(forKey: servicePrincipal.appId.lowercased())
        for grant in grants.values where grant.principalId == id || grant.resourceId == id { removeGrant(grant.id) }
        for grant in permissionGrants.values where grant.clientId == id || grant.resourceId == id {
            removePermissionGrant(grant.id)
        }
    }

    /// Removes an application (not its service principal).
    mutating func removeApplication(_ id: String) {
        guard let application = applications.removeValue(forKey: id) else { return }
        applicationOrder.removeAll { $0 == id }
        applicationByAppID.removeValue(forKey: application.appId.lowercased())
        if let unique = application.uniqueName { applicationByUniqueName.removeValue(forKey: unique.lowercased()) }
    }

    /// The grants held by `principalID`, oldest first.
    func grants(principal principalID: String) -> [AppRoleAssignment] {
        grantOrder.compactMap { grants[$0] }.filter { $0.principalId == principalID }
    }

    /// The grants on `resourceID`, oldest first.
    func grants(resource resourceID: String) -> [AppRoleAssignment] {
        grantOrder.compactMap { grants[$0] }.filter { $0.resourceId == resourceID }
    }
}
