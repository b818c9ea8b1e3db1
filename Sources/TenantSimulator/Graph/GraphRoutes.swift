import Foundation
import MailscopeCore

/// A Graph error answer.
struct GraphFailure: Error {
    var status: Int
    var code: String
    var message: String
    var details: [JSONValue] = []

    static func notFound(_ message: String, code: String = "Request_ResourceNotFound") -> GraphFailure {
        GraphFailure(status: 404, code: code, message: message)
    }

    static func badRequest(_ message: String, code: String = "Request_BadRequest") -> GraphFailure {
        GraphFailure(status: 400, code: code, message: message)
    }

    static let insufficientPrivileges = GraphFailure(
        status: 403, code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation.")

    static func missingResource(_ id: String) -> GraphFailure {
        .notFound("Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
    }

    static func unknownSegment(_ segment: String) -> GraphFailure {
        .badRequest("Resource not found for the segment '\(segment)'.", code: "BadRequest")
    }

    static let methodNotAllowed = GraphFailure(
        status: 405, code: "Request_BadRequest", message: "The specified HTTP method is not allowed for the request target.")
}

/// What a caller must hold to use a Graph route.
enum GraphAccess {
    case readDirectory
    case readUsers
    case readGroups
    case writeGroups
    case writeGroupMembers
    case readApplications
    case writeApplications
    case grantAppRoles
    case readOrganization
    /// `GET /oauth2PermissionGrants` (oauth2permissiongrant-list.md).
    case readPermissionGrants
    /// `POST`, `PATCH`, `DELETE /oauth2PermissionGrants` (oauth2permissiongrant-post.md, -update.md, -delete.md).
    case writePermissionGrants

    /// Application permissions any one of which allows it (app-only callers).
    var applicationPermissions: Set<String> {
        let directoryRead: Set<String> = ["Directory.Read.All", "Directory.ReadWrite.All"]
        switch self {
        case .readDirectory: return directoryRead.union(["User.Read.All", "Group.Read.All", "Application.Read.All"])
        case .readUsers: return directoryRead.union(["User.Read.All", "User.ReadWrite.All"])
        case .readGroups:
            return directoryRead.union([
                "Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "GroupMember.ReadWrite.All",
            ])
        case .writeGroups: return ["Group.ReadWrite.All", "Directory.ReadWrite.All"]
        case .writeGroupMembers: return ["Group.ReadWrite.All", "GroupMember.ReadWrite.All", "Directory.ReadWrite.All"]
        case .readApplications:
            return directoryRead.union([
                "Application.Read.All", "Application.ReadWrite.All", "Application.ReadWrite.OwnedBy",
            ])
        case .writeApplications: return ["Application.ReadWrite.All", "Application.ReadWrite.OwnedBy"]
        case .grantAppRoles: return ["AppRoleAssignment.ReadWrite.All"]
        case .readOrganization: return directoryRead.union(["Organization.Read.All", "Organization.ReadWrite.All"])
        case .readPermissionGrants: return directoryRead.union(["DelegatedPermissionGrant.ReadWrite.All"])
        case .writePermissionGrants: return ["DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All"]
        }
    }

    /// Delegated permissions (the token's `scp`) any one of which allows it for a signed-in user:
    /// the least privileged permission of each API's "Permissions" table and the higher ones it
    /// lists (microsoft-graph-docs-contrib, api-reference/v1.0/includes/permissions/:
    /// user-list, group-list-members, group-post-groups, group-post-members, application-upsert,
    /// serviceprincipal-upsert, serviceprincipal-delete-approleassignments, organization-get). A
    /// token without one is refused 403 Authorization_RequestDenied, as Graph does.
    var delegatedPermissions: Set<String> {
        let directoryRead: Set<String> = ["Directory.Read.All", "Directory.ReadWrite.All"]
        switch self {
        case .readDirectory: return directoryRead.union(["User.Read.All", "Group.Read.All", "Application.Read.All"])
        case .readUsers: return directoryRead.union(["User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"])
        case .readGroups:
            return directoryRead.union([
                "GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "GroupMember.ReadWrite.All",
            ])
        case .writeGroups: return ["Group.ReadWrite.All", "Directory.ReadWrite.All"]
        case .writeGroupMembers: return ["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"]
        case .readApplications: return directoryRead.union(["Application.Read.All", "Application.ReadWrite.All"])
        case .writeApplications: return ["Application.ReadWrite.All", "Directory.ReadWrite.All"]
        case .grantAppRoles: return ["AppRoleAssignment.ReadWrite.All", "Directory.ReadWrite.All"]
        case .readOrganization:
            return directoryRead.union(["User.Read", "Organization.Read.All", "Organization.ReadWrite.All"])
        case .readPermissionGrants: return directoryRead.union(["DelegatedPermissionGrant.ReadWrite.All"])
        case .writePermissionGrants: return ["DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All"]
        }
    }

    /// Directory roles any one of which allows it for a signed-in admin; nil means any signed-in user.
    var adminRoles: Set<String>? {
        switch self {
        case .readDirectory, .readUsers, .readGroups, .readApplications, .readOrganization: nil
        case .writeGroups, .writeGroupMembers: Catalog.groupAdminRoles
        case .writeApplications: Catalog.applicationAdminRoles
        case .grantAppRoles: Catalog.grantAdminRoles
        case .readPermissionGrants: nil
        case .writePermissionGrants: Catalog.delegatedConsentAdminRoles
        }
    }
}

/// One Graph request being answered.
struct GraphCall {
    var request: WireRequest
    var query: [String: String]
    var token: AccessTokenClaims
    var context: RequestContext

    /// The `$select` list, if any.
    var select: [String]? {
        query["$select"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    }

    /// The JSON object body; 400 when it is missing or not JSON.
    func body() throws(GraphFailure) -> [String: JSONValue] {
        guard !request.body.isEmpty, let json = try? JSONValue.parse(request.body), let object = json.object else {
            throw .badRequest(
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
                code: "BadRequest")
        }
        return object
    }

    /// Whether the caller sent `Prefer: create-if-missing`.
    var createIfMissing: Bool {
        (request.header("prefer") ?? "").lowercased().split(separator: ",")
            .contains { $0.trimmingCharacters(in: .whitespaces) == "create-if-missing" }
    }
}

/// A path segment such as `applications(uniqueName='x')`: the name and the key in parentheses.
struct ODataSegment: Equatable {
    enum Key: Equatable {
        case id(String)
        case alternate(property: String, value: String)
    }

    var name: String
    var key: Key?

    /// Parses `segment`; a malformed key is a 400.
    static func parse(_ segment: String) throws(GraphFailure) -> ODataSegment {
        guard let open = segment.firstIndex(of: "("), segment.hasSuffix(")") else {
            return ODataSegment(name: segment, key: nil)
        }
        let name = String(segment[..<open])
        let inner = String(segment[segment.index(after: open)..<segment.index(before: segment.endIndex)])
        func literal(_ text: String) throws(GraphFailure) -> String {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.count >= 2, trimmed.hasPrefix("'"), trimmed.hasSuffix("'") {
                let body = String(trimmed.dropFirst().dropLast())
                guard !body.replacingOccurrences(of: "''", with: "").contains("'") else {
                    throw .badRequest("Bad Request - Error in query syntax.", code: "BadRequest")
                }
                return body.replacingOccurrences(of: "''", with: "'")
            }
            guard !trimmed.isEmpty, !trimmed.contains("'") else {
                throw .badRequest("Bad Request - Error in query syntax.", code: "BadRequest")
            }
            return trimmed
        }
        if let equals = inner.firstIndex(of: "="), !inner[..<equals].contains("'") {
            let property = inner[..<equals].trimmingCharacters(in: .whitespaces)
            return ODataSegment(
                name: name, key: .alternate(property: property, value: try literal(String(inner[inner.index(after: equals)...]))))
        }
        return ODataSegment(name: name, key: .id(try literal(inner)))
    }
}

/// Microsoft Graph v1.0: authentication, routing, paging, `$select` and `$batch`.
extension SimulatedTenant {
    func graph(_ request: WireRequest, segments: [String], context: RequestContext, inBatch: Bool) -> WireResponse {
        let isBatch = segments.count == 2 && segments[1] == "$batch"
        if !isBatch, let fault = injectedFault(for: .graph, context: context) { return fault }
        let isRoleManagementBeta =
            segments.count >= 3 && segments[0] == "beta" && segments[1] == "roleManagement" && segments[2] == "exchange"
        guard segments.first == "v1.0" || isRoleManagementBeta else {
            let version = segments.first ?? ""
            return graphError(
                .badRequest(
                    "Invalid version: '\(version)'. The simulated tenant serves v1.0 (and beta roleManagement/exchange).",
                    code: "BadRequest"),
                context: context)
        }
        let token: AccessTokenClaims
        do throws(TokenRejection) {
            token = try authenticate(request, resource: .graph, endpoints: context.endpoints)
        } catch {
            let body = graphErrorBody(code: "InvalidAuthenticationToken", message: error.message, context: context)
            return .json(
                401, body,
                headers: [
                    "WWW-Authenticate":
                        "Bearer realm=\"\", authorization_uri=\"\(context.endpoints.login.absoluteString)/common/oauth2/authorize\", client_id=\"\(Catalog.graphAppID)\""
                ])
        }
        let call = GraphCall(request: request, query: request.query, token: token, context: context)
        do throws(GraphFailure) {
            if isBatch {
                guard !inBatch else { throw .badRequest("Nested batch requests are not supported.", code: "BadRequest") }
                guard request.method == "POST" else { throw .methodNotAllowed }
                return try batch(call)
            }
            if isRoleManagementBeta { return try exchangeRoleManagement(call, rest: Array(segments.dropFirst(3))) }
            return try route(call, path: Array(segments.dropFirst()))
        } catch {
            return graphError(error, context: context)
        }
    }

    func graphError(_ failure: GraphFailure, context: RequestContext) -> WireResponse {
        .json(failure.status, graphErrorBody(code: failure.code, message: failure.message, context: context, details: failure.details))
    }

    /// Verifies the bearer token of `request` for `resource`. The audience may name this server or
    /// any base URL the tenant was served at before (a restart on another port).
    func authenticate(_ request: WireRequest, resource: ResourceKind, endpoints: SimulatorEndpoints) throws(TokenRejection)
        -> AccessTokenClaims
    {
        guard let header = request.header("authorization"), header.lowercased().hasPrefix("bearer ") else {
            throw .missing
        }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw .missing }
        let servedBases = servedBases
        let claims = try issuer.verify(
            token, now: now,
            audiences: { audience in
                endpoints.resource(named: audience)
                    ?? servedBases.lazy.compactMap { SimulatorEndpoints(base: $0).resource(named: audience) }.first
            }, tenantID: identity.tenantID)
        guard claims.resource == resource else { throw .wrongAudience }
        return claims
    }

    /// Refuses the call unless the caller holds `access`.
    func authorize(_ access: GraphAccess, _ call: GraphCall) throws(GraphFailure) {
        if call.token.isAppOnly {
            guard !access.applicationPermissions.isDisjoint(with: call.token.roles) else { throw .insufficientPrivileges }
            return
        }
        // Delegated: the app's consented scope AND the user's own role (an effective permission
        // is the intersection of both: permissions-overview.md, "Delegated access").
        try Self.requireScope(access.delegatedPermissions, call)
        if let roles = access.adminRoles {
            guard !roles.isDisjoint(with: admin.directoryRoles) else { throw .insufficientPrivileges }
        }
    }

    /// Refuses a delegated token whose `scp` holds none of `permissions`.
    static func requireScope(_ permissions: Set<String>, _ call: GraphCall) throws(GraphFailure) {
        guard !call.token.isAppOnly else { return }
        let held = Set(call.token.scopes.map { $0.lowercased() })
        guard permissions.contains(where: { held.contains($0.lowercased()) }) else { throw .insufficientPrivileges }
    }

    private func route(_ call: GraphCall, path: [String]) throws(GraphFailure) -> WireResponse {
        guard let first = path.first else { throw .unknownSegment("v1.0") }
        let head = try ODataSegment.parse(first)
        var rest = Array(path.dropFirst())
        var key = head.key
        let keyed = ["applications", "servicePrincipals", "users", "groups", "directoryObjects", "oauth2PermissionGrants"]
        if key == nil, keyed.contains(head.name), let next = rest.first, !next.hasPrefix("$"), next != "delta" {
            key = .id(next)
            rest.removeFirst()
        }
        switch head.name {
        case "organization": return try organization(call, rest: rest)
        case "subscribedSkus": return try subscribedSkus(call)
        case "me": return try me(call, rest: rest)
        case "users": return try users(call, key: key, rest: rest)
        case "groups": return try groups(call, key: key, rest: rest)
        case "directoryObjects": return try directoryObject(call, key: key, rest: rest)
        case "applications": return try applications(call, key: key, rest: rest)
        case "servicePrincipals": return try servicePrincipals(call, key: key, rest: rest)
        case "oauth2PermissionGrants": return try oauth2PermissionGrants(call, key: key, rest: rest)
        default: throw .unknownSegment(head.name)
        }
    }

    // MARK: Responses

    /// The `@odata.context` URL for `fragment`.
    func odataContext(_ call: GraphCall, _ fragment: String) -> JSONValue {
        .string("\(call.context.endpoints.graph.absoluteString)/v1.0/$metadata#\(fragment)")
    }

    /// An entity answer, projected by `$select`.
    func entity(_ call: GraphCall, _ object: [String: JSONValue], context fragment: String, status: Int = 200) -> WireResponse {
        var projected = Self.project(object, select: call.select)
        projected["@odata.context"] = odataContext(call, fragment)
        return .json(status, .object(projected))
    }

    /// Keeps the `$select`ed properties (case-insensitive) and OData annotations.
    static func project(_ object: [String: JSONValue], select: [String]?) -> [String: JSONValue] {
        guard let select, !select.isEmpty, !select.contains("*") else { return object }
        let wanted = Set(select.map { $0.lowercased() })
        return object.filter { wanted.contains($0.key.lowercased()) || $0.key.hasPrefix("@odata") }
    }

    /// A page of a collection: honours `$top` (1…`maximum`), `$skiptoken`, `$select`, and adds an
    /// absolute `@odata.nextLink` while more remain.
    func page<Item>(
        _ call: GraphCall, items: [Item], context fragment: String, defaultSize: Int? = nil, maximum: Int = 999,
        render: (Item) -> [String: JSONValue]
    ) throws(GraphFailure) -> WireResponse {
        var size = defaultSize ?? max(1, call.context.options.pageSize)
        if let top = call.query["$top"] {
            guard let value = Int(top), (1...maximum).contains(value) else {
                throw .badRequest(
                    "Invalid page size specified: '\(top)'. Must be between 1 and \(maximum) inclusive.", code: "BadRequest")
            }
            size = value
        }
        var offset = 0
        if let token = call.query["$skiptoken"] {
            guard let data = Base64URL.decode(token), let text = String(data: data, encoding: .utf8),
                text.hasPrefix("mailscope-skip:"), let value = Int(text.dropFirst("mailscope-skip:".count)), value >= 0
            else {
                throw .badRequest("The specified page token value has expired or is invalid.", code: "Directory_ExpiredPageToken")
            }
            offset = value
        }
        let start = min(offset, items.count)
        let end = min(start + size, items.count)
        // `$select` decided once per page, not once per item.
        let select = call.select.flatMap { $0.isEmpty || $0.contains("*") ? nil : Set($0.map { $0.lowercased() }) }
        var body: [String: JSONValue] = [
            "@odata.context": odataContext(call, fragment),
            "value": .array(
                items[start..<end].map { item in
                    let rendered = render(item)
                    guard let select else { return .object(rendered) }
                    return .object(rendered.filter { select.contains($0.key.lowercased()) || $0.key.hasPrefix("@odata") })
                }),
        ]
        if end < items.count {
            body["@odata.nextLink"] = .string(nextLink(call, offset: end))
        }
        if call.query["$count"]?.equalsIgnoringCase("true") == true {
            body["@odata.count"] = .number(Double(items.count))
        }
        return .json(200, .object(body))
    }

    private func nextLink(_ call: GraphCall, offset: Int) -> String {
        let token = Base64URL.encode(Data("mailscope-skip:\(offset)".utf8))
        let kept = call.request.rawQuery.split(separator: "&").filter {
            !WireRequest.decode(String($0.split(separator: "=", maxSplits: 1).first ?? "")).lowercased().hasPrefix("$skiptoken")
        }
        let query = (kept.map(String.init) + ["$skiptoken=\(token)"]).joined(separator: "&")
        return call.context.endpoints.base.absoluteString.withoutTrailingSlash + call.request.rawPath + "?" + query
    }

    // MARK: Filters

    /// Evaluates `$filter` over a collection, keeping creation order.
    /// - Parameters:
    ///   - indexed: an index lookup for `property eq value`, or nil to fall back to `field`.
    ///   - any: matches for `collection/any(x:x eq value)`, or nil when the collection is not filterable.
    ///   - field: an accessor for a string property, or nil when the property is not filterable.
    func evaluate(
        _ text: String, resource: String, order: [String], sequence: (String) -> Int,
        indexed: (String, String) -> [String]?, any: (String, String) -> [String]?,
        field: (String) -> ((String) -> String?)?
    ) throws(GraphFailure) -> [String] {
        let filter: ODataFilter
        do throws(ODataFilterError) {
            filter = try ODataFilter.parse(text)
        } catch {
            switch error {
            case .syntax(let detail): throw .badRequest("Invalid filter clause: \(detail)", code: "BadRequest")
            case .unsupported(let detail):
                throw .badRequest("Unsupported query: \(detail)", code: "Request_UnsupportedQuery")
            }
        }
        func unsupported(_ property: String) -> GraphFailure {
            .badRequest(
                "Unsupported or invalid query filter clause specified for property '\(property)' of resource '\(resource)'.",
                code: "Request_UnsupportedQuery")
        }
        func run(_ filter: ODataFilter) throws(GraphFailure) -> Set<String> {
            switch filter {
            case .equals(let property, let value):
                if let hits = indexed(property.lowercased(), value) { return Set(hits) }
                guard let accessor = field(property.lowercased()) else { throw unsupported(property) }
                return Set(order.filter { accessor($0)?.equalsIgnoringCase(value) ?? false })
            case .anyEquals(let collection, let value):
                guard let hits = any(collection.lowercased(), value) else { throw unsupported(collection) }
                return Set(hits)
            case .startsWith(let property, let prefix):
                guard let accessor = field(property.lowercased()) else { throw unsupported(property) }
                let lowered = prefix.lowercased()
                return Set(order.filter { accessor($0)?.lowercased().hasPrefix(lowered) ?? false })
            case .and(let left, let right): return try run(left).intersection(try run(right))
            case .or(let left, let right): return try run(left).union(try run(right))
            }
        }
        return try run(filter).sorted { sequence($0) < sequence($1) }
    }

    // MARK: $batch

    private func batch(_ call: GraphCall) throws(GraphFailure) -> WireResponse {
        let body = try call.body()
        guard let requests = body["requests"]?.array else {
            throw .badRequest("Invalid batch payload format: 'requests' is missing.", code: "BadRequest")
        }
        guard requests.count <= 20 else {
            throw .badRequest("The number of batch requests exceeds the limit of 20.", code: "BadRequest")
        }
        var seen = Set<String>()
        for item in requests {
            guard let id = item["id"].string, !id.isEmpty, item["method"].string != nil, item["url"].string != nil else {
                throw .badRequest("Invalid batch payload format: each request needs id, method and url.", code: "BadRequest")
            }
            guard seen.insert(id).inserted else {
                throw .badRequest("Batch request ids must be unique: '\(id)' appears twice.", code: "BadRequest")
            }
        }
        var statuses: [String: Int] = [:]
        var responses: [JSONValue] = []
        for item in requests {
            let id = item["id"].string ?? ""
            let failedDependency = item["dependsOn"].strings.contains { (statuses[$0] ?? 0) >= 400 || statuses[$0] == nil }
            let answer: WireResponse
            if failedDependency {
                answer = graphError(
                    GraphFailure(status: 424, code: "FailedDependency", message: "A request this one depends on failed."),
                    context: call.context)
            } else {
                answer = batchItem(item, outer: call)
            }
            statuses[id] = answer.status
            var entry: [String: JSONValue] = ["id": .string(id), "status": .number(Double(answer.status))]
            var headers: [String: JSONValue] = [:]
            for (name, value) in answer.headers where ["content-type", "retry-after", "location"].contains(name.lowercased()) {
                headers[name] = .string(value)
            }
            entry["headers"] = .object(headers)
            if let json = answer.json { entry["body"] = json }
            responses.append(.object(entry))
        }
        return .json(200, ["responses": .array(responses)])
    }

    private func batchItem(_ item: JSONValue, outer: GraphCall) -> WireResponse {
        let method = (item["method"].string ?? "GET").uppercased()
        var url = item["url"].string ?? ""
        if !url.hasPrefix("/") { url = "/" + url }
        let parts = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var headers: [String: String] = [:]
        if let authorization = outer.request.header("authorization") { headers["authorization"] = authorization }
        for (name, value) in item["headers"].object ?? [:] {
            if let text = value.string { headers[name.lowercased()] = text }
        }
        var body = Data()
        if !item["body"].isNull {
            guard headers["content-type"] != nil else {
                return graphError(
                    .badRequest("Content-Type header must be specified when a request in a batch has a body.", code: "BadRequest"),
                    context: outer.context)
            }
            body = item["body"].encoded()
        }
        let inner = WireRequest(
            method: method, rawPath: "/graph/v1.0" + String(parts[0]),
            rawQuery: parts.count > 1 ? String(parts[1]) : "", headers: headers, body: body)
        return graph(inner, segments: Array(inner.segments.dropFirst()), context: outer.context, inBatch: true)
    }
}
