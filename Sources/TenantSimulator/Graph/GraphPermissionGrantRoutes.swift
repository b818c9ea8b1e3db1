import Foundation
import MailscopeCore

/// A delegated permission grant (admin or user consent to an API's delegated permissions):
/// microsoft-graph-docs-contrib api-reference/v1.0/resources/oauth2permissiongrant.md.
public struct OAuth2PermissionGrant: Sendable, Equatable, Codable {
    /// The grant's id (opaque).
    public let id: String
    /// The client service principal's object id.
    public let clientId: String
    /// `AllPrincipals` (admin consent for every user) or `Principal` (one user).
    public let consentType: String
    /// The user, when `consentType` is `Principal`; nil for `AllPrincipals`.
    public let principalId: String?
    /// The resource (API) service principal's object id.
    public let resourceId: String
    /// The granted delegated permissions' claim values.
    public var scope: [String]
    var createdAt: Date
}

extension Catalog {
    /// Microsoft Graph's published delegated permissions (its service principal's
    /// `oauth2PermissionScopes`), value and id as Microsoft publishes them
    /// (microsoftgraph/microsoft-graph-devx-content permissions/permissions-descriptions.json,
    /// `delegatedScopesList`, behind microsoft-graph-docs-contrib concepts/permissions-reference.md).
    /// Those of the admin's own sign-in are included, so grants of them are valid too.
    static let graphDelegatedScopes: [(value: String, id: String)] = [
        ("Mail.Read", "570282fd-fa5c-430d-a7fd-fc8dc98a9dca"),
        ("Mail.ReadBasic", "a4b8392a-d8d1-4954-a029-8e668a39a170"),
        ("Mail.ReadWrite", "024d486e-b451-40bb-833d-3e66d98c5c73"),
        ("Mail.Read.Shared", "7b9103a5-4610-446b-9670-80643382c1fa"),
        ("Mail.ReadWrite.Shared", "5df07973-7d5d-46ed-9847-1271055cbd51"),
        ("Mail.Send", "e383f46e-2787-4529-855e-0e479a3ffac0"),
        ("Mail.Send.Shared", "a367ab51-6b49-43bf-a716-a1fb06d2a174"),
        ("Calendars.Read", "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42"),
        ("Calendars.ReadWrite", "1ec239c2-d7c9-4623-a91a-a9775856bb36"),
        ("Calendars.Read.Shared", "2b9c4092-424d-4249-948d-b43879977640"),
        ("Calendars.ReadWrite.Shared", "12466101-c9b8-439a-8589-dd09ee67e8e9"),
        ("Contacts.Read", "ff74d97f-43af-4b68-9f2a-b77ee6968c5d"),
        ("Contacts.ReadWrite", "d56682ec-c09e-4743-aaf4-1a3aac4caa21"),
        ("Contacts.Read.Shared", "242b9d9e-ed24-4d09-9a52-f43769beb9d4"),
        ("Contacts.ReadWrite.Shared", "afb6c84b-06be-49af-80bb-8f3f77004eab"),
        ("MailboxSettings.Read", "87f447af-9fa4-4c32-9dfa-4a57a73d18ce"),
        ("MailboxSettings.ReadWrite", "818c620a-27a9-40bd-a6a5-d96f7d610b4b"),
        ("User.Read", "e1fe6dd8-ba31-4d61-89e7-88639da4683d"),
        ("User.ReadBasic.All", "b340eb25-3456-403f-be2f-af7a0d370277"),
        ("offline_access", "7427e0e9-2fba-42fe-b0c0-848c9e6a8182"),
        ("openid", "37f7f235-527c-4136-accd-4a02d197296e"),
        ("profile", "14dad69e-099b-42c9-810b-d002981feec1"),
        ("email", "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0"),
        ("DelegatedPermissionGrant.ReadWrite.All", "41ce6ca6-6826-4807-84f1-1c82854f7ee5"),
    ]

    /// Directory roles that may grant tenant-wide consent to delegated permissions of any API,
    /// Microsoft Graph included (MicrosoftDocs/entra-docs
    /// docs/identity/enterprise-apps/grant-admin-consent.md, prerequisites: Cloud Application
    /// Administrator and Application Administrator for any API except Microsoft Graph app roles,
    /// Privileged Role Administrator for any).
    static let delegatedConsentAdminRoles: Set<String> = applicationAdminRoles.union(grantAdminRoles)
}

