import Foundation
import MailscopeCore

/// The admin account that signs in with the device code.
struct AdminAccount: Sendable, Codable {
    var id: String
    var userPrincipalName: String
    var displayName: String
    var directoryRoles: [String]
    /// The Exchange role groups the admin is a member of; nil: those that come with the directory
    /// roles (a Global or Exchange Administrator is in Organization Management).
    var exchangeRoleGroups: [String]? = nil
}

/// Builds the tenant's initial population from the seed: the admin, a guest, a member whose licence
/// was removed, two members whose UPN is not their address, users (with some SMTP aliases), rooms,
/// one unlicensed user, groups of every kind including a nested-group example, the two resource
/// service principals and one unrelated application.
enum Population {
    struct Result {
        var directory: Directory
        var registry: AppRegistry
        var rbac: RBACState
        var admin: AdminAccount
    }

    static let firstNames = [
        "Avery", "Blake", "Casey", "Dana", "Eden", "Finley", "Gray", "Harper", "Indy", "Jordan", "Kai", "Logan", "Morgan",
        "Noel", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Taylor", "Uma", "Val", "Wren", "Xan", "Yael", "Zion",
    ]
    static let lastNames = [
        "Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jones", "Khan", "Lopez",
        "Moreau", "Novak", "Olsen", "Patel", "Quint", "Rossi", "Silva", "Tanaka", "Ueda", "Vogel", "Wong", "Xu",
        "Young", "Zhang",
    ]
    static let roomNames = [
        "Alder", "Birch", "Cedar", "Elm", "Fir", "Hazel", "Juniper", "Larch", "Maple", "Oak", "Pine", "Rowan", "Spruce",
        "Willow", "Yew", "Ash", "Beech", "Cherry", "Holly", "Linden",
    ]

