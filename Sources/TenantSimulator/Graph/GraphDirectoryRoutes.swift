import Foundation
import MailscopeCore

/// Graph's directory routes: organization, the signed-in admin, users, groups and their members.
extension SimulatedTenant {
    // MARK: Organization and the signed-in admin

    func organization(_ call: GraphCall, rest: [String]) throws(GraphFailure) -> WireResponse {
        guard call.request.method == "GET" else { throw .methodNotAllowed }
        try authorize(.readOrganization, call)
        let domains: [JSONValue] = [
            [
                "capabilities": "Email, OfficeCommunicationsOnline", "isDefault": true, "isInitial": false,
                "name": .string(identity.defaultDomain), "type": "Managed",
            ],
            [
                "capabilities": "Email, OfficeCommunicationsOnline", "isDefault": false, "isInitial": true,
                "name": .string(identity.initialDomain), "type": "Managed",
            ],
        ]
        let organization: [String: JSONValue] = [
            "id": .string(identity.tenantID), "displayName": .string(identity.organizationName), "tenantType": "AAD",
            "countryLetterCode": "US", "verifiedDomains": .array(domains),
        ]
        if rest.isEmpty {
            return .json(
                200,
                [
                    "@odata.context": odataContext(call, "organization"),
                    "value": [.object(Self.project(organization, select: call.select))],
                ])
        }
        guard rest.count == 1, rest[0] == identity.tenantID else { throw .missingResource(rest.joined(separator: "/")) }
        return entity(call, organization, context: "organization/$entity")
    }

    func me(_ call: GraphCall, rest: [String]) throws(GraphFailure) -> WireResponse {
        guard !call.token.isAppOnly else {
            throw .badRequest("/me request is only valid with delegated authentication flow.", code: "BadRequest")
        }
        guard call.request.method == "GET" else { throw .methodNotAllowed }
        guard let user = directory.users[call.token.objectID] else { throw .missingResource(call.token.objectID) }
        switch rest {
        case []:
            return entity(call, userJSON(user), context: "users/$entity")
        case ["transitiveMemberOf", "microsoft.graph.directoryRole"], ["memberOf", "microsoft.graph.directoryRole"]:
            if rest[0] == "transitiveMemberOf" { try requireAdvancedQuery(call, for: "OData cast") }
            let roles = admin.directoryRoles.map { name -> [String: JSONValue] in
                let template = Catalog.directoryRoleTemplates[name] ?? "00000000-0000-0000-0000-000000000000"
                return [
                    "@odata.type": "#microsoft.graph.directoryRole", "id": .string(template),
                    "displayName": .string(name), "description": .string("\(name) (simulated)"),
                    "roleTemplateId": .string(template),
                ]
            }
            return try page(call, items: roles, context: "directoryObjects") { $0 }
        default:
            throw .unknownSegment(rest.first ?? "me")
        }
    }

    /// Refuses an advanced query sent without `ConsistencyLevel: eventual` and `$count=true`: "This
    /// header and `$count` are required when using the `$search`, `$filter`, `$orderby`, or OData
    /// cast query parameters" (microsoft-graph-docs-contrib
    /// `api-reference/v1.0/api/user-list-transitivememberof.md`, Request headers). The refusal is
    /// 400 `Request_UnsupportedQuery` in Graph's error shape, as `concepts/aad-advanced-queries.md`
    /// shows for `$search` without the header (the message text here is the simulator's own).
    func requireAdvancedQuery(_ call: GraphCall, for feature: String) throws(GraphFailure) {
        let eventual = call.request.header("consistencylevel")?.trimmingCharacters(in: .whitespaces)
            .equalsIgnoringCase("eventual") == true
        let counted = call.query["$count"]?.equalsIgnoringCase("true") == true
        guard eventual && counted else {
            throw .badRequest(
                "Request with \(feature) only works through MSGraph with a special request header: 'ConsistencyLevel: eventual' and the query parameter '$count=true'.",
                code: "Request_UnsupportedQuery")
        }
    }

    // MARK: Users

