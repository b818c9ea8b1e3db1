import Foundation
import MailscopeCore

/// Every request mailscope sends, as data: method, path, API version, the headers and query items
/// the documentation requires, the permission it names, and the page that documents it.
/// docs/wire-contract.md shows this table (a test keeps the two equal), and the engine tests check
/// every request they send against it: a request with no row, or without what its row requires,
/// fails the test that sent it.
public enum WireContract {
    /// The service a request goes to.
    public enum Service: String, Sendable, CaseIterable {
        /// The Microsoft identity platform (`login.microsoftonline.com`).
        case identity
        /// Microsoft Graph.
        case graph
        /// Exchange Online's admin endpoint (`outlook.office365.com/adminapi`).
        case exchange
        /// Exchange Web Services on an Exchange Server.
        case ews
    }

    /// One documented request.
    public struct Row: Sendable, Equatable {
        /// The service.
        public var service: Service
        /// The HTTP method.
        public var method: String
        /// The path below the service's base; `{name}` stands for one value.
        public var path: String
        /// The API version (`v1.0`, `beta`, `v2.0`, …).
        public var version: String
        /// Headers the documentation requires (name, and value when it is fixed).
        public var headers: [(name: String, value: String?)]
        /// Query items the documentation requires (name=value).
        public var query: [String]
        /// The permission the documentation names (least privileged), or the role for a cmdlet.
        public var permission: String
        /// Where it is documented: a path in Microsoft's documentation repositories.
        public var source: String
        /// False when the request itself is not documented by Microsoft (its shape is taken from
        /// Microsoft's own module; `source` then names the cmdlet's reference).
        public var documented: Bool

        public static func == (a: Row, b: Row) -> Bool {
            a.service == b.service && a.method == b.method && a.path == b.path && a.version == b.version
                && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
                && a.query == b.query && a.permission == b.permission && a.source == b.source
                && a.documented == b.documented
        }

        /// Whether `path` (below the service's base, without its query) is this row's.
        public func matches(method: String, path: String) -> Bool {
            guard method == self.method else { return false }
            return path.range(of: pattern, options: .regularExpression) != nil
        }