/// Graph's `/oauth2PermissionGrants` (microsoft-graph-docs-contrib api-reference/v1.0/api/:
/// oauth2permissiongrant-list.md, -post.md, -update.md, -delete.md).
extension SimulatedTenant {
    func oauth2PermissionGrants(
        _ call: GraphCall,
        key: ODataSegment.Key?,
        rest: [String]
    ) throws(GraphFailure)
        -> WireResponse
    {
        guard rest.isEmpty else { throw .unknownSegment(rest[0]) }
        guard let key else {
            switch call.request.method {
            case "GET": return try listPermissionGrants(call)
            case "POST": return try createPermissionGrant(call)
            default: throw .methodNotAllowed
            }
        }
        guard case .id(let id) = key, let grant = registry.permissionGrants[id] else {
            throw .missingResource(Self.describe(key))
        }
        switch call.request.method {
        case "GET":
            try authorize(.readPermissionGrants, call)
            return entity(call, permissionGrantJSON(grant), context: "oauth2PermissionGrants/$entity")
        case "PATCH":
            try authorize(.writePermissionGrants, call)
            let body = try call.body()
            var updated = grant
            for property in body.keys where property != "scope" && !property.hasPrefix("@odata") {
                throw .badRequest("Property '\(property)' of an oAuth2PermissionGrant cannot be updated.")
            }
            if let scope = body["scope"] {
                guard let text = scope.string else {
                    throw .badRequest("Invalid value specified for property 'scope'.")
                }
                updated.scope = try validScope(text, resourceID: grant.resourceId)
            }
            registry.store(updated)
            return .empty(204)
        case "DELETE":
            try authorize(.writePermissionGrants, call)
            registry.removePermissionGrant(id)
            return .empty(204)
        default:
            throw .methodNotAllowed
        }
    }

    /// The list, filtered by `clientId`, `consentType`, `principalId` or `resourceId` (`eq` only,
    /// as the resource page says); grants made within the replication lag are not listed yet
    /// ("might have replication delays for delegated permission grants that were recently created").
    private func listPermissionGrants(_ call: GraphCall) throws(GraphFailure) -> WireResponse {
        try authorize(.readPermissionGrants, call)
        var ids = registry.permissionGrantOrder
        if let filter = call.query["$filter"] {
            let grants = registry.permissionGrants
            ids = try evaluate(
                filter,
                resource: "OAuth2PermissionGrant",
                order: ids,
                sequence: { id in self.registry.permissionGrantOrder.firstIndex(of: id) ?? 0 },
                indexed: { _, _ in nil },
                any: { _, _ in nil },
                field: { property in
                    switch property {
                    case "clientid": { grants[$0]?.clientId }
                    case "consenttype": { grants[$0]?.consentType }
                    case "principalid": { grants[$0]?.principalId }
                    case "resourceid": { grants[$0]?.resourceId }
                    default: nil
                    }
                }
            )
        }
        let lag = call.context.options.replicationLag
        ids = ids.filter { registry.permissionGrants[$0].map { isReplicated($0.createdAt, lag: lag) } ?? false }
        return try page(call, items: ids, context: "oauth2PermissionGrants") {
            self.registry.permissionGrants[$0].map(self.permissionGrantJSON) ?? [:]
        }
    }

    private func createPermissionGrant(_ call: GraphCall) throws(GraphFailure) -> WireResponse {
        try authorize(.writePermissionGrants, call)
        let body = try call.body()
        guard let clientID = body["clientId"]?.string?.lowercased(),
            let resourceID = body["resourceId"]?.string?.lowercased(),
            let consentType = body["consentType"]?.string
        else {
            throw .badRequest("Properties 'clientId', 'consentType' and 'resourceId' are required.")
        }
        guard ["AllPrincipals", "Principal"].contains(consentType) else {
            throw .badRequest("Invalid value specified for property 'consentType' of resource 'OAuth2PermissionGrant'.")
        }
        let principalID = body["principalId"]?.string?.lowercased()
        if consentType == "AllPrincipals", principalID != nil {
            throw .badRequest("principalId must be null when consentType is AllPrincipals.")
        }
        if consentType == "Principal", principalID.flatMap({ directory.users[$0] }) == nil {
            throw .badRequest("principalId must name a user when consentType is Principal.")
        }
        let lag = call.context.options.replicationLag
        guard let client = registry.servicePrincipals[clientID], isReplicated(client.createdAt, lag: lag) else {
            throw .missingResource(clientID)
        }
        guard registry.servicePrincipals[resourceID] != nil else { throw .missingResource(resourceID) }
        let scope = try validScope(body["scope"]?.string ?? "", resourceID: resourceID)
        let duplicate = registry.permissionGrants.values.contains {
            $0.clientId == clientID && $0.resourceId == resourceID && $0.consentType == consentType
                && $0.principalId == principalID
        }
        if duplicate {
            throw GraphFailure(
                status: 409,
                code: "Request_MultipleObjectsWithSameKeyValue",
                message: "Permission entry already exists."
            )
        }
        let grant = OAuth2PermissionGrant(
            id: newOpaqueID(),
            clientId: clientID,
            consentType: consentType,
            principalId: principalID,
            resourceId: resourceID,
            scope: scope,
            createdAt: now
        )
        registry.store(grant)
        return entity(call, permissionGrantJSON(grant), context: "oauth2PermissionGrants/$entity", status: 201)
    }

