import Foundation
import MailscopeCore

/// Why a tenant helper refused.
public enum SimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing matches the identity.
    case notFound(String)
    /// The change is not possible.
    case invalid(String)

    public var description: String {
        switch self {
        case .notFound(let identity): "not found: \(identity)"
        case .invalid(let reason): reason
        }
    }
}

/// An app registered by `registerAutomationApp`, ready for the client-credentials grant.
public struct AutomationApp: Sendable, Equatable {
    /// The application (client) id.
    public let appID: String
    /// The client secret.
    public let clientSecret: String
    /// The application object's id.
    public let applicationID: String
    /// The service principal's object id.
    public let servicePrincipalID: String
}

// MARK: Inspection

extension SimulatedTenant {
    /// Every application registration, oldest first.
    public func applications() -> [RegisteredApplication] {
        registry.applicationOrder.compactMap { registry.applications[$0] }
    }

    /// The application with client id `appID`.
    public func application(appID: String) -> RegisteredApplication? { registry.application(appID: appID) }

    /// Every service principal, oldest first.
    public func servicePrincipals() -> [ServicePrincipal] {
        registry.servicePrincipalOrder.compactMap { registry.servicePrincipals[$0] }
    }

    /// The service principal of application `appID`.
    public func servicePrincipal(appID: String) -> ServicePrincipal? { registry.servicePrincipal(appID: appID) }

    /// The tenant-wide grants (admin-consented application permissions) held by application `appID`.
    public func grants(appID: String) -> [AppRoleAssignment] {
        guard let servicePrincipal = registry.servicePrincipal(appID: appID) else { return [] }
        return registry.grants(principal: servicePrincipal.id)
    }

    /// Every user, including rooms and the admin, oldest first.
    public func users() -> [DirectoryUser] { directory.userOrder.compactMap { directory.users[$0] } }

    /// Room mailboxes, oldest first.
    public func rooms() -> [DirectoryUser] { directory.roomOrder.compactMap { directory.users[$0] } }

    /// The user with this object id, user principal name or SMTP address (primary or alias).
    public func user(_ identity: String) -> DirectoryUser? { mailboxUser(identity) }

    /// Every group, oldest first.
    public func groups() -> [DirectoryGroup] { directory.groupOrder.compactMap { directory.groups[$0] } }

    /// The group with this object id, address, name, alias, DN or display name.
    public func group(_ identity: String) -> DirectoryGroup? {
        if let group = directory.groups[identity.lowercased()] { return group }
        if case .found(.group(let id)) = directory.recipient(identity: identity) { return directory.groups[id] }
        return directory.objects(displayName: identity).compactMap(Self.groupID).first.flatMap { directory.groups[$0] }
            ?? directory.objects(nickname: identity).compactMap(Self.groupID).first.flatMap { directory.groups[$0] }
    }

    /// The direct members of a group, in the order they were added.
    public func members(ofGroup identity: String) throws(SimulatorError) -> [DirectoryObjectReference] {
        guard let group = group(identity) else { throw .notFound(identity) }
        return rbac.memberships[group.id]?.ordered ?? []
    }

    /// The primary SMTP addresses of a group's direct members (users and mail-enabled groups), in
    /// the order they were added; for example to write a config listing the bench group's members.
    public func memberAddresses(ofGroup identity: String) throws(SimulatorError) -> [String] {
        try members(ofGroup: identity).compactMap { member in
            switch member {
            case .user(let id): directory.users[id]?.primarySmtpAddress
            case .group(let id): directory.groups[id]?.primarySmtpAddress
            }
        }
    }

    /// Exchange's service principal pointers (live).
    public func exchangeServicePrincipals() -> [ExchangeServicePrincipal] {
        rbac.servicePrincipals.values.sorted { $0.displayName < $1.displayName }
    }

    /// Management scopes (live).
    public func managementScopes() -> [ManagementScope] { rbac.scopes.values.sorted { $0.name < $1.name } }

    /// Management role assignments (live).
    public func roleAssignments() -> [ManagementRoleAssignment] { rbac.assignments.values.sorted { $0.name < $1.name } }

    /// The names of Exchange's application roles (`Application Calendars.ReadWrite`, …).
    public nonisolated var applicationRoleNames: [String] { Catalog.applicationRoles.map(\.name) }

    /// When the current propagation window ends, or nil when mailbox calls see the live RBAC state.
    public func propagationPendingUntil() -> Date? {
        guard let frozen = frozenRBAC, now < frozen.until else { return nil }
        return frozen.until
    }

