import Foundation

/// The delegated Microsoft Graph permissions a setup signs in with: for each request the config
/// will make, the least privileged permission of that API's "Permissions" table (Graph v1.0 and
/// beta reference, `api-reference/*/includes/permissions/*-permissions.md`), and no more.
public enum GraphPermissions {
    /// One request family, the permission its table names as least privileged, and the page.
    public struct Need: Sendable, Equatable {
        /// What mailscope sends.
        public var request: String
        /// The least privileged delegated permission.
        public var permission: String
        /// The documentation page's permission table.
        public var source: String
    }

    /// What every Exchange Online setup sends.
    public static let always: [Need] = [
        Need(request: "GET /me, GET /organization", permission: "User.Read", source: "organization-get-permissions.md"),
        Need(
            request: "GET /me/transitiveMemberOf/microsoft.graph.directoryRole", permission: "RoleManagement.Read.Directory",
            source: "user-list-transitivememberof-permissions.md (directory roles)"),
        Need(
            request: "PATCH /applications(uniqueName=…), POST addPassword, PATCH keyCredentials, PATCH /servicePrincipals(appId=…)",
            permission: "Application.ReadWrite.All",
            source: "application-upsert-permissions.md, serviceprincipal-upsert-permissions.md"),
        Need(
            request: "GET and DELETE /servicePrincipals/{id}/appRoleAssignments", permission: "AppRoleAssignment.ReadWrite.All",
            source: "serviceprincipal-delete-approleassignments-permissions.md"),
        Need(
            request: "GET /users (member lookup by proxy address, out-of-scope candidate)", permission: "User.Read.All",
            source: "user-list-permissions.md (proxyAddresses is not a basic property)"),
        Need(
            request: "GET /groups, GET /groups/{id}/members", permission: "GroupMember.Read.All",
            source: "group-list-members-permissions.md"),
        Need(
            request: "beta /roleManagement/exchange/customAppScopes, roleAssignments, roleDefinitions",
            permission: "RoleManagement.ReadWrite.Exchange", source: "beta unifiedrbacapplication-post-customappscope-permissions.md"),
    ]

    /// What a Microsoft 365 group adds (a distribution or mail-enabled security group is made through Exchange).
    public static let microsoft365Group: [Need] = [
        Need(
            request: "POST /groups, POST /groups/{id}/members/$ref", permission: "Group.ReadWrite.All",
            source: "group-post-groups-permissions.md (delegated), group-post-members-permissions.md"),
    ]

    /// What a licensed service-account mailbox user adds.
    public static let mailboxUser: [Need] = [
        Need(request: "POST /users, PATCH /users/{id}", permission: "User.ReadWrite.All", source: "user-post-users-permissions.md"),
        Need(
            request: "POST /users/{id}/assignLicense", permission: "LicenseAssignment.ReadWrite.All",
            source: "user-assignlicense-permissions.md"),
        Need(request: "GET /subscribedSkus", permission: "Organization.Read.All", source: "subscribedsku-list-permissions.md"),
    ]

    /// What delegated access adds: admin consent for all users (oauth2PermissionGrant).
    public static let delegatedAccess: [Need] = [
        Need(
            request: "GET, POST /oauth2PermissionGrants, PATCH /oauth2PermissionGrants/{id}",
            permission: "DelegatedPermissionGrant.ReadWrite.All",
            source: "oauth2permissiongrant-post-permissions.md, oauth2permissiongrant-update-permissions.md"),
    ]

    /// The requests `config` will make, with their permissions.
    public static func needs(for config: SetupConfig) -> [Need] {
        always + (config.groupKind == .microsoft365 && config.scopeKind == .group ? microsoft365Group : [])
            + (config.mailboxUser != nil ? mailboxUser : []) + (config.access == .delegated ? delegatedAccess : [])
    }
}

extension SetupConfig {
    /// The delegated Graph scopes a device-code sign-in asks for with this config, each once.
    public var delegatedGraphScopes: [String] {
        GraphPermissions.needs(for: self).map(\.permission).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }
}