    func users(_ call: GraphCall, key: ODataSegment.Key?, rest: [String]) throws(GraphFailure) -> WireResponse {
        let lag = call.context.options.replicationLag
        guard let key else {
            if call.request.method == "POST" { return try createUser(call) }
            guard call.request.method == "GET" else { throw .methodNotAllowed }
            try authorize(.readUsers, call)
            var ids = directory.userOrder
            if let filter = call.query["$filter"] {
                ids = try evaluate(
                    filter, resource: "User", order: ids, sequence: { self.directory.users[$0]?.sequence ?? 0 },
                    indexed: { property, value in
                        switch property {
                        case "id": return self.directory.users[value.lowercased()].map { [$0.id] } ?? []
                        case "userprincipalname": return self.directory.user(userPrincipalName: value).map { [$0.id] } ?? []
                        case "mailnickname": return self.directory.objects(nickname: value).compactMap(Self.userID)
                        case "displayname": return self.directory.objects(displayName: value).compactMap(Self.userID)
                        case "mail":
                            guard case .user(let id)? = self.directory.owner(ofAddress: value),
                                self.directory.users[id]?.primarySmtpAddress?.equalsIgnoringCase(value) == true
                            else { return [] }
                            return [id]
                        default: return nil
                        }
                    },
                    any: { collection, value in
                        guard collection == "proxyaddresses" else { return nil }
                        guard case .user(let id)? = self.address(inProxy: value) else { return [] }
                        return [id]
                    },
                    field: { property in
                        switch property {
                        case "displayname": return { self.directory.users[$0]?.displayName }
                        case "userprincipalname": return { self.directory.users[$0]?.userPrincipalName }
                        case "mail": return { self.directory.users[$0]?.primarySmtpAddress }
                        case "mailnickname": return { self.directory.users[$0]?.mailNickname }
                        default: return nil
                        }
                    })
            }
            if lag > .zero {
                ids = ids.filter { self.directory.users[$0].map { self.isReplicated($0.createdAt, lag: lag) } ?? false }
            }
            return try page(call, items: ids, context: "users") { self.userJSON(self.directory.users[$0]) }
        }
        if let first = rest.first, Self.mailboxSegments.contains(first) {
            return try mailbox(call, key: key, rest: rest)
        }
        if rest == ["assignLicense"], call.request.method == "POST" {
            guard let user = directoryUser(key), isReplicated(user.createdAt, lag: lag) else {
                throw .missingResource(Self.describe(key))
            }
            return try assignLicense(call, user: user)
        }
        guard rest.isEmpty else { throw .unknownSegment(rest[0]) }
        if call.request.method == "PATCH" {
            guard let user = directoryUser(key), isReplicated(user.createdAt, lag: lag) else {
                throw .missingResource(Self.describe(key))
            }
            return try updateUser(call, user: user)
        }
        guard call.request.method == "GET" else { throw .methodNotAllowed }
        try authorize(.readUsers, call)
        guard let user = directoryUser(key), isReplicated(user.createdAt, lag: lag) else {
            throw .missingResource(Self.describe(key))
        }
        return entity(call, userJSON(user), context: "users/$entity")
    }

    /// The user named by a key: object id or user principal name, the only keys of
    /// `/users/{id | userPrincipalName}` (microsoft-graph-docs-contrib `api-reference/v1.0/api/user-get.md`).
    func directoryUser(_ key: ODataSegment.Key) -> DirectoryUser? {
        switch key {
        case .id(let value):
            return directory.users[value.lowercased()] ?? directory.user(userPrincipalName: value)
        case .alternate(let property, let value):
            guard property.equalsIgnoringCase("userPrincipalName") else { return nil }
            return directory.user(userPrincipalName: value)
        }
    }

    static func describe(_ key: ODataSegment.Key) -> String {
        switch key {
        case .id(let value): value
        case .alternate(_, let value): value
        }
    }

    static func userID(_ reference: DirectoryObjectReference) -> String? {
        if case .user(let id) = reference { return id }
        return nil
    }

    static func groupID(_ reference: DirectoryObjectReference) -> String? {
        if case .group(let id) = reference { return id }
        return nil
    }

    /// The owner of the address in a proxy address literal (`smtp:x@y`, any case); other prefixes match nothing.
    func address(inProxy value: String) -> DirectoryObjectReference? {
        guard value.lowercased().hasPrefix("smtp:") else { return nil }
        return directory.owner(ofAddress: String(value.dropFirst(5)))
    }

    /// A user as Graph shows it; `typed` adds `@odata.type` (collections of directory objects).
    func userJSON(_ user: DirectoryUser?, typed: Bool = false) -> [String: JSONValue] {
        guard let user else { return [:] }
        var json: [String: JSONValue] = [
            "id": .string(user.id), "displayName": .string(user.displayName),
            "userPrincipalName": .string(user.userPrincipalName), "mailNickname": .string(user.mailNickname),
            "mail": user.primarySmtpAddress.map(JSONValue.string) ?? .null,
            "proxyAddresses": .array(user.proxyAddresses.map(JSONValue.string)),
            "accountEnabled": .bool(user.accountEnabled), "userType": .string(user.userType ?? "Member"),
            "usageLocation": user.usageLocation.map(JSONValue.string) ?? .null,
            "assignedLicenses": .array(
                (user.assignedLicenses ?? []).map { ["skuId": .string($0), "disabledPlans": []] }),
        ]
        if typed { json["@odata.type"] = "#microsoft.graph.user" }
        return json
    }