    static func build(options: SimulatorOptions, generator: inout SeededGenerator, now: Date) -> Result {
        let longAgo = now.addingTimeInterval(-400 * 86_400)
        var directory = Directory()
        directory.reserveCapacity(users: max(0, options.userCount) + max(0, options.roomCount) + 6)
        var rbac = RBACState()
        let domain = options.identity.defaultDomain
        let initial = options.identity.initialDomain

        /// Adds a user. A mailbox (`type`) gets the primary address `mail` (default: the UPN), an
        /// alias at the initial domain and `aliases`; a user mailbox holds the staff licence. A user
        /// without a mailbox has only `mail` as its address, if given.
        func addUser(
            nickname: String, upn: String, display: String, type: String?, aliases: [String], enabled: Bool = true,
            mail: String? = nil, userType: String? = nil
        ) -> String {
            let id = generator.guid()
            var proxies: [String] = []
            if type != nil {
                let primary = mail ?? upn
                proxies.append("SMTP:\(primary)")
                proxies.append("smtp:\(nickname)@\(initial)")
                for alias in aliases where !directory.isTaken(alias) && alias.lowercased() != primary.lowercased() {
                    proxies.append("smtp:\(alias)")
                }
            } else if let mail {
                proxies.append("SMTP:\(mail)")
            }
            var user = DirectoryUser(
                id: id, displayName: display, userPrincipalName: upn, mailNickname: nickname, proxyAddresses: proxies,
                recipientTypeDetails: type, accountEnabled: enabled,
                distinguishedName: type == nil ? nil : Catalog.distinguishedName(name: nickname),
                exchangeGuid: generator.guid(), createdAt: longAgo, sequence: directory.takeSequence(),
                assignedLicenses: type == "UserMailbox" ? [SimulatedTenant.staffSkuID] : nil)
            user.userType = userType
            directory.add(user)
            return id
        }

        // The admin.
        let adminUPN = options.admin.userPrincipalName
        let adminNickname = String(adminUPN.split(separator: "@").first ?? "admin")
        let adminID = addUser(
            nickname: adminNickname, upn: adminUPN,
            display: options.admin.displayName, type: "UserMailbox", aliases: [])

        // Right after the admin (the first users a directory listing returns), accounts that are not
        // licensed member mailboxes, though they have a mail address: a guest (Graph `userType`
        // `Guest`; its UPN is the invited address with `#EXT#` at the initial domain) and a member
        // whose licence was removed (no mailbox). Then two licensed members whose user principal
        // name is not their primary SMTP address (`GET /users/{id | userPrincipalName}` reaches them
        // by id or UPN only: microsoft-graph-docs-contrib `api-reference/v1.0/api/user-get.md`): one
        // signs in with a short name, one with the initial domain.
        _ = addUser(
            nickname: "gale.guest_fabrikam.com#EXT#", upn: "gale.guest_fabrikam.com#EXT#@\(initial)",
            display: "Gale Guest (Fabrikam)", type: nil, aliases: [], mail: "gale.guest@fabrikam.com", userType: "Guest")
        _ = addUser(
            nickname: "lee.lapsed", upn: "lee.lapsed@\(domain)", display: "Lee Lapsed", type: nil, aliases: [],
            mail: "lee.lapsed@\(domain)")
        _ = addUser(
            nickname: "rowan.hale", upn: "rhale@\(domain)", display: "Rowan Hale", type: "UserMailbox", aliases: [],
            mail: "rowan.hale@\(domain)")
        _ = addUser(
            nickname: "sasha.lind", upn: "sasha.lind@\(initial)", display: "Sasha Lind", type: "UserMailbox", aliases: [],
            mail: "sasha.lind@\(domain)")

        // People.
        var userIDs: [String] = []
        userIDs.reserveCapacity(max(0, options.userCount))
        let combinations = firstNames.count * lastNames.count
        for index in 0..<max(0, options.userCount) {
            let first = firstNames[index % firstNames.count]
            let last = lastNames[(index / firstNames.count) % lastNames.count]
            let round = index / combinations
            let suffix = round > 0 ? String(round + 1) : ""
            let nickname = "\(first).\(last)\(suffix)".lowercased()
            var aliases: [String] = []
            if index % 3 == 1 {
                aliases.append("\(first.prefix(1))\(last)\(suffix)@\(domain)".lowercased())
            }
            userIDs.append(
                addUser(
                    nickname: nickname, upn: "\(nickname)@\(domain)",
                    display: "\(first) \(last)\(round > 0 ? " \(round + 1)" : "")", type: "UserMailbox", aliases: aliases))
        }

        // An unlicensed account: a user without a mailbox.
        _ = addUser(
            nickname: "pat.unlicensed", upn: "pat.unlicensed@\(domain)",
            display: "Pat Unlicensed", type: nil, aliases: [])

        // Rooms.
        var roomIDs: [String] = []
        for index in 0..<max(0, options.roomCount) {
            let tree = roomNames[index % roomNames.count]
            let round = index / roomNames.count
            let name = "\(tree)\(round > 0 ? String(round + 1) : "")"
            let nickname = "room-\(name.lowercased())"
            let aliases = index % 2 == 0 ? ["\(name.lowercased()).room@\(domain)"] : []
            roomIDs.append(
                addUser(
                    nickname: nickname, upn: "\(nickname)@\(domain)", display: "Room \(name)",
                    type: "RoomMailbox", aliases: aliases, enabled: false))
        }

        // Groups.
        func addGroup(name: String, nickname: String, kind: GroupKind, description: String, members: [DirectoryObjectReference])
            -> String
        {
            let id = generator.guid()
            let proxies = kind.isMailEnabled ? ["SMTP:\(nickname)@\(domain)", "smtp:\(nickname)@\(initial)"] : []
            let group = DirectoryGroup(
                id: id, displayName: name, name: name, mailNickname: nickname, kind: kind, proxyAddresses: proxies,
                distinguishedName: kind.isMailEnabled ? Catalog.distinguishedName(name: name) : nil,
                exchangeGuid: generator.guid(), description: description, createdAt: longAgo,
                sequence: directory.takeSequence())
            directory.add(group)
            var list = MemberList()
            for member in members { list.insert(member) }
            rbac.memberships[id] = list
            return id
        }

        _ = addGroup(
            name: "All Staff", nickname: "allstaff", kind: .distribution, description: "Everyone at Contoso",
            members: [.user(adminID)] + userIDs.prefix(10).map { .user($0) })
        let annex = addGroup(
            name: "Annex Rooms", nickname: "annexrooms", kind: .distribution,
            description: "Rooms in the annex (nested inside Meeting Rooms)", members: roomIDs.suffix(1).map { .user($0) })
        _ = addGroup(
            name: "Meeting Rooms", nickname: "meetingrooms", kind: .distribution,
            description: "Bookable rooms; the annex rooms are nested, not direct members",
            members: roomIDs.dropLast().map { .user($0) } + [.group(annex)])
        _ = addGroup(
            name: "Marketing", nickname: "marketing", kind: .microsoft365, description: "Marketing team",
            members: userIDs.prefix(3).map { .user($0) })
        _ = addGroup(
            name: "Finance Approvers", nickname: "financeapprovers", kind: .mailEnabledSecurity,
            description: "Approves invoices", members: userIDs.dropFirst(3).prefix(2).map { .user($0) })
        _ = addGroup(
            name: "Calendar Sync Admins", nickname: "calendarsyncadmins", kind: .security,
            description: "Cloud-only security group (invisible to Exchange)", members: [.user(adminID)])

        // For benchmarks: a large distribution group of direct members, spread over the users. Built
        // after every other group so that the default population draws the same ids as before.
        let benchCount = min(max(0, options.benchGroupMembers), userIDs.count)
        if benchCount > 0 {
            let members = (0..<benchCount).map { DirectoryObjectReference.user(userIDs[$0 * userIDs.count / benchCount]) }
            let name = SimulatorOptions.benchGroupName
            _ = addGroup(
                name: name, nickname: name.lowercased(), kind: .distribution,
                description: "Benchmark group (simulate --bench-group-members)", members: members)
        }

        // Resource service principals and one unrelated application.
        var registry = AppRegistry()
        func appRoles(_ list: [(value: String, id: String)]) -> [AppRole] {
            list.map {
                AppRole(
                    id: $0.id, value: $0.value, displayName: $0.value, allowedMemberTypes: ["Application"])
            }
        }
        registry.store(
            ServicePrincipal(
                id: generator.guid(), appId: Catalog.graphAppID, displayName: "Microsoft Graph",
                appRoles: appRoles(Catalog.graphAppRoles), directoryRoles: [],
                appOwnerOrganizationId: Catalog.microsoftTenantID, createdAt: longAgo, sequence: 1))
        registry.store(
            ServicePrincipal(
                id: generator.guid(), appId: Catalog.exchangeAppID, displayName: "Office 365 Exchange Online",
                appRoles: appRoles(Catalog.exchangeAppRoles), directoryRoles: [],
                appOwnerOrganizationId: Catalog.microsoftTenantID, createdAt: longAgo, sequence: 2))
        let hrApp = RegisteredApplication(
            id: generator.guid(), appId: generator.guid(), displayName: "Contoso HR Portal", uniqueName: nil,
            signInAudience: "AzureADMyOrg", notes: nil, description: nil, passwordCredentials: [], keyCredentials: [],
            otherProperties: [:], createdAt: longAgo, sequence: 3)
        registry.store(hrApp)
        let hrSP = ServicePrincipal(
            id: generator.guid(), appId: hrApp.appId, displayName: hrApp.displayName, appRoles: [], directoryRoles: [],
            appOwnerOrganizationId: options.identity.tenantID, createdAt: longAgo, sequence: 4)
        registry.store(hrSP)
        if let graph = registry.servicePrincipal(appID: Catalog.graphAppID),
            let role = graph.appRoles.first(where: { $0.value == "User.Read.All" })
        {
            registry.store(
                AppRoleAssignment(
                    id: Base64URL.encode(Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })),
                    appRoleId: role.id, principalId: hrSP.id, principalDisplayName: hrSP.displayName,
                    resourceId: graph.id, resourceDisplayName: graph.displayName, permission: role.value,
                    createdDateTime: longAgo))
        }

        let admin = AdminAccount(
            id: adminID, userPrincipalName: adminUPN, displayName: options.admin.displayName,
            directoryRoles: options.admin.directoryRoles)
        return Result(directory: directory, registry: registry, rbac: rbac, admin: admin)
    }
}