    /// The scope's claim values: each must be a delegated permission the resource publishes
    /// (`oauth2PermissionScopes`), the whole at most 3,850 characters (oauth2permissiongrant-update.md).
    func validScope(_ text: String, resourceID: String) throws(GraphFailure) -> [String] {
        guard text.count <= 3850 else {
            throw .badRequest("The value of property 'scope' must not exceed 3850 characters.")
        }
        let values = text.split(separator: " ").map(String.init)
        let published = registry.servicePrincipals[resourceID].map(publishedScopes) ?? []
        for value in values where !published.contains(value) {
            throw .badRequest(
                "Invalid value specified for property 'scope': '\(value)' is not a delegated permission of the resource."
            )
        }
        return values
    }

    /// The delegated permissions a resource service principal publishes (Graph's, here).
    func publishedScopes(of servicePrincipal: ServicePrincipal) -> [String] {
        servicePrincipal.appId == Catalog.graphAppID ? Catalog.graphDelegatedScopes.map(\.value) : []
    }

    func permissionGrantJSON(_ grant: OAuth2PermissionGrant) -> [String: JSONValue] {
        [
            "id": .string(grant.id), "clientId": .string(grant.clientId), "consentType": .string(grant.consentType),
            "principalId": grant.principalId.map(JSONValue.string) ?? .null, "resourceId": .string(grant.resourceId),
            "scope": .string(grant.scope.joined(separator: " ")),
        ]
    }
}

/// The app registration's delegated-access properties, as strict as Entra.
extension SimulatedTenant {
    /// `web` (microsoft-graph-docs-contrib api-reference/v1.0/resources/webapplication.md): an
    /// object whose `redirectUris` obey the redirect URI restrictions (MicrosoftDocs/entra-docs
    /// docs/identity-platform/reply-url.md): absolute, `https` or `http` for localhost only, at most
    /// 256 characters each and 256 of them, none of `! $ ' ( ) , ;`.
    static func validateWeb(_ value: JSONValue) throws(GraphFailure) {
        let invalid = GraphFailure.badRequest("Invalid value specified for property 'web' of resource 'Application'.")
        guard value.object != nil else { throw invalid }
        guard let uris = value["redirectUris"].array else {
            if value["redirectUris"].isNull || value.object?["redirectUris"] == nil { return }
            throw invalid
        }
        guard uris.count <= 256 else { throw invalid }
        for uri in uris {
            guard let text = uri.string, text.count <= 256, !text.contains(where: { "!$'(),;".contains($0) }),
                let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(),
                scheme == "https" || (scheme == "http" && host == "localhost")
            else {
                throw .badRequest(
                    "Invalid value specified for property 'redirectUris' of resource 'WebApplication': '\(uri.string ?? "?")'."
                )
            }
        }
    }

    /// `requiredResourceAccess` (microsoft-graph-docs-contrib api-reference/v1.0/resources/requiredresourceaccess.md,
    /// resourceaccess.md): a list of `resourceAppId` with `resourceAccess` entries, each an `id`
    /// (a GUID) and a `type` of `Scope` (delegated) or `Role` (application).
    static func validateRequiredResourceAccess(_ value: JSONValue) throws(GraphFailure) {
        let invalid = GraphFailure.badRequest(
            "Invalid value specified for property 'requiredResourceAccess' of resource 'Application'."
        )
        guard let entries = value.array else { throw invalid }
        for entry in entries {
            guard let resource = entry["resourceAppId"].string, UUID(uuidString: resource) != nil,
                let access = entry["resourceAccess"].array
            else { throw invalid }
            for item in access {
                guard let id = item["id"].string, UUID(uuidString: id) != nil, let type = item["type"].string,
                    type == "Scope" || type == "Role"
                else { throw invalid }
            }
        }
    }
}