    // MARK: Groups

    func groups(_ call: GraphCall, key: ODataSegment.Key?, rest: [String]) throws(GraphFailure) -> WireResponse {
        let lag = call.context.options.replicationLag
        guard let key else {
            switch call.request.method {
            case "GET": return try listGroups(call, lag: lag)
            case "POST": return try createGroup(call)
            default: throw .methodNotAllowed
            }
        }
        guard case .id(let rawID) = key, let group = directory.groups[rawID.lowercased()] else {
            throw .missingResource(Self.describe(key))
        }
        switch (call.request.method, rest) {
        case ("GET", []):
            try authorize(.readGroups, call)
            guard isReplicated(group.createdAt, lag: lag) else { throw .missingResource(group.id) }
            return entity(call, groupJSON(group), context: "groups/$entity")
        case ("DELETE", []):
            try authorize(.writeGroups, call)
            guard group.kind.isWritableThroughGraph else { throw Self.mailEnabledWrite }
            removeGroup(group.id)
            return .empty(204)
        case ("GET", ["members"]), ("GET", ["members", "microsoft.graph.user"]), ("GET", ["members", "microsoft.graph.group"]):
            try authorize(.readGroups, call)
            guard isReplicated(group.createdAt, lag: lag) else { throw .missingResource(group.id) }
            var members = rbac.memberships[group.id]?.ordered ?? []
            if rest.count == 2 {
                members = members.filter { rest[1] == "microsoft.graph.user" ? Self.userID($0) != nil : Self.groupID($0) != nil }
            }
            return try page(call, items: members, context: "directoryObjects") { self.memberJSON($0) }
        case ("POST", ["members", "$ref"]):
            try authorize(.writeGroupMembers, call)
            guard group.kind.isWritableThroughGraph else { throw Self.mailEnabledUpdate }
            let body = try call.body()
            guard let reference = body["@odata.id"]?.string, let memberID = Self.objectID(fromReference: reference) else {
                throw .badRequest("Invalid object identifier in '@odata.id'.")
            }
            let member: DirectoryObjectReference
            if directory.users[memberID] != nil {
                member = .user(memberID)
            } else if directory.groups[memberID] != nil, memberID != group.id {
                member = .group(memberID)
            } else {
                throw .missingResource(memberID)
            }
            guard insertMember(member, into: group.id) else {
                throw .badRequest(
                    "One or more added object references already exist for the following modified properties: 'members'.")
            }
            return .empty(204)
        case ("DELETE", let path) where path.count == 3 && path[0] == "members" && path[2] == "$ref":
            try authorize(.writeGroupMembers, call)
            guard group.kind.isWritableThroughGraph else { throw Self.mailEnabledUpdate }
            guard deleteMember(path[1].lowercased(), from: group.id) else { throw .missingResource(path[1]) }
            return .empty(204)
        default:
            if let first = rest.first, first != "members" { throw .unknownSegment(first) }
            throw .methodNotAllowed
        }
    }

    static let mailEnabledWrite = GraphFailure.badRequest(
        "The service does not currently support writes of mail-enabled groups. Please ensure that the mail-enablement property is unset or set to false."
    )
    static let mailEnabledUpdate = GraphFailure.badRequest(
        "Cannot Update a mail-enabled security groups and or distribution list.")