    /// Whether application `appID` may use `permission` (e.g. `Calendars.Read`) in `mailbox` right now,
    /// exactly as a mailbox call with a fresh token would be decided (tenant-wide grants, then the
    /// propagated Exchange RBAC state).
    public func canAccess(mailbox: String, appID: String, permission: String) -> Bool {
        guard let user = mailboxUser(mailbox), user.recipientTypeDetails != nil else { return false }
        let roles = grants(appID: appID).filter { $0.resourceId == registry.servicePrincipal(appID: Catalog.graphAppID)?.id }
            .map(\.permission)
        return mayAccess(mailbox: user, roles: roles, appID: appID, permissions: [permission])
    }

    /// The admin's Entra directory roles.
    public func adminDirectoryRoles() -> [String] { admin.directoryRoles }
}

// MARK: Changes (drift, fixtures)

extension SimulatedTenant {
    /// Adds `member` (user or group, any identity) to a group directly; a change of a group used by a
    /// management scope opens a propagation window.
    public func addGroupMember(group identity: String, member: String) throws(SimulatorError) {
        guard let group = group(identity) else { throw .notFound(identity) }
        let reference = try reference(member)
        guard insertMember(reference, into: group.id) else { throw .invalid("\(member) is already a member of \(group.name)") }
    }

    /// Removes `member` from a group directly; a change of a group used by a management scope opens
    /// a propagation window.
    public func removeGroupMember(group identity: String, member: String) throws(SimulatorError) {
        guard let group = group(identity) else { throw .notFound(identity) }
        let reference = try reference(member)
        guard deleteMember(reference.id, from: group.id) else { throw .invalid("\(member) is not a member of \(group.name)") }
    }

    private func reference(_ identity: String) throws(SimulatorError) -> DirectoryObjectReference {
        if let user = mailboxUser(identity) { return .user(user.id) }
        if let group = group(identity) { return .group(group.id) }
        throw .notFound(identity)
    }

    /// Grants application `appID` the application permission `permission` tenant-wide (admin consent),
    /// from Microsoft Graph or, failing that, Office 365 Exchange Online. New tokens carry it.
    @discardableResult
    public func grantTenantWide(appID: String, permission: String) throws(SimulatorError) -> AppRoleAssignment {
        guard let principal = registry.servicePrincipal(appID: appID) else { throw .notFound("service principal of \(appID)") }
        for resourceAppID in [Catalog.graphAppID, Catalog.exchangeAppID] {
            guard let resource = registry.servicePrincipal(appID: resourceAppID),
                let role = resource.appRoles.first(where: { $0.value.equalsIgnoringCase(permission) })
            else { continue }
            if let existing = registry.grants(principal: principal.id).first(where: {
                $0.resourceId == resource.id && $0.appRoleId == role.id
            }) {
                return existing
            }
            let grant = AppRoleAssignment(
                id: newOpaqueID(), appRoleId: role.id, principalId: principal.id, principalDisplayName: principal.displayName,
                resourceId: resource.id, resourceDisplayName: resource.displayName, permission: role.value,
                createdDateTime: now)
            registry.store(grant)
            return grant
        }
        throw .notFound("application permission \(permission)")
    }

    /// An admin consents to a published multi-tenant app (`PublishedApp`): its service principal is
    /// created in the tenant (as the consent prompt does) and `permissions` are granted tenant-wide.
    @discardableResult
    public func consentToPublishedApp(appID: String, permissions: [String]) throws(SimulatorError) -> ServicePrincipal {
        guard let published = PublishedApp.multiTenant(appID: appID) else {
            throw .notFound("published multi-tenant app \(appID)")
        }
        let servicePrincipal =
            registry.servicePrincipal(appID: appID)
            ?? ServicePrincipal(
                id: newGUID(), appId: published.appId, displayName: published.displayName, appRoles: [],
                directoryRoles: [], appOwnerOrganizationId: published.appOwnerOrganizationId,
                createdAt: now.addingTimeInterval(-86_400), sequence: directory.takeSequence())
        registry.store(servicePrincipal)
        for permission in permissions { try grantTenantWide(appID: appID, permission: permission) }
        return servicePrincipal
    }

    /// Removes the tenant-wide grant of `permission` from application `appID`.
    public func revokeTenantWide(appID: String, permission: String) throws(SimulatorError) {
        guard let grant = grants(appID: appID).first(where: { $0.permission.equalsIgnoringCase(permission) }) else {
            throw .notFound("grant of \(permission) to \(appID)")
        }
        registry.removeGrant(grant.id)
    }