        /// The row's path as an anchored regular expression.
        var pattern: String {
            var result = "^"
            var rest = Substring(path)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                result += NSRegularExpression.escapedPattern(for: String(rest[..<open]))
                result += "[^/]+?"
                rest = rest[rest.index(after: close)...]
            }
            return result + NSRegularExpression.escapedPattern(for: String(rest)) + "$"
        }
    }

    static let json: (name: String, value: String?) = ("Content-Type", "application/json")
    static let form: (name: String, value: String?) = ("Content-Type", "application/x-www-form-urlencoded")
    static let bearer: (name: String, value: String?) = ("Authorization", nil)
    static let createIfMissing: (name: String, value: String?) = ("Prefer", "create-if-missing")

    static let gd = "microsoft-graph-docs-contrib/api-reference"
    static let ops = "office-docs-powershell/exchange/exchange-ps/ExchangePowerShell"

    /// A Graph row.
    static func graph(
        _ method: String, _ path: String, _ permission: String, _ page: String, version: String = "v1.0",
        headers: [(name: String, value: String?)] = [], query: [String] = []
    ) -> Row {
        let body = ["POST", "PATCH"].contains(method) ? [json] : []
        return Row(
            service: .graph, method: method, path: "/\(version)\(path)", version: version, headers: [bearer] + body + headers,
            query: query, permission: permission, source: "\(gd)/\(version)/api/\(page).md", documented: true)
    }

    /// An Exchange cmdlet run through the ExchangeOnlineManagement module's REST endpoint.
    static func cmdlet(_ name: String, _ role: String) -> Row {
        Row(
            service: .exchange, method: "POST", path: "/adminapi/beta/{tenant}/InvokeCommand#\(name)", version: "beta",
            headers: [bearer, json, ("X-CmdletName", name)], query: [], permission: role,
            source: "\(ops)/\(name).md (cmdlet); the InvokeCommand endpoint itself is not documented", documented: false)
    }

    /// Every request mailscope sends.
    public static let rows: [Row] = [
        // Identity platform (entra-docs, identity-platform/).
        Row(
            service: .identity, method: "POST", path: "/{tenant}/oauth2/v2.0/devicecode", version: "v2.0", headers: [form],
            query: [], permission: "—", source: "entra-docs/docs/identity-platform/v2-oauth2-device-code.md", documented: true),
        Row(
            service: .identity, method: "POST", path: "/{tenant}/oauth2/v2.0/token", version: "v2.0", headers: [form],
            query: [], permission: "—",
            source: "entra-docs/docs/identity-platform/v2-oauth2-device-code.md, v2-oauth2-client-creds-grant-flow.md, certificate-credentials.md",
            documented: true),
        // Microsoft Graph v1.0.
        graph("GET", "/organization", "User.Read", "organization-get"),
        graph("GET", "/me", "User.Read", "user-get"),
        graph(
            "GET", "/me/transitiveMemberOf/microsoft.graph.directoryRole", "RoleManagement.Read.Directory",
            "user-list-transitivememberof", headers: [("ConsistencyLevel", "eventual")], query: ["$count=true"]),
        graph("GET", "/applications", "Application.Read.All", "application-list"),
        graph("GET", "/applications/{id}", "Application.Read.All", "application-get"),
        graph("GET", "/applications(uniqueName='{uniqueName}')", "Application.Read.All", "application-get"),
        graph(
            "PATCH", "/applications(uniqueName='{uniqueName}')", "Application.ReadWrite.All", "application-upsert",
            headers: [createIfMissing]),
        graph("PATCH", "/applications/{id}", "Application.ReadWrite.All", "application-update"),
        graph("POST", "/applications/{id}/addPassword", "Application.ReadWrite.All", "application-addpassword"),
        graph("POST", "/applications/{id}/removePassword", "Application.ReadWrite.All", "application-removepassword"),
        graph("GET", "/servicePrincipals(appId='{appId}')", "Application.Read.All", "serviceprincipal-get"),
        graph(
            "PATCH", "/servicePrincipals(appId='{appId}')", "Application.ReadWrite.All", "serviceprincipal-upsert",
            headers: [createIfMissing]),
        graph("GET", "/servicePrincipals/{id}", "Application.Read.All", "serviceprincipal-get"),
        graph(
            "GET", "/servicePrincipals/{id}/appRoleAssignments", "Application.Read.All",
            "serviceprincipal-list-approleassignments"),
        graph(
            "DELETE", "/servicePrincipals/{id}/appRoleAssignments/{assignmentId}", "AppRoleAssignment.ReadWrite.All",
            "serviceprincipal-delete-approleassignments"),
        graph("GET", "/oauth2PermissionGrants", "DelegatedPermissionGrant.ReadWrite.All", "oauth2permissiongrant-list"),
        graph("POST", "/oauth2PermissionGrants", "DelegatedPermissionGrant.ReadWrite.All", "oauth2permissiongrant-post"),
        graph(
            "PATCH", "/oauth2PermissionGrants/{id}", "DelegatedPermissionGrant.ReadWrite.All", "oauth2permissiongrant-update"),
        graph("GET", "/users", "User.Read.All", "user-list"),
        graph("GET", "/users/{id}", "User.Read.All", "user-get"),
        graph("POST", "/users", "User.ReadWrite.All", "user-post-users"),
        graph("PATCH", "/users/{id}", "User.ReadWrite.All", "user-update"),
        graph("POST", "/users/{id}/assignLicense", "LicenseAssignment.ReadWrite.All", "user-assignlicense"),
        graph("GET", "/users/{id}/calendar", "Calendars.Read (the app's, scoped by RBAC)", "calendar-get"),
        graph("GET", "/users/{id}/messages", "Mail.Read (the app's, scoped by RBAC)", "user-list-messages"),
        graph("GET", "/users/{id}/contacts", "Contacts.Read (the app's, scoped by RBAC)", "user-list-contacts"),
        graph(
            "GET", "/users/{id}/mailboxSettings", "MailboxSettings.Read (the app's, scoped by RBAC)",
            "user-get-mailboxsettings"),
        graph("GET", "/subscribedSkus", "Organization.Read.All", "subscribedsku-list"),
        graph("GET", "/groups", "GroupMember.Read.All", "group-list"),
        graph("POST", "/groups", "Group.ReadWrite.All", "group-post-groups"),
        graph("GET", "/groups/{id}/members", "GroupMember.Read.All", "group-list-members"),
        graph("POST", "/groups/{id}/members/$ref", "GroupMember.ReadWrite.All", "group-post-members"),
        Row(
            service: .graph, method: "POST", path: "/v1.0/$batch", version: "v1.0", headers: [bearer, json], query: [],
            permission: "those of each request inside", source: "microsoft-graph-docs-contrib/concepts/json-batching.md",
            documented: true),
        // Microsoft Graph beta: RBAC for Applications (the same objects as management scopes and role assignments).
        graph(
            "GET", "/roleManagement/exchange/customAppScopes", "RoleManagement.Read.Exchange",
            "unifiedrbacapplication-list-customappscopes", version: "beta"),
        graph(
            "POST", "/roleManagement/exchange/customAppScopes", "RoleManagement.ReadWrite.Exchange",
            "unifiedrbacapplication-post-customappscope", version: "beta"),
        graph(
            "PATCH", "/roleManagement/exchange/customAppScopes/{id}", "RoleManagement.ReadWrite.Exchange",
            "customappscope-update", version: "beta"),
        graph(
            "GET", "/roleManagement/exchange/roleDefinitions", "RoleManagement.Read.Exchange",
            "rbacapplication-list-roledefinitions", version: "beta"),
        graph(
            "GET", "/roleManagement/exchange/roleAssignments", "RoleManagement.Read.Exchange",
            "rbacapplication-list-roleassignments", version: "beta"),
        graph(
            "POST", "/roleManagement/exchange/roleAssignments", "RoleManagement.ReadWrite.Exchange",
            "rbacapplication-post-roleassignments", version: "beta"),
        graph(
            "DELETE", "/roleManagement/exchange/roleAssignments/{id}", "RoleManagement.ReadWrite.Exchange",
            "unifiedroleassignment-delete", version: "beta"),
        // Exchange Online cmdlets through InvokeCommand (roles from each cmdlet's permissions:
        // Organization Management holds them all).
        cmdlet("Get-DistributionGroup", "View-Only Recipients"),
        cmdlet("Get-DistributionGroupMember", "View-Only Recipients"),
        cmdlet("New-DistributionGroup", "Distribution Groups"),
        cmdlet("Add-DistributionGroupMember", "Distribution Groups"),
        cmdlet("Get-UnifiedGroup", "View-Only Recipients"),
        cmdlet("Get-Mailbox", "View-Only Recipients"),
        cmdlet("Get-ServicePrincipal", "Role Management"),
        cmdlet("New-ServicePrincipal", "Role Management"),
        cmdlet("Test-ServicePrincipalAuthorization", "Role Management"),
        // The cmdlet pages name no role for these; Organization Management runs them.
        cmdlet("Get-ApplicationAccessPolicy", "Organization Management (role group)"),
        cmdlet("Remove-ApplicationAccessPolicy", "Organization Management (role group)"),
        cmdlet("Get-MailboxPermission", "Organization Management (role group)"),
        cmdlet("Remove-MailboxPermission", "Organization Management (role group)"),
        cmdlet("Get-OrganizationConfig", "View-Only Configuration"),
        cmdlet("Set-OrganizationConfig", "Organization Configuration"),
        // Exchange Online: EWS as the app (app-only OAuth, ExchangeImpersonation, X-AnchorMailbox).
        Row(
            service: .exchange, method: "POST", path: "/EWS/Exchange.asmx", version: "Exchange2013_SP1",
            headers: [bearer, ("Content-Type", "text/xml; charset=utf-8"), ("SOAPAction", nil), ("X-AnchorMailbox", nil)],
            query: [], permission: "Application EWS.AccessAsApp (RBAC for Applications) or full_access_as_app",
            source:
                "office-developer-exchange-docs/docs/exchange-web-services/how-to-authenticate-an-ews-application-by-using-oauth.md, getfolder-operation.md",
            documented: true),
        // Exchange Server: EWS SOAP operations (office-developer-exchange-docs).
        Row(
            service: .ews, method: "POST", path: "/EWS/Exchange.asmx", version: "Exchange2013_SP1",
            headers: [("Content-Type", "text/xml; charset=utf-8"), ("SOAPAction", nil)], query: [],
            permission: "the service account (ApplicationImpersonation with ExchangeImpersonation)",
            source:
                "office-developer-exchange-docs/docs/exchange-web-services/how-to-identify-the-account-to-impersonate.md, how-to-access-a-calendar-as-a-delegate-by-using-ews-in-exchange.md, getfolder-operation.md, resolvenames-operation.md, expanddl-operation.md",
            documented: true),
        Row(
            service: .ews, method: "GET", path: "/EWS/Exchange.asmx", version: "—", headers: [], query: [],
            permission: "none (an anonymous request to read WWW-Authenticate)",
            source: "RFC 9110 §11.6.1 (WWW-Authenticate on 401)", documented: true),
    ]

    /// What is wrong with `request` against the table, or nil when its row's rules hold. `service`
    /// and `path` are the request's service and its path below that service's base.
    public static func violation(
        of request: HTTPRequest, service: Service, path: String, batchVersion: String? = nil
    ) -> String? {
        let method = request.method
        var key = path
        if service == .exchange, key.hasSuffix("/InvokeCommand") {
            let cmdlet =
                request.header("X-CmdletName")
                ?? (try? JSONValue.parse(request.body ?? Data()))?["CmdletInput"]["CmdletName"].string ?? "?"
            key += "#" + cmdlet
        }
        guard let row = rows.first(where: { $0.service == service && $0.matches(method: method, path: key) }) else {
            return "\(method) \(path) (\(service.rawValue)) has no row in the wire contract"
        }
        for header in row.headers {
            guard let value = request.header(header.name) else {
                return "\(method) \(path): the \(header.name) header its row requires is missing (\(row.source))"
            }
            if let wanted = header.value, !value.lowercased().hasPrefix(wanted.lowercased()) {
                return "\(method) \(path): \(header.name) is '\(value)', its row requires '\(wanted)' (\(row.source))"
            }
        }
        let items = request.url.query?.split(separator: "&").map(String.init) ?? []
        for item in row.query where !items.contains(item) {
            return "\(method) \(path): the query item \(item) its row requires is missing (\(row.source))"
        }
        return nil
    }

    /// The table as Markdown (what docs/wire-contract.md shows between its contract markers).
    public static var markdown: String {
        var lines = [
            "| service | method | path | version | required headers and query | permission | source | documented |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in rows {
            var required: [String] = []
            for header in row.headers {
                if let value = header.value {
                    required.append("`\(header.name): \(value)`")
                } else {
                    required.append("`\(header.name)`")
                }
            }
            required += row.query.map { "`\($0)`" }
            lines.append(
                "| \(row.service.rawValue) | \(row.method) | `\(row.path)` | \(row.version) | \(required.joined(separator: ", ")) | \(row.permission) | \(row.source) | \(row.documented ? "yes" : "no: undocumented endpoint") |"
            )
        }
        let documented = rows.filter(\.documented).count
        lines.append("")
        lines.append(
            "\(rows.count) rows: \(documented) documented by Microsoft, \(rows.count - documented) resting on the ExchangeOnlineManagement module's undocumented InvokeCommand endpoint (each with its cmdlet's reference)."
        )
        return lines.joined(separator: "\n")
    }
}