    /// The object id at the end of a `@odata.id` reference (`…/directoryObjects/{id}` or `…/users('{id}')`).
    static func objectID(fromReference reference: String) -> String? {
        guard var last = reference.split(separator: "/").last.map(String.init) else { return nil }
        if let open = last.firstIndex(of: "("), last.hasSuffix(")") {
            last = String(last[last.index(after: open)..<last.index(before: last.endIndex)])
            last = last.trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        let id = WireRequest.decode(last).lowercased()
        return id.isEmpty ? nil : id
    }

    private func listGroups(_ call: GraphCall, lag: Duration) throws(GraphFailure) -> WireResponse {
        try authorize(.readGroups, call)
        var ids = directory.groupOrder
        if let filter = call.query["$filter"] {
            ids = try evaluate(
                filter, resource: "Group", order: ids, sequence: { self.directory.groups[$0]?.sequence ?? 0 },
                indexed: { property, value in
                    switch property {
                    case "id": return self.directory.groups[value.lowercased()].map { [$0.id] } ?? []
                    case "mailnickname": return self.directory.objects(nickname: value).compactMap(Self.groupID)
                    case "displayname": return self.directory.objects(displayName: value).compactMap(Self.groupID)
                    case "mail":
                        guard case .group(let id)? = self.directory.owner(ofAddress: value),
                            self.directory.groups[id]?.primarySmtpAddress?.equalsIgnoringCase(value) == true
                        else { return [] }
                        return [id]
                    default: return nil
                    }
                },
                any: { collection, value in
                    switch collection {
                    case "proxyaddresses":
                        guard case .group(let id)? = self.address(inProxy: value) else { return [] }
                        return [id]
                    case "grouptypes":
                        return self.directory.groupOrder.filter {
                            self.directory.groups[$0]?.groupTypes.contains { $0.equalsIgnoringCase(value) } ?? false
                        }
                    default: return nil
                    }
                },
                field: { property in
                    switch property {
                    case "displayname": return { self.directory.groups[$0]?.displayName }
                    case "mailnickname": return { self.directory.groups[$0]?.mailNickname }
                    case "mail": return { self.directory.groups[$0]?.primarySmtpAddress }
                    default: return nil
                    }
                })
        }
        if lag > .zero {
            ids = ids.filter { self.directory.groups[$0].map { self.isReplicated($0.createdAt, lag: lag) } ?? false }
        }
        return try page(call, items: ids, context: "groups") { self.groupJSON(self.directory.groups[$0]) }
    }

    private func createGroup(_ call: GraphCall) throws(GraphFailure) -> WireResponse {
        try authorize(.writeGroups, call)
        let body = try call.body()
        guard let displayName = body["displayName"]?.string, !displayName.isEmpty else {
            throw .badRequest("Invalid value specified for property 'displayName' of resource 'Group'.")
        }
        guard let nickname = body["mailNickname"]?.string, Self.isValidNickname(nickname) else {
            throw .badRequest("Invalid value specified for property 'mailNickname' of resource 'Group'.")
        }
        guard let mailEnabled = body["mailEnabled"]?.bool, let securityEnabled = body["securityEnabled"]?.bool else {
            throw .badRequest("Properties 'mailEnabled' and 'securityEnabled' are required.")
        }
        let types = body["groupTypes"]?.strings ?? []
        if types.contains(where: { $0.equalsIgnoringCase("DynamicMembership") }) {
            throw .badRequest("Dynamic membership is not supported by the simulated tenant.")
        }
        let kind: GroupKind
        if types.contains(where: { $0.equalsIgnoringCase("Unified") }) {
            guard mailEnabled else { throw .badRequest("A Microsoft 365 group must be mail-enabled.") }
            kind = .microsoft365
        } else if mailEnabled {
            throw Self.mailEnabledWrite
        } else if securityEnabled {
            kind = .security
        } else {
            throw .badRequest("A group that is neither mail-enabled nor security-enabled is not supported.")
        }
        let address = "\(nickname)@\(identity.defaultDomain)"
        if kind == .microsoft365, directory.isTaken(address) || directory.isTaken("\(nickname)@\(identity.initialDomain)") {
            throw .badRequest("Another object with the same value for property proxyAddresses already exists.")
        }
        // Owners (microsoft-graph-docs-contrib api-reference/v1.0/api/group-post-groups.md): at most
        // 20 relationships (owners and members) at creation; each owner a user or a service
        // principal. Without owners, a delegated caller becomes the owner (Example 1), while "Creating
        // a Microsoft 365 group programmatically with an app-only context and without specifying
        // owners will create the group anonymously": no owner at all.
        let ownerReferences = body["owners@odata.bind"]?.strings ?? []
        let memberReferences = body["members@odata.bind"]?.strings ?? []
        guard ownerReferences.count + memberReferences.count <= 20 else {
            throw .badRequest("A maximum of 20 owners and members can be added when a group is created.")
        }
        var owners: [String] = []
        for reference in ownerReferences {
            guard let ownerID = Self.objectID(fromReference: reference),
                directory.users[ownerID] != nil || registry.servicePrincipals[ownerID] != nil
            else {
                throw .badRequest("Invalid object identifier '\(reference)' in owners@odata.bind.")
            }
            if !owners.contains(ownerID) { owners.append(ownerID) }
        }
        if owners.isEmpty, !call.token.isAppOnly { owners = [call.token.objectID.lowercased()] }
        let id = newGUID()
        let name = kind == .microsoft365 ? "\(nickname)_\(id.replacingOccurrences(of: "-", with: "").prefix(10))" : displayName
        var group = DirectoryGroup(
            id: id, displayName: displayName, name: name, mailNickname: nickname, kind: kind,
            proxyAddresses: kind == .microsoft365 ? ["SMTP:\(address)", "smtp:\(nickname)@\(identity.initialDomain)"] : [],
            distinguishedName: kind == .microsoft365 ? Catalog.distinguishedName(name: name) : nil,
            exchangeGuid: newGUID(), description: body["description"]?.string, createdAt: now,
            sequence: directory.takeSequence())
        group.owners = owners
        directory.add(group)
        rbac.memberships[id] = MemberList()
        for reference in memberReferences {
            guard let memberID = Self.objectID(fromReference: reference) else { continue }
            if directory.users[memberID] != nil {
                rbac.memberships[id]?.insert(.user(memberID))
            } else if directory.groups[memberID] != nil {
                rbac.memberships[id]?.insert(.group(memberID))
            }
        }
        return entity(call, groupJSON(group), context: "groups/$entity", status: 201)
    }

    /// Whether `nickname` is a valid mail nickname: 1–64 ASCII characters without `@ ( ) \ [ ] " ; : . < > ,` or spaces.
    static func isValidNickname(_ nickname: String) -> Bool {
        !nickname.isEmpty && nickname.count <= 64
            && nickname.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 32 && !"@()\\[]\";:.<>, ".unicodeScalars.contains($0) }
    }

