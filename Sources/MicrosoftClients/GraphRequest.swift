import Foundation
import MailscopeCore

/// One Microsoft Graph request as mailscope sends it: the method, the path below the Graph base
/// (percent-encoded, with its version and query), the headers its documentation requires, whether
/// it may be sent again after a lost answer, and the line an admin reads in the evidence
/// (`GET /v1.0/servicePrincipals(appId='…')`: the path decoded, without `$select`/`$top`/`$count`).
///
/// Built by the named functions below, one per request the engine sends; each names the Graph
/// page it follows, and docs/wire-contract.md has a row for each (`WireContract.rows`).
public struct GraphRequest: Sendable, Equatable, CustomStringConvertible {
    /// The HTTP method.
    public let method: String
    /// The path below the Graph base, encoded as sent (e.g. `/v1.0/users/a%23b?$select=id`), or an
    /// `@odata.nextLink` (an absolute URL on the same host).
    public let path: String
    /// Headers the request needs beyond authorization and content type (`Prefer`, `ConsistencyLevel`).
    public let headers: [HTTPHeader]
    /// Whether the request may be sent again when its answer is lost (reads, upserts, PATCH, DELETE,
    /// assignLicense); a POST that creates something is sent once.
    public let idempotent: Bool
    /// The line an admin reads in the evidence, e.g. `GET /v1.0/applications(uniqueName='x')`.
    public let evidence: String

    /// A request of `method` on `resource` (an encoded path without query) with `query` items
    /// (encoded by `GraphClient.path`); the evidence shows the decoded path and the `shown` items
    /// (what decides the answer, such as `$filter`), their values unencoded.
    init(
        _ method: String,
        _ resource: String,
        query: [(String, String)] = [],
        shown: Set<String> = ["$filter"],
        headers: [HTTPHeader] = [],
        idempotent: Bool? = nil
    ) {
        self.method = method
        self.path = Query.path(resource, query)
        self.headers = headers
        self.idempotent = idempotent ?? (method == "GET")
        let visible = query.filter { shown.contains($0.0) }.map { "\($0.0)=\($0.1)" }
        self.evidence =
            "\(method) \(resource.removingPercentEncoding ?? resource)"
            + (visible.isEmpty ? "" : "?" + visible.joined(separator: "&"))
    }

    public var description: String { evidence }

    /// The evidence line with what the request answered: `GET /v1.0/organization → Contoso`.
    public func answered(_ outcome: String) -> String { "\(evidence) → \(outcome)" }

    private static let v1 = "/v1.0"
    private static let exchangeRBAC = "/beta/roleManagement/exchange"
    private static let createIfMissing = HTTPHeader(name: "Prefer", value: "create-if-missing")
    private static func key(_ value: String) -> String { Query.segment(value) }
    private static func list(_ properties: [String]) -> String { properties.joined(separator: ",") }

    // MARK: Paging

    /// The next page of a collection: its `@odata.nextLink` as Graph returned it (absolute, and
    /// only ever followed on the Graph host; microsoft-graph-docs-contrib `concepts/paging.md`).
    public static func nextPage(_ link: String) -> GraphRequest {
        GraphRequest(method: "GET", path: link, headers: [], idempotent: true, evidence: "GET \(link)")
    }

    private init(method: String, path: String, headers: [HTTPHeader], idempotent: Bool, evidence: String) {
        self.method = method
        self.path = path
        self.headers = headers
        self.idempotent = idempotent
        self.evidence = evidence
    }

    // MARK: Organization and the signed-in admin

