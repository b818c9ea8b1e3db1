import Crypto
import Foundation
import MailscopeCore

/// Graph beta `roleManagement/exchange`: RBAC for Applications without PowerShell. Custom app
/// scopes are Exchange management scopes and role assignments are Exchange management role
/// assignments; both views read and write the same RBAC state, so a scope made here is what
/// `Get-ManagementScope` shows and what mailbox calls are checked against.
extension SimulatedTenant {
    /// Answers `/beta/roleManagement/exchange/...`; `rest` starts after `exchange`.
    func exchangeRoleManagement(_ call: GraphCall, rest: [String]) throws(GraphFailure) -> WireResponse {
        let reading = call.request.method == "GET"
        try authorizeRoleManagement(call, write: !reading)
        guard let collection = rest.first else { throw .unknownSegment("exchange") }
        let key = rest.count > 1 ? rest[1] : nil
        switch (collection, call.request.method, key) {
        case ("roleDefinitions", "GET", nil):
            var roles = Catalog.applicationRoles
            if let wanted = try equalityFilter(call, field: "displayName") {
                roles = roles.filter { $0.name.caseInsensitiveCompare(wanted) == .orderedSame }
            }
            return try page(call, items: roles, context: "roleManagement/exchange/roleDefinitions") { role in
                ["id": .string(Self.roleDefinitionID(role.name)), "displayName": .string(role.name), "isBuiltIn": true,
                 "description": .string("Grants \(role.permissions.joined(separator: ", ")) limited to a resource scope.")]
            }
        case ("customAppScopes", "GET", nil):
            var scopes = rbac.scopes.values.sorted { $0.name < $1.name }
            if let wanted = try equalityFilter(call, field: "displayName") {
                scopes = scopes.filter { $0.name.caseInsensitiveCompare(wanted) == .orderedSame }
            }
            return try page(call, items: scopes, context: "roleManagement/exchange/customAppScopes") { Self.customAppScope($0) }
        case ("customAppScopes", "GET", let id?):
            return entity(call, Self.customAppScope(try scope(id: id)), context: "roleManagement/exchange/customAppScopes/$entity")
        case ("customAppScopes", "POST", nil):
            let body = try call.body()
            guard body["type"]?.string ?? "RecipientScope" == "RecipientScope" else {
                throw .badRequest("Only RecipientScope custom app scopes are supported.")
            }
            guard let name = body["displayName"]?.string, !name.isEmpty else { throw .badRequest("displayName is required.") }
            guard name.count <= 64 else { throw .badRequest("displayName is longer than 64 characters.") }
            let attributes = body["customAttributes"] ?? .null
            if attributes["Exclusive"].bool == true {
                throw .badRequest("Exclusive scopes aren't supported by the simulated tenant (they don't restrict apps).")
            }
            guard let text = attributes["RecipientFilter"].string else { throw .badRequest("customAttributes.RecipientFilter is required.") }
            guard rbac.scopes[name.lowercased()] == nil else {
                throw GraphFailure(status: 409, code: "Conflict", message: "A management scope named '\(name)' already exists.")
            }
            let created = ManagementScope(name: name, recipientFilter: text, guid: newGUID(), filter: try graphFilter(text))
            beginRBACChange()
            rbac.scopes[name.lowercased()] = created
            return entity(call, Self.customAppScope(created), context: "roleManagement/exchange/customAppScopes/$entity", status: 201)
        case ("customAppScopes", "PATCH", let id?):
            var existing = try scope(id: id)
            let body = try call.body()
            if let text = body["customAttributes"]?["RecipientFilter"].string {
                existing.filter = try graphFilter(text)
                existing.recipientFilter = text
            }
            beginRBACChange()
            rbac.scopes[existing.name.lowercased()] = existing
            return .empty(204)
        case ("roleAssignments", "GET", nil):
            var assignments = rbac.assignments.values.sorted { $0.name < $1.name }
            if let principal = try equalityFilter(call, field: "principalId") {
                let id = principal.split(separator: "/").last.map(String.init) ?? principal
                assignments = assignments.filter { $0.app.caseInsensitiveCompare(id) == .orderedSame }
            }
            return try page(call, items: assignments, context: "roleManagement/exchange/roleAssignments") { self.roleAssignment($0) }
        case ("roleAssignments", "POST", nil):
            let body = try call.body()
            guard let definition = body["roleDefinitionId"]?.string,
                let role = Catalog.applicationRoles.first(where: { Self.roleDefinitionID($0.name) == definition.lowercased() })
            else { throw .badRequest("roleDefinitionId does not name an Exchange application role.") }
            guard let principal = body["principalId"]?.string, principal.lowercased().hasPrefix("/serviceprincipals/") else {
                throw .badRequest("principalId must be /ServicePrincipals/{id}.")
            }
            let objectID = String(principal.dropFirst("/ServicePrincipals/".count))
            guard let pointer = rbac.servicePrincipals.values.first(where: { $0.objectId.caseInsensitiveCompare(objectID) == .orderedSame }) else {
                throw .badRequest("The service principal \(objectID) isn't registered in Exchange (New-ServicePrincipal).")
            }
            var scopeName: String?
            if let appScope = body["appScopeId"]?.string {
                scopeName = try scope(id: appScope).name
            } else if let directory = body["directoryScopeId"]?.string, directory != "/" {
                throw .badRequest("The simulated tenant supports appScopeId or the tenant scope \"/\" only.")
            }
            let name = String("\(role.name)-\(pointer.displayName)".prefix(64))
            guard !rbac.assignments.values.contains(where: {
                $0.app == pointer.objectId && $0.role == role.name && $0.customResourceScope?.lowercased() == scopeName?.lowercased()
            }) else {
                throw GraphFailure(status: 409, code: "Conflict", message: "The role assignment already exists.")
            }
            var unique = name
            var counter = 1
            while rbac.assignments[unique.lowercased()] != nil {
                counter += 1
                unique = String(name.prefix(60)) + "-\(counter)"
            }
            let assignment = ManagementRoleAssignment(
                name: unique, role: role.name, app: pointer.objectId, customResourceScope: scopeName, enabled: true,
                guid: newGUID())
            beginRBACChange()
            rbac.assignments[unique.lowercased()] = assignment
            return entity(call, roleAssignment(assignment), context: "roleManagement/exchange/roleAssignments/$entity", status: 201)
        case ("roleAssignments", "DELETE", let id?):
            guard let found = rbac.assignments.first(where: { $0.value.guid.caseInsensitiveCompare(id) == .orderedSame }) else {
                throw .notFound("Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
            }
            beginRBACChange()
            rbac.assignments.removeValue(forKey: found.key)
            return .empty(204)
        default:
            throw .unknownSegment(collection)
        }
    }

    /// A stable id for an application role definition.
    static func roleDefinitionID(_ name: String) -> String {
        let digest = Array(SHA256.hash(data: Data("exchange-role:\(name.lowercased())".utf8)))
        let hex = digest.prefix(16).map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20).prefix(12)]
        return parts.map(String.init).joined(separator: "-")
    }

    static func customAppScope(_ scope: ManagementScope) -> [String: JSONValue] {
        [
            "id": .string(scope.guid), "type": "RecipientScope", "displayName": .string(scope.name),
            "customAttributes": ["Exclusive": .bool(scope.exclusive), "RecipientFilter": .string(scope.recipientFilter)],
        ]
    }

    func roleAssignment(_ assignment: ManagementRoleAssignment) -> [String: JSONValue] {
        let scope = assignment.customResourceScope.flatMap { rbac.scopes[$0.lowercased()] }
        let appScope: JSONValue
        if let scope {
            appScope = .string(scope.guid)
        } else if let name = assignment.customResourceScope {
            appScope = .string("deleted-scope:\(name)")  // bound to a scope deleted behind Exchange's back
        } else {
            appScope = .null
        }
        return [
            "id": .string(assignment.guid), "principalId": .string("/ServicePrincipals/\(assignment.app)"),
            "roleDefinitionId": .string(Self.roleDefinitionID(assignment.role)),
            "directoryScopeId": assignment.customResourceScope == nil ? "/" : .null, "appScopeId": appScope,
        ]
    }

    private func scope(id: String) throws(GraphFailure) -> ManagementScope {
        guard let found = rbac.scopes.values.first(where: { $0.guid.caseInsensitiveCompare(id) == .orderedSame }) else {
            throw .notFound("Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        return found
    }

    private func graphFilter(_ text: String) throws(GraphFailure) -> RecipientFilter {
        do {
            return try recipientFilter(text)
        } catch {
            throw .badRequest(error.message)
        }
    }

    /// The value of a `$filter` of the form `<field> eq '<value>'`, or nil without a filter.
    private func equalityFilter(_ call: GraphCall, field: String) throws(GraphFailure) -> String? {
        guard let text = call.query["$filter"] else { return nil }
        let prefix = "\(field) eq '"
        guard text.hasPrefix(prefix), text.hasSuffix("'"), text.count > prefix.count else {
            throw .badRequest("Unsupported query: only \(field) eq '...' is supported here.", code: "Request_UnsupportedQuery")
        }
        return String(text.dropFirst(prefix.count).dropLast()).replacingOccurrences(of: "''", with: "'")
    }

    private func authorizeRoleManagement(_ call: GraphCall, write: Bool) throws(GraphFailure) {
        if call.token.isAppOnly {
            let allowed: Set<String> = write
                ? ["RoleManagement.ReadWrite.Exchange"]
                : ["RoleManagement.Read.Exchange", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Exchange"]
            guard !allowed.isDisjoint(with: call.token.roles) else { throw .insufficientPrivileges }
        } else {
            // beta unifiedrbacapplication-*-permissions.md: RoleManagement.ReadWrite.Exchange to
            // write; RoleManagement.Read.Exchange (least) or higher to read.
            try Self.requireScope(
                write
                    ? ["RoleManagement.ReadWrite.Exchange"]
                    : ["RoleManagement.Read.Exchange", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Exchange"],
                call)
            guard !Catalog.exchangeAdminRoles.isDisjoint(with: admin.directoryRoles) else { throw .insufficientPrivileges }
        }
    }
}