    /// Removes a group, its memberships and its place in other groups.
    func removeGroup(_ id: String) {
        let affectsScope = isScopeGroup(id) || rbac.memberships.contains { $0.value.contains(id) && isScopeGroup($0.key) }
        if affectsScope { beginRBACChange() }
        for (groupID, members) in rbac.memberships where members.contains(id) {
            rbac.memberships[groupID]?.remove(id)
        }
        rbac.memberships.removeValue(forKey: id)
        directory.removeGroup(id)
    }

    /// A group as Graph shows it; `typed` adds `@odata.type` (collections of directory objects).
    func groupJSON(_ group: DirectoryGroup?, typed: Bool = false) -> [String: JSONValue] {
        guard let group else { return [:] }
        var json: [String: JSONValue] = [
            "id": .string(group.id), "displayName": .string(group.displayName),
            "description": group.description.map(JSONValue.string) ?? .null,
            "mailNickname": .string(group.mailNickname), "mail": group.primarySmtpAddress.map(JSONValue.string) ?? .null,
            "mailEnabled": .bool(group.mailEnabled), "securityEnabled": .bool(group.securityEnabled),
            "groupTypes": .array(group.groupTypes.map(JSONValue.string)),
            "proxyAddresses": .array(group.proxyAddresses.map(JSONValue.string)),
            "createdDateTime": .string(Timestamp.string(group.createdAt)),
            "visibility": group.kind == .microsoft365 ? "Private" : .null,
        ]
        if typed { json["@odata.type"] = "#microsoft.graph.group" }
        return json
    }

    func memberJSON(_ reference: DirectoryObjectReference) -> [String: JSONValue] {
        switch reference {
        case .user(let id): userJSON(directory.users[id], typed: true)
        case .group(let id): groupJSON(directory.groups[id], typed: true)
        }
    }

    // MARK: Directory objects

    func directoryObject(_ call: GraphCall, key: ODataSegment.Key?, rest: [String]) throws(GraphFailure) -> WireResponse {
        guard call.request.method == "GET" else { throw .methodNotAllowed }
        guard let key, rest.isEmpty, case .id(let raw) = key else { throw .unknownSegment("directoryObjects") }
        try authorize(.readDirectory, call)
        let id = raw.lowercased()
        let lag = call.context.options.replicationLag
        if let user = directory.users[id], isReplicated(user.createdAt, lag: lag) {
            return entity(call, userJSON(user, typed: true), context: "directoryObjects/$entity")
        }
        if let group = directory.groups[id], isReplicated(group.createdAt, lag: lag) {
            return entity(call, groupJSON(group, typed: true), context: "directoryObjects/$entity")
        }
        if let servicePrincipal = registry.servicePrincipals[id], isReplicated(servicePrincipal.createdAt, lag: lag) {
            var json = servicePrincipalJSON(servicePrincipal)
            json["@odata.type"] = "#microsoft.graph.servicePrincipal"
            return entity(call, json, context: "directoryObjects/$entity")
        }
        if let application = registry.applications[id], isReplicated(application.createdAt, lag: lag) {
            var json = applicationJSON(application)
            json["@odata.type"] = "#microsoft.graph.application"
            return entity(call, json, context: "directoryObjects/$entity")
        }
        throw .missingResource(raw)
    }
}
