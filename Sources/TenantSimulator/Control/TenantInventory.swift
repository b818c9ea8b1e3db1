import Foundation
import MailscopeCore

extension SimulatedTenant {
    /// The tenant's objects as a normalised summary (`GET /_sim/inventory`), equal for two tenants
    /// whose setups are the same whatever the ids they were given: apps by name with their
    /// credential counts, service principals, tenant-wide grants, groups with their direct members'
    /// addresses, Exchange's service-principal pointers, scopes with their filters (group DNs
    /// replaced by `<group NAME>`), role assignments (role, app or user, scope), the users holding an
    /// Exchange Server password, and every mailbox (address and kind). Lists are sorted, so a
    /// duplicate shows as a repeated entry.
    public func inventory() -> JSONValue {
        func sorted(_ items: [JSONValue]) -> JSONValue {
            .array(items.sorted { $0.encoded().lexicographicallyPrecedes($1.encoded()) })
        }
        let spNames = Dictionary(
            registry.servicePrincipals.values.map { ($0.id, $0.displayName) }, uniquingKeysWith: { first, _ in first })
        let applications = registry.applications.values.map { app -> JSONValue in
            [
                "name": .string(app.displayName), "uniqueName": app.uniqueName.map(JSONValue.string) ?? .null,
                "secrets": .number(Double(app.passwordCredentials.count)),
                "certificates": .number(Double(app.keyCredentials.count)),
            ]
        }
        let servicePrincipals = registry.servicePrincipals.values.map { JSONValue.string($0.displayName) }
        let grants = registry.grants.values.map { grant -> JSONValue in
            ["principal": .string(grant.principalDisplayName), "permission": .string(grant.permission)]
        }
        func address(_ member: DirectoryObjectReference) -> String {
            switch member {
            case .user(let id): directory.users[id]?.primarySmtpAddress ?? directory.users[id]?.userPrincipalName ?? id
            case .group(let id): "group:" + (directory.groups[id]?.name ?? id)
            }
        }
        let groups = directory.groups.values.map { group -> JSONValue in
            let members = (rbac.memberships[group.id]?.ordered ?? []).map(address).sorted()
            return [
                "name": .string(group.name), "kind": .string(group.kind.rawValue),
                "members": .array(members.map(JSONValue.string)),
            ]
        }
        let pointers = rbac.servicePrincipals.values.map { pointer -> JSONValue in
            [
                "name": .string(pointer.displayName),
                "app": .string(registry.application(appID: pointer.appId)?.displayName ?? pointer.appId),
                "servicePrincipal": .string(spNames[pointer.objectId] ?? pointer.objectId),
            ]
        }
        let groupDNs = directory.groups.values.compactMap { group in group.distinguishedName.map { ($0, group.name) } }
        func normalised(_ filter: String) -> String {
            var text = filter
            for (dn, name) in groupDNs.sorted(by: { $0.0.count > $1.0.count }) {
                text = text.replacingOccurrences(of: dn.replacingOccurrences(of: "'", with: "''"), with: "<group \(name)>")
                text = text.replacingOccurrences(of: dn, with: "<group \(name)>")
            }
            return text
        }
        let scopes = rbac.scopes.values.map { scope -> JSONValue in
            [
                "name": .string(scope.name), "filter": .string(normalised(scope.recipientFilter)),
                "exclusive": .bool(scope.exclusive),
            ]
        }
        let assignments = rbac.assignments.values.map { assignment -> JSONValue in
            [
                "role": .string(assignment.role), "app": .string(spNames[assignment.app] ?? assignment.app),
                "scope": assignment.customResourceScope.map(JSONValue.string) ?? .null, "enabled": .bool(assignment.enabled),
            ]
        }
        let userAssignments = rbac.userAssignments.values.map { assignment -> JSONValue in
            let user = directory.users[assignment.user]
            return [
                "role": .string(assignment.role),
                "user": .string(user?.primarySmtpAddress ?? user?.userPrincipalName ?? assignment.user),
                "scope": assignment.customRecipientWriteScope.map(JSONValue.string) ?? .null,
                "enabled": .bool(assignment.enabled),
            ]
        }
        let passwordHolders = passwords.keys.map { id in
            JSONValue.string(directory.users[id]?.primarySmtpAddress ?? directory.users[id]?.userPrincipalName ?? id)
        }
        let mailboxes = directory.userOrder.compactMap { directory.users[$0] }.compactMap { user -> JSONValue? in
            guard let kind = user.recipientTypeDetails, let address = user.primarySmtpAddress else { return nil }
            // The UPN too: Graph addresses a user by id or UPN only (user-get.md), not by mail.
            return ["address": .string(address), "kind": .string(kind), "upn": .string(user.userPrincipalName)]
        }
        return [
            "applications": sorted(applications), "servicePrincipals": sorted(servicePrincipals),
            "grants": sorted(grants), "groups": sorted(groups), "exchangeServicePrincipals": sorted(pointers),
            "scopes": sorted(scopes), "roleAssignments": sorted(assignments),
            "userRoleAssignments": sorted(userAssignments), "passwords": sorted(passwordHolders),
            "mailboxes": sorted(mailboxes),
        ]
    }
}