    /// The tenant: its id, name and verified domains
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/organization-get.md).
    public static func organization() -> GraphRequest {
        GraphRequest("GET", "\(v1)/organization", query: [("$select", "id,displayName,verifiedDomains,countryLetterCode")])
    }

    /// The signed-in user's object id (microsoft-graph-docs-contrib api-reference/v1.0/api/user-get.md).
    public static func me() -> GraphRequest {
        GraphRequest("GET", "\(v1)/me", query: [("$select", "id")])
    }

    /// The directory roles the signed-in user holds, directly or through groups: an OData cast,
    /// so an advanced query with `ConsistencyLevel: eventual` and `$count=true`
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/user-list-transitivememberof.md).
    public static func myDirectoryRoles() -> GraphRequest {
        GraphRequest(
            "GET",
            "\(v1)/me/transitiveMemberOf/microsoft.graph.directoryRole",
            query: [("$count", "true"), ("$select", "displayName,roleTemplateId")],
            headers: [GraphClient.eventualConsistency]
        )
    }

    /// The tenant's subscriptions (microsoft-graph-docs-contrib api-reference/v1.0/api/subscribedsku-list.md).
    public static func subscribedSkus(select properties: [String]) -> GraphRequest {
        GraphRequest("GET", "\(v1)/subscribedSkus", query: [("$select", list(properties))])
    }

    // MARK: Applications

    /// An app registration by object id (microsoft-graph-docs-contrib api-reference/v1.0/api/application-get.md).
    public static func application(id: String, select properties: [String] = []) -> GraphRequest {
        GraphRequest(
            "GET",
            "\(v1)/applications/\(key(id))",
            query: properties.isEmpty ? [] : [("$select", list(properties))]
        )
    }

    /// An app registration by its client-provided alternate key `uniqueName`
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/application-get.md).
    public static func application(uniqueName: String) -> GraphRequest {
        GraphRequest("GET", "\(v1)/applications(uniqueName=\(Query.literal(uniqueName)))")
    }

    /// The app registrations of a display name, 999 a page
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/application-list.md).
    public static func applications(displayName: String) -> GraphRequest {
        GraphRequest(
            "GET",
            "\(v1)/applications",
            query: [("$filter", "displayName eq \(Query.literal(displayName))"), ("$top", "999")]
        )
    }

    /// Creates the app registration of `uniqueName` when missing, or updates it: `Prefer:
    /// create-if-missing`, so safe to repeat
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/application-upsert.md).
    public static func upsertApplication(uniqueName: String) -> GraphRequest {
        GraphRequest(
            "PATCH",
            "\(v1)/applications(uniqueName=\(Query.literal(uniqueName)))",
            headers: [createIfMissing],
            idempotent: true
        )
    }

    /// Updates an app registration, e.g. its whole `keyCredentials` collection
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/application-update.md).
    public static func updateApplication(id: String) -> GraphRequest {
        GraphRequest("PATCH", "\(v1)/applications/\(key(id))", idempotent: true)
    }

    /// Adds a client secret to an app registration; the answer holds the only copy of the secret,
    /// so it is sent once (microsoft-graph-docs-contrib api-reference/v1.0/api/application-addpassword.md).
    public static func addPassword(application id: String) -> GraphRequest {
        GraphRequest("POST", "\(v1)/applications/\(key(id))/addPassword")
    }

    /// Removes a client secret from an app registration
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/application-removepassword.md).
    public static func removePassword(application id: String) -> GraphRequest {
        GraphRequest("POST", "\(v1)/applications/\(key(id))/removePassword")
    }

    // MARK: Service principals

    /// The service principal of an app, by the app's client id
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/serviceprincipal-get.md).
    public static func servicePrincipal(appID: String, select properties: [String]) -> GraphRequest {
        GraphRequest(
            "GET",
            "\(v1)/servicePrincipals(appId=\(Query.literal(appID)))",
            query: [("$select", list(properties))]
        )
    }

    /// A service principal by object id (microsoft-graph-docs-contrib api-reference/v1.0/api/serviceprincipal-get.md).
    public static func servicePrincipal(id: String, select properties: [String]) -> GraphRequest {
        GraphRequest("GET", "\(v1)/servicePrincipals/\(key(id))", query: [("$select", list(properties))])
    }

    /// Creates the service principal of an app when missing: `Prefer: create-if-missing`, so safe
    /// to repeat (microsoft-graph-docs-contrib api-reference/v1.0/api/serviceprincipal-upsert.md).
    public static func upsertServicePrincipal(appID: String) -> GraphRequest {
        GraphRequest(
            "PATCH",
            "\(v1)/servicePrincipals(appId=\(Query.literal(appID)))",
            headers: [createIfMissing],
            idempotent: true
        )
    }

    /// The app roles granted to a service principal, tenant-wide
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/serviceprincipal-list-approleassignments.md).
    public static func appRoleAssignments(of servicePrincipalID: String) -> GraphRequest {
        GraphRequest("GET", "\(v1)/servicePrincipals/\(key(servicePrincipalID))/appRoleAssignments")
    }

    /// Removes an app role granted to a service principal
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/serviceprincipal-delete-approleassignments.md).
    public static func deleteAppRoleAssignment(_ assignmentID: String, of servicePrincipalID: String) -> GraphRequest {
        GraphRequest(
            "DELETE",
            "\(v1)/servicePrincipals/\(key(servicePrincipalID))/appRoleAssignments/\(key(assignmentID))",
            idempotent: true
        )
    }

    // MARK: Delegated permission grants

    /// The delegated permission grants of a client service principal, filtered by `clientId`
    /// (which also keeps replication delays short)
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/oauth2permissiongrant-list.md).
    public static func oauth2PermissionGrants(clientID servicePrincipalID: String) -> GraphRequest {
        GraphRequest(
            "GET", "\(v1)/oauth2PermissionGrants", query: [("$filter", "clientId eq \(Query.literal(servicePrincipalID))")])
    }

    /// Creates a delegated permission grant (admin consent with `consentType` AllPrincipals); a
    /// POST that creates, so sent once
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/oauth2permissiongrant-post.md).
    public static func createOAuth2PermissionGrant() -> GraphRequest {
        GraphRequest("POST", "\(v1)/oauth2PermissionGrants")
    }

    /// Replaces a delegated permission grant's `scope` (the whole space-separated list)
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/oauth2permissiongrant-update.md).
    public static func updateOAuth2PermissionGrant(id: String) -> GraphRequest {
        GraphRequest("PATCH", "\(v1)/oauth2PermissionGrants/\(key(id))", idempotent: true)
    }

    // MARK: Users

    /// A user by object id or user principal name
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/user-get.md).
    public static func user(_ idOrUPN: String, select properties: [String]) -> GraphRequest {
        GraphRequest("GET", "\(v1)/users/\(key(idOrUPN))", query: [("$select", list(properties))])
    }

    /// The users with an SMTP address (primary or alias): `proxyAddresses/any(…)`
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/user-list.md).
    public static func users(withAddress address: String, select properties: [String]) -> GraphRequest {
        GraphRequest(
            "GET",
            "\(v1)/users",
            query: [("$filter", addressFilter(address)), ("$select", list(properties))]
        )
    }

    /// Every user, `top` a page (microsoft-graph-docs-contrib api-reference/v1.0/api/user-list.md).
    public static func users(select properties: [String], top: Int) -> GraphRequest {
        GraphRequest("GET", "\(v1)/users", query: [("$select", list(properties)), ("$top", "\(top)")])
    }

    /// Creates a user (microsoft-graph-docs-contrib api-reference/v1.0/api/user-post-users.md).
    public static func createUser() -> GraphRequest {
        GraphRequest("POST", "\(v1)/users")
    }

    /// Updates a user, e.g. its usage location
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/user-update.md).
    public static func updateUser(_ idOrUPN: String) -> GraphRequest {
        GraphRequest("PATCH", "\(v1)/users/\(key(idOrUPN))", idempotent: true)
    }

    /// Adds or removes a user's licences; the same licences again change nothing, so safe to repeat
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/user-assignlicense.md).
    public static func assignLicense(to idOrUPN: String) -> GraphRequest {
        GraphRequest("POST", "\(v1)/users/\(key(idOrUPN))/assignLicense", idempotent: true)
    }

    /// A mailbox's default calendar (microsoft-graph-docs-contrib api-reference/v1.0/api/calendar-get.md).
    public static func calendar(of userID: String) -> GraphRequest {
        GraphRequest("GET", "\(v1)/users/\(key(userID))/calendar", query: [("$select", "id")])
    }

    /// A mailbox's first message (microsoft-graph-docs-contrib api-reference/v1.0/api/user-list-messages.md).
    public static func messages(of userID: String) -> GraphRequest {
        GraphRequest("GET", "\(v1)/users/\(key(userID))/messages", query: [("$top", "1"), ("$select", "id")])
    }

    /// A mailbox's first contact (microsoft-graph-docs-contrib api-reference/v1.0/api/user-list-contacts.md).
    public static func contacts(of userID: String) -> GraphRequest {
        GraphRequest("GET", "\(v1)/users/\(key(userID))/contacts", query: [("$top", "1"), ("$select", "id")])
    }

    /// A mailbox's settings (microsoft-graph-docs-contrib api-reference/v1.0/api/user-get-mailboxsettings.md).
    public static func mailboxSettings(of userID: String) -> GraphRequest {
        GraphRequest("GET", "\(v1)/users/\(key(userID))/mailboxSettings")
    }

    // MARK: Groups

    /// Every group, `top` a page; the evidence shows the `$select` (what is compared)
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/group-list.md).
    public static func groups(select properties: [String], top: Int) -> GraphRequest {
        GraphRequest(
            "GET",
            "\(v1)/groups",
            query: [("$select", list(properties)), ("$top", "\(top)")],
            shown: ["$select"]
        )
    }

    /// The groups of a mail nickname (microsoft-graph-docs-contrib api-reference/v1.0/api/group-list.md).
    public static func groups(mailNickname: String) -> GraphRequest {
        GraphRequest("GET", "\(v1)/groups", query: [("$filter", "mailNickname eq \(Query.literal(mailNickname))")])
    }

    /// The groups with an SMTP address (primary or alias)
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/group-list.md).
    public static func groups(withAddress address: String, select properties: [String]) -> GraphRequest {
        GraphRequest(
            "GET",
            "\(v1)/groups",
            query: [("$filter", addressFilter(address)), ("$select", list(properties))]
        )
    }

    /// Creates a group (microsoft-graph-docs-contrib api-reference/v1.0/api/group-post-groups.md).
    public static func createGroup() -> GraphRequest {
        GraphRequest("POST", "\(v1)/groups")
    }

    /// A group's direct members, `top` a page
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/group-list-members.md).
    public static func members(of groupID: String, select properties: [String], top: Int) -> GraphRequest {
        GraphRequest(
            "GET",
            "\(v1)/groups/\(key(groupID))/members",
            query: [("$select", list(properties)), ("$top", "\(top)")]
        )
    }

    /// Adds a member to a group by its `@odata.id` (`GraphClient.reference`)
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/group-post-members.md).
    public static func addMember(to groupID: String) -> GraphRequest {
        GraphRequest("POST", "\(v1)/groups/\(key(groupID))/members/$ref")
    }

    /// `proxyAddresses/any(p:p eq 'smtp:…')`: a primary address or an alias, in any case.
    private static func addressFilter(_ address: String) -> String {
        "proxyAddresses/any(p:p eq \(Query.literal("smtp:" + address)))"
    }

    // MARK: Exchange RBAC for Applications (beta)

    /// Exchange's management scopes for apps, all or of one display name
    /// (microsoft-graph-docs-contrib api-reference/beta/api/unifiedrbacapplication-list-customappscopes.md).
    public static func customAppScopes(displayName: String? = nil) -> GraphRequest {
        GraphRequest(
            "GET",
            "\(exchangeRBAC)/customAppScopes",
            query: displayName.map { [("$filter", "displayName eq \(Query.literal($0))")] } ?? []
        )
    }

    /// Creates a management scope for apps
    /// (microsoft-graph-docs-contrib api-reference/beta/api/unifiedrbacapplication-post-customappscope.md).
    public static func createCustomAppScope() -> GraphRequest {
        GraphRequest("POST", "\(exchangeRBAC)/customAppScopes")
    }

    /// Updates a management scope's filter
    /// (microsoft-graph-docs-contrib api-reference/beta/api/customappscope-update.md).
    public static func updateCustomAppScope(id: String) -> GraphRequest {
        GraphRequest("PATCH", "\(exchangeRBAC)/customAppScopes/\(key(id))", idempotent: true)
    }

    /// Exchange's role definitions (the `Application …` roles)
    /// (microsoft-graph-docs-contrib api-reference/beta/api/rbacapplication-list-roledefinitions.md).
    public static func exchangeRoleDefinitions() -> GraphRequest {
        GraphRequest("GET", "\(exchangeRBAC)/roleDefinitions")
    }

    /// The Exchange role assignments of a service principal (`/ServicePrincipals/{id}`)
    /// (microsoft-graph-docs-contrib api-reference/beta/api/rbacapplication-list-roleassignments.md).
    public static func exchangeRoleAssignments(of servicePrincipalID: String) -> GraphRequest {
        GraphRequest(
            "GET",
            "\(exchangeRBAC)/roleAssignments",
            query: [("$filter", "principalId eq '/ServicePrincipals/\(servicePrincipalID)'")]
        )
    }

    /// Assigns an Exchange role to a service principal, limited to a scope
    /// (microsoft-graph-docs-contrib api-reference/beta/api/rbacapplication-post-roleassignments.md).
    public static func createExchangeRoleAssignment() -> GraphRequest {
        GraphRequest("POST", "\(exchangeRBAC)/roleAssignments")
    }

    /// Removes an Exchange role assignment
    /// (microsoft-graph-docs-contrib api-reference/beta/api/unifiedroleassignment-delete.md).
    public static func deleteExchangeRoleAssignment(id: String) -> GraphRequest {
        GraphRequest("DELETE", "\(exchangeRBAC)/roleAssignments/\(key(id))", idempotent: true)
    }
}