    /// Deletes a management scope (unlike `Remove-ManagementScope`, even while assignments use it:
    /// those then cover no mailbox). Opens a propagation window.
    public func deleteScope(name: String) throws(SimulatorError) {
        guard rbac.scopes[name.lowercased()] != nil else { throw .notFound(name) }
        beginRBACChange()
        rbac.scopes.removeValue(forKey: name.lowercased())
    }

    /// Makes a management scope exclusive, as if it had been re-created with `-Exclusive` outside
    /// mailscope (the endpoints refuse to create one). Access decisions do not change.
    public func markScopeExclusive(name: String) throws(SimulatorError) {
        guard rbac.scopes[name.lowercased()] != nil else { throw .notFound(name) }
        rbac.scopes[name.lowercased()]?.exclusive = true
    }

    /// Adds a client secret to application `appID` that expires at `end`, as an admin would in the
    /// portal; returns its key id.
    @discardableResult
    public func addExpiringSecret(appID: String, displayName: String, end: Date) throws(SimulatorError) -> String {
        guard var app = registry.application(appID: appID) else { throw .notFound(appID) }
        let keyID = newGUID()
        app.passwordCredentials.append(
            PasswordCredential(
                keyId: keyID, displayName: displayName, hint: "abc", startDateTime: now.addingTimeInterval(-86_400),
                endDateTime: end, secretHash: "", createdAt: now))
        registry.store(app)
        return keyID
    }

    /// Moves the end date of every credential of application `appID` to `end` (time passing).
    public func setCredentialsEnd(appID: String, end: Date) throws(SimulatorError) {
        guard var app = registry.application(appID: appID) else { throw .notFound(appID) }
        for index in app.passwordCredentials.indices { app.passwordCredentials[index].endDateTime = end }
        for index in app.keyCredentials.indices { app.keyCredentials[index].endDateTime = end }
        registry.store(app)
    }

    /// Deletes a management role assignment. Opens a propagation window.
    public func removeRoleAssignment(name: String) throws(SimulatorError) {
        guard rbac.assignments[name.lowercased()] != nil else { throw .notFound(name) }
        beginRBACChange()
        rbac.assignments.removeValue(forKey: name.lowercased())
    }

    /// Ends the current propagation window now: mailbox calls see the live RBAC state.
    public func settlePropagation() { frozenRBAC = nil }

    /// Replaces the admin's Entra directory roles (to test a non-admin sign-in).
    public func setAdminRoles(_ roles: [String]) { admin.directoryRoles = roles }

    /// Replaces the admin's Exchange role groups (nil: those that come with the directory roles), to
    /// test an admin whom Exchange refuses a cmdlet (see `exchangeAuthorization`).
    public func setAdminExchangeRoleGroups(_ groups: [String]?) { admin.exchangeRoleGroups = groups }

    /// Registers `appID` in Exchange as `New-ServicePrincipal` would (a pointer to the Entra service
    /// principal `objectID`), for tests of a tenant where other apps are registered.
    public func addExchangeServicePrincipal(appID: String, objectID: String, displayName: String) {
        rbac.servicePrincipals[objectID.lowercased()] = ExchangeServicePrincipal(
            appId: appID.lowercased(), objectId: objectID.lowercased(), displayName: displayName)
    }

    /// Decides what the next device-code polls answer.
    public func setDeviceCodeOutcome(_ outcome: DeviceCodeOutcome) { deviceCodeOutcome = outcome }

    /// Adds a room mailbox named `Room <name>` (alias `room-<name>`), for example a room created after
    /// a group scope was set up.
    @discardableResult
    public func addRoom(name: String) throws(SimulatorError) -> DirectoryUser {
        try addMailbox(
            nickname: "room-\(name.lowercased().replacingOccurrences(of: " ", with: "-"))", displayName: "Room \(name)",
            type: "RoomMailbox", aliases: [])
    }

    /// Makes EWS answer the next `times` signed-in requests with the `ErrorServerBusy` fault asking the
    /// client to wait `backOff` (`BackOffMilliseconds`), as a throttled Exchange Server does.
    public func answerEWSServerBusy(times: Int, backOff: Duration) {
        ewsBusyAnswers = (max(0, times), backOff)
    }

    /// Adds a user mailbox with alias `nickname` and primary address `nickname@contoso.com` (or at
    /// `domain`, another accepted domain of the tenant: a primary SMTP address and UPN may be in any
    /// of them), licensed like the initial population's (Office 365 E3).
    @discardableResult
    public func addUser(nickname: String, displayName: String, aliases: [String] = [], domain: String? = nil)
        throws(SimulatorError) -> DirectoryUser
    {
        try addMailbox(nickname: nickname, displayName: displayName, type: "UserMailbox", aliases: aliases, domain: domain)
    }

    private func addMailbox(
        nickname: String, displayName: String, type: String, aliases: [String], domain: String? = nil
    ) throws(SimulatorError) -> DirectoryUser {
        let address = "\(nickname)@\(domain ?? identity.defaultDomain)"
        guard Self.isValidAlias(nickname) else { throw .invalid("invalid alias \(nickname)") }
        for key in [address, nickname, "\(nickname)@\(identity.initialDomain)"] + aliases where directory.isTaken(key) {
            throw .invalid("\(key) is already in use")
        }
        let user = DirectoryUser(
            id: newGUID(), displayName: displayName, userPrincipalName: address, mailNickname: nickname,
            proxyAddresses: ["SMTP:\(address)", "smtp:\(nickname)@\(identity.initialDomain)"] + aliases.map { "smtp:\($0)" },
            recipientTypeDetails: type, accountEnabled: type != "RoomMailbox",
            distinguishedName: Catalog.distinguishedName(name: nickname), exchangeGuid: newGUID(), createdAt: now,
            sequence: directory.takeSequence(), assignedLicenses: type == "UserMailbox" ? [Self.staffSkuID] : nil)
        directory.add(user)
        return user
    }

    /// Registers an application with a client secret, its service principal, tenant-wide grants of
    /// `graphPermissions` and `exchangePermissions`, and Entra directory roles on the service principal,
    /// so a test can sign in with client credentials as an automation (admin) app. The objects are
    /// back-dated a day, so replication lag does not hide them.
    public func registerAutomationApp(
        displayName: String = "Automation", graphPermissions: [String] = [],
        exchangePermissions: [String] = ["Exchange.ManageAsApp"], directoryRoles: [String] = ["Exchange Administrator"]
    ) throws(SimulatorError) -> AutomationApp {
        let created = now.addingTimeInterval(-86_400)
        let secret =
            identifiers.string(length: 3, alphabet: Self.secretAlphabet) + "8Q~"
            + identifiers.string(length: 34, alphabet: Self.secretAlphabet)
        let application = RegisteredApplication(
            id: newGUID(), appId: newGUID(), displayName: displayName, uniqueName: nil, signInAudience: "AzureADMyOrg",
            notes: nil, description: nil,
            passwordCredentials: [
                PasswordCredential(
                    keyId: newGUID(), displayName: "automation", hint: String(secret.prefix(3)), startDateTime: created,
                    endDateTime: created.addingTimeInterval(365 * 86_400), secretHash: Self.hash(secret: secret),
                    createdAt: created)
            ], keyCredentials: [], otherProperties: [:], createdAt: created, sequence: directory.takeSequence())
        registry.store(application)
        let servicePrincipal = ServicePrincipal(
            id: newGUID(), appId: application.appId, displayName: displayName, appRoles: [], directoryRoles: directoryRoles,
            appOwnerOrganizationId: identity.tenantID, createdAt: created, sequence: directory.takeSequence())
        registry.store(servicePrincipal)
        for permission in graphPermissions + exchangePermissions {
            try grantTenantWide(appID: application.appId, permission: permission)
        }
        return AutomationApp(
            appID: application.appId, clientSecret: secret, applicationID: application.id,
            servicePrincipalID: servicePrincipal.id)
    }

    /// Assigns Entra directory roles to application `appID`'s service principal.
    /// Disables (or enables) the app's service principal, as an admin does in Entra
    /// (`Update-MgServicePrincipal -AccountEnabled:$false`).
    public func setServicePrincipalEnabled(appID: String, _ enabled: Bool) throws(SimulatorError) {
        guard var servicePrincipal = registry.servicePrincipal(appID: appID) else { throw .notFound(appID) }
        servicePrincipal.accountEnabled = enabled
        registry.store(servicePrincipal)
    }

    public func setDirectoryRoles(appID: String, roles: [String]) throws(SimulatorError) {
        guard var servicePrincipal = registry.servicePrincipal(appID: appID) else { throw .notFound(appID) }
        servicePrincipal.directoryRoles = roles
        registry.store(servicePrincipal)
    }
}
