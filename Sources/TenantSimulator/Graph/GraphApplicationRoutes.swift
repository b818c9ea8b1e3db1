import Foundation
import MailscopeCore

/// Graph's application routes: applications (upsert by `uniqueName`, secrets, certificates), service
/// principals (upsert by `appId`) and tenant-wide grants (`appRoleAssignments`, `appRoleAssignedTo`).
extension SimulatedTenant {
    static let writableApplicationProperties: Set<String> = [
        "displayName", "signInAudience", "notes", "description", "keyCredentials", "tags", "web", "spa",
        "publicClient", "api", "requiredResourceAccess", "identifierUris", "isFallbackPublicClient", "info",
        "optionalClaims", "serviceManagementReference", "uniqueName", "appRoles",
    ]
    static let signInAudiences: Set<String> = [
        "AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount",
    ]

    // MARK: Applications

    func applications(_ call: GraphCall, key: ODataSegment.Key?, rest: [String]) throws(GraphFailure) -> WireResponse {
        let lag = call.context.options.replicationLag
        guard let key else {
            switch call.request.method {
            case "GET":
                try authorize(.readApplications, call)
                var ids = registry.applicationOrder
                if let filter = call.query["$filter"] {
                    ids = try evaluate(
                        filter, resource: "Application", order: ids,
                        sequence: { self.registry.applications[$0]?.sequence ?? 0 },
                        indexed: { property, value in
                            switch property {
                            case "id": return self.registry.applications[value.lowercased()].map { [$0.id] } ?? []
                            case "appid": return self.registry.application(appID: value).map { [$0.id] } ?? []
                            case "uniquename": return self.registry.application(uniqueName: value).map { [$0.id] } ?? []
                            default: return nil
                            }
                        }, any: { _, _ in nil },
                        field: { property in
                            property == "displayname" ? { self.registry.applications[$0]?.displayName } : nil
                        })
                }
                ids = ids.filter { self.registry.applications[$0].map { self.isReplicated($0.createdAt, lag: lag) } ?? false }
                return try page(call, items: ids, context: "applications") {
                    self.registry.applications[$0].map(self.applicationJSON) ?? [:]
                }
            case "POST":
                try authorize(.writeApplications, call)
                let body = try call.body()
                let application = try createApplication(body: body, uniqueName: body["uniqueName"]?.string)
                return entity(call, applicationJSON(application), context: "applications/$entity", status: 201)
            default:
                throw .methodNotAllowed
            }
        }
        let existing = application(for: key)
        switch (call.request.method, rest) {
        case ("GET", []):
            try authorize(.readApplications, call)
            guard let application = existing, isReplicated(application.createdAt, lag: lag) else {
                throw .missingResource(Self.describe(key))
            }
            return entity(call, applicationJSON(application), context: "applications/$entity")
        case ("PATCH", []):
            try authorize(.writeApplications, call)
            let body = try call.body()
            guard let application = existing else {
                guard call.createIfMissing, case .alternate(let property, let value) = key,
                    property.equalsIgnoringCase("uniqueName")
                else { throw .missingResource(Self.describe(key)) }
                if let given = body["uniqueName"]?.string, given != value {
                    throw .badRequest("The uniqueName in the body does not match the key.")
                }
                let created = try createApplication(body: body, uniqueName: value)
                return entity(call, applicationJSON(created), context: "applications/$entity", status: 201)
            }
            var updated = application
            try apply(body, to: &updated)
            registry.store(updated)
            return .empty(204)
        case ("DELETE", []):
            try authorize(.writeApplications, call)
            guard let application = existing else { throw .missingResource(Self.describe(key)) }
            deleteApplication(application)
            return .empty(204)
        case ("POST", ["addPassword"]):
            try authorize(.writeApplications, call)
            guard var application = existing else { throw .missingResource(Self.describe(key)) }
            let credential = (try? call.body())?["passwordCredential"]?.object ?? [:]
            let start = try date(credential["startDateTime"], "startDateTime") ?? now
            let end = try date(credential["endDateTime"], "endDateTime") ?? start.addingTimeInterval(2 * 365 * 86_400)
            guard end > start else { throw .badRequest("Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.") }
            let secret = identifiers.string(length: 3, alphabet: Self.secretAlphabet) + "8Q~"
                + identifiers.string(length: 34, alphabet: Self.secretAlphabet)
            let stored = PasswordCredential(
                keyId: newGUID(), displayName: credential["displayName"]?.string, hint: String(secret.prefix(3)),
                startDateTime: start, endDateTime: end, secretHash: Self.hash(secret: secret), createdAt: now)
            application.passwordCredentials.append(stored)
            registry.store(application)
            var json = passwordJSON(stored)
            json["secretText"] = .string(secret)
            json["@odata.context"] = odataContext(call, "microsoft.graph.passwordCredential")
            return .json(200, .object(json))
        case ("POST", ["removePassword"]):
            try authorize(.writeApplications, call)
            guard var application = existing else { throw .missingResource(Self.describe(key)) }
            let body = try call.body()
            guard let keyID = body["keyId"]?.string?.lowercased(),
                application.passwordCredentials.contains(where: { $0.keyId == keyID })
            else {
                throw .badRequest("No password credential with the specified keyId exists on the application.")
            }
            application.passwordCredentials.removeAll { $0.keyId == keyID }
            registry.store(application)
            return .empty(204)
        default:
            if let first = rest.first, !["addPassword", "removePassword"].contains(first) { throw .unknownSegment(first) }
            throw .methodNotAllowed
        }
    }

    static let secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~"

    /// The application named by `key`: object id, `appId='…'` or `uniqueName='…'` (live state: writes see it at once).
    func application(for key: ODataSegment.Key) -> RegisteredApplication? {
        switch key {
        case .id(let id): return registry.applications[id.lowercased()]
        case .alternate(let property, let value):
            if property.equalsIgnoringCase("appId") { return registry.application(appID: value) }
            if property.equalsIgnoringCase("uniqueName") { return registry.application(uniqueName: value) }
            return nil
        }
    }

    private func createApplication(body: [String: JSONValue], uniqueName: String?) throws(GraphFailure)
        -> RegisteredApplication
    {
        guard let displayName = body["displayName"]?.string, !displayName.isEmpty else {
            throw .badRequest("Property 'displayName' is required and must not be empty.")
        }
        if let uniqueName, registry.application(uniqueName: uniqueName) != nil {
            throw GraphFailure(
                status: 409, code: "Request_MultipleObjectsWithSameKeyValue",
                message: "Another object with the same value for property uniqueName already exists.")
        }
        var application = RegisteredApplication(
            id: newGUID(), appId: newGUID(), displayName: displayName, uniqueName: uniqueName,
            signInAudience: "AzureADMyOrg", notes: nil, description: nil, passwordCredentials: [], keyCredentials: [],
            otherProperties: [:], createdAt: now, sequence: directory.takeSequence())
        var rest = body
        rest.removeValue(forKey: "uniqueName")
        try apply(rest, to: &application)
        registry.store(application)
        return application
    }

    private func apply(_ body: [String: JSONValue], to application: inout RegisteredApplication) throws(GraphFailure) {
        for (property, value) in body {
            if property == "passwordCredentials" {
                throw .badRequest(
                    "Property 'passwordCredentials' cannot be updated directly; use the addPassword and removePassword actions.")
            }
            guard Self.writableApplicationProperties.contains(property) || property.hasPrefix("@odata") else {
                throw .badRequest(
                    "Property '\(property)' does not exist as a declared property or extension property.", code: "BadRequest")
            }
            switch property {
            case "displayName":
                guard let name = value.string, !name.isEmpty else {
                    throw .badRequest("Invalid value specified for property 'displayName' of resource 'Application'.")
                }
                application.displayName = name
            case "signInAudience":
                guard let audience = value.string, Self.signInAudiences.contains(audience) else {
                    throw .badRequest("Invalid value specified for property 'signInAudience' of resource 'Application'.")
                }
                application.signInAudience = audience
            case "notes": application.notes = value.string
            case "description": application.description = value.string
            case "uniqueName":
                guard value.string == application.uniqueName else {
                    throw .badRequest("Property 'uniqueName' is immutable once set.")
                }
            case "keyCredentials":
                application.keyCredentials = try keyCredentials(value, existing: application.keyCredentials)
            case "web":
                try Self.validateWeb(value)
                application.otherProperties[property] = value
            case "requiredResourceAccess":
                try Self.validateRequiredResourceAccess(value)
                application.otherProperties[property] = value
            default:
                if !property.hasPrefix("@odata") { application.otherProperties[property] = value }
            }
        }
    }

    /// The new `keyCredentials` collection: entries with `key` are new certificates; entries without
    /// `key` keep the existing credential with that `keyId`. Everything else is dropped (PATCH replaces).
    private func keyCredentials(_ value: JSONValue, existing: [KeyCredential]) throws(GraphFailure) -> [KeyCredential] {
        guard let items = value.array else {
            throw .badRequest("Invalid value specified for property 'keyCredentials' of resource 'Application'.")
        }
        var result: [KeyCredential] = []
        for item in items {
            let keyID = item["keyId"].string?.lowercased()
            guard let encoded = item["key"].string, !encoded.isEmpty else {
                guard let keyID, let kept = existing.first(where: { $0.keyId == keyID }) else {
                    throw .badRequest("Invalid value specified for property 'key' of resource 'KeyCredential'.")
                }
                var updated = kept
                if let name = item["displayName"].string { updated.displayName = name }
                result.append(updated)
                continue
            }
            guard let der = Data(base64Encoded: encoded), let validity = ClientAssertionVerifier.certificateValidity(of: der)
            else {
                throw .badRequest("Invalid value specified for property 'key' of resource 'KeyCredential'.")
            }
            let type = item["type"].string ?? "AsymmetricX509Cert"
            let usage = item["usage"].string ?? "Verify"
            guard type == "AsymmetricX509Cert", usage == "Verify" else {
                throw .badRequest("Only keyCredentials of type 'AsymmetricX509Cert' with usage 'Verify' are supported.")
            }
            let start = try date(item["startDateTime"], "startDateTime") ?? validity.notBefore
            let end = try date(item["endDateTime"], "endDateTime") ?? validity.notAfter
            guard end > start, end <= validity.notAfter.addingTimeInterval(1) else {
                throw .badRequest("Key credential end date is invalid: it must not be later than the certificate's expiry.")
            }
            let prints = ClientAssertionVerifier.thumbprints(of: der)
            if result.contains(where: { $0.thumbprint == prints.sha1Hex }) {
                throw .badRequest("Upload of duplicate certificate is not allowed.")
            }
            let customIdentifier =
                item["customKeyIdentifier"].string
                ?? Data(Base64URL.decode(prints.sha1) ?? Data()).base64EncodedString()
            result.append(
                KeyCredential(
                    keyId: keyID ?? newGUID(), displayName: item["displayName"].string,
                    customKeyIdentifier: customIdentifier, type: type, usage: usage, startDateTime: start,
                    endDateTime: end, certificateDER: der, sha256Thumbprint: prints.sha256, sha1Thumbprint: prints.sha1,
                    thumbprint: prints.sha1Hex))
        }
        return result
    }

    private func date(_ value: JSONValue?, _ property: String) throws(GraphFailure) -> Date? {
        guard let value, !value.isNull else { return nil }
        guard let text = value.string, let date = Timestamp.parse(text) else {
            throw .badRequest("Invalid value specified for property '\(property)'.")
        }
        return date
    }

    /// Deletes an application, its service principal, and what hangs off the service principal
    /// (grants, Exchange pointer and role assignments).
    func deleteApplication(_ application: RegisteredApplication) {
        if let servicePrincipal = registry.servicePrincipal(appID: application.appId) {
            deleteServicePrincipal(servicePrincipal)
        }
        registry.removeApplication(application.id)
    }

    /// Deletes a service principal with its grants, Exchange pointer and role assignments.
    func deleteServicePrincipal(_ servicePrincipal: ServicePrincipal) {
        let assignments = rbac.assignments.filter { $0.value.app == servicePrincipal.id }
        if rbac.servicePrincipals[servicePrincipal.id] != nil || !assignments.isEmpty {
            beginRBACChange()
            rbac.servicePrincipals.removeValue(forKey: servicePrincipal.id)
            for key in assignments.keys { rbac.assignments.removeValue(forKey: key) }
        }
        registry.removeServicePrincipal(servicePrincipal.id)
    }

    func applicationJSON(_ application: RegisteredApplication) -> [String: JSONValue] {
        var json: [String: JSONValue] = [
            "id": .string(application.id), "appId": .string(application.appId),
            "displayName": .string(application.displayName),
            "uniqueName": application.uniqueName.map(JSONValue.string) ?? .null,
            "signInAudience": .string(application.signInAudience),
            "notes": application.notes.map(JSONValue.string) ?? .null,
            "description": application.description.map(JSONValue.string) ?? .null,
            "createdDateTime": .string(Timestamp.string(application.createdAt)),
            "passwordCredentials": .array(application.passwordCredentials.map { .object(passwordJSON($0)) }),
            "keyCredentials": .array(
                application.keyCredentials.map { credential in
                    [
                        "keyId": .string(credential.keyId),
                        "customKeyIdentifier": .string(credential.customKeyIdentifier),
                        "displayName": credential.displayName.map(JSONValue.string) ?? .null,
                        "type": .string(credential.type), "usage": .string(credential.usage), "key": .null,
                        "startDateTime": .string(Timestamp.string(credential.startDateTime)),
                        "endDateTime": .string(Timestamp.string(credential.endDateTime)),
                    ]
                }),
        ]
        for (property, value) in application.otherProperties { json[property] = value }
        return json
    }

    private func passwordJSON(_ credential: PasswordCredential) -> [String: JSONValue] {
        [
            "keyId": .string(credential.keyId), "displayName": credential.displayName.map(JSONValue.string) ?? .null,
            "hint": .string(credential.hint), "customKeyIdentifier": .null, "secretText": .null,
            "startDateTime": .string(Timestamp.string(credential.startDateTime)),
            "endDateTime": .string(Timestamp.string(credential.endDateTime)),
        ]
    }

    // MARK: Service principals

    func servicePrincipals(_ call: GraphCall, key: ODataSegment.Key?, rest: [String]) throws(GraphFailure)
        -> WireResponse
    {
        let lag = call.context.options.replicationLag
        guard let key else {
            switch call.request.method {
            case "GET":
                try authorize(.readApplications, call)
                var ids = registry.servicePrincipalOrder
                if let filter = call.query["$filter"] {
                    ids = try evaluate(
                        filter, resource: "ServicePrincipal", order: ids,
                        sequence: { self.registry.servicePrincipals[$0]?.sequence ?? 0 },
                        indexed: { property, value in
                            switch property {
                            case "id": return self.registry.servicePrincipals[value.lowercased()].map { [$0.id] } ?? []
                            case "appid": return self.registry.servicePrincipal(appID: value).map { [$0.id] } ?? []
                            default: return nil
                            }
                        },
                        any: { collection, value in
                            guard collection == "serviceprincipalnames" else { return nil }
                            return self.registry.servicePrincipal(appID: value).map { [$0.id] } ?? []
                        },
                        field: { property in
                            property == "displayname" ? { self.registry.servicePrincipals[$0]?.displayName } : nil
                        })
                }
                ids = ids.filter {
                    self.registry.servicePrincipals[$0].map { self.isReplicated($0.createdAt, lag: lag) } ?? false
                }
                return try page(call, items: ids, context: "servicePrincipals") {
                    self.registry.servicePrincipals[$0].map(self.servicePrincipalJSON) ?? [:]
                }
            case "POST":
                try authorize(.writeApplications, call)
                let body = try call.body()
                guard let appID = body["appId"]?.string else {
                    throw .badRequest("Property 'appId' is required.")
                }
                if registry.servicePrincipal(appID: appID) != nil {
                    throw GraphFailure(
                        status: 409, code: "Request_MultipleObjectsWithSameKeyValue",
                        message: "Another object with the same value for property servicePrincipalNames already exists.")
                }
                let created = try createServicePrincipal(appID: appID, lag: lag)
                return entity(call, servicePrincipalJSON(created), context: "servicePrincipals/$entity", status: 201)
            default:
                throw .methodNotAllowed
            }
        }
        let existing = servicePrincipal(for: key)
        switch (call.request.method, rest.first) {
        case ("GET", nil):
            try authorize(.readApplications, call)
            guard let servicePrincipal = existing, isReplicated(servicePrincipal.createdAt, lag: lag) else {
                throw .missingResource(Self.describe(key))
            }
            return entity(call, servicePrincipalJSON(servicePrincipal), context: "servicePrincipals/$entity")
        case ("PATCH", nil):
            try authorize(.writeApplications, call)
            let body = try call.body()
            guard var servicePrincipal = existing else {
                guard call.createIfMissing, case .alternate(let property, let value) = key, property.equalsIgnoringCase("appId")
                else { throw .missingResource(Self.describe(key)) }
                let created = try createServicePrincipal(appID: value, lag: lag)
                return entity(call, servicePrincipalJSON(created), context: "servicePrincipals/$entity", status: 201)
            }
            if let name = body["displayName"]?.string, !name.isEmpty { servicePrincipal.displayName = name }
            registry.store(servicePrincipal)
            return .empty(204)
        case ("DELETE", nil):
            try authorize(.writeApplications, call)
            guard let servicePrincipal = existing else { throw .missingResource(Self.describe(key)) }
            deleteServicePrincipal(servicePrincipal)
            return .empty(204)
        case (_, "appRoleAssignments"), (_, "appRoleAssignedTo"):
            guard let servicePrincipal = existing, isReplicated(servicePrincipal.createdAt, lag: lag) else {
                throw .missingResource(Self.describe(key))
            }
            return try grants(call, servicePrincipal: servicePrincipal, rest: rest)
        default:
            if let first = rest.first { throw .unknownSegment(first) }
            throw .methodNotAllowed
        }
    }

    /// The service principal named by `key`: object id or `appId='…'`.
    func servicePrincipal(for key: ODataSegment.Key) -> ServicePrincipal? {
        switch key {
        case .id(let id): return registry.servicePrincipals[id.lowercased()]
        case .alternate(let property, let value):
            return property.equalsIgnoringCase("appId") ? registry.servicePrincipal(appID: value) : nil
        }
    }

    private func createServicePrincipal(appID: String, lag: Duration) throws(GraphFailure) -> ServicePrincipal {
        if registry.application(appID: appID) == nil, let published = PublishedApp.multiTenant(appID: appID) {
            // Another tenant's multi-tenant app: its service principal in this tenant (PublishedApps).
            let servicePrincipal = ServicePrincipal(
                id: newGUID(), appId: published.appId, displayName: published.displayName, appRoles: [],
                directoryRoles: [], appOwnerOrganizationId: published.appOwnerOrganizationId, createdAt: now,
                sequence: directory.takeSequence())
            registry.store(servicePrincipal)
            return servicePrincipal
        }
        guard let application = registry.application(appID: appID), isReplicated(application.createdAt, lag: lag) else {
            var failure = GraphFailure.badRequest(
                "The appId '\(appID)' of the service principal does not reference a valid application object.")
            failure.details = [["code": "NoBackingApplicationObject", "target": "appId"]]
            throw failure
        }
        let servicePrincipal = ServicePrincipal(
            id: newGUID(), appId: application.appId, displayName: application.displayName, appRoles: [],
            directoryRoles: [], appOwnerOrganizationId: identity.tenantID, createdAt: now, sequence: directory.takeSequence())
        registry.store(servicePrincipal)
        return servicePrincipal
    }

    func servicePrincipalJSON(_ servicePrincipal: ServicePrincipal) -> [String: JSONValue] {
        var json: [String: JSONValue] = [
            "id": .string(servicePrincipal.id), "appId": .string(servicePrincipal.appId),
            "displayName": .string(servicePrincipal.displayName),
            "accountEnabled": .bool(servicePrincipal.accountEnabled),
            "servicePrincipalType": "Application",
            "appOwnerOrganizationId": .string(servicePrincipal.appOwnerOrganizationId),
            "servicePrincipalNames": [.string(servicePrincipal.appId)],
            "appRoles": .array(
                servicePrincipal.appRoles.map { role in
                    [
                        "id": .string(role.id), "value": .string(role.value), "displayName": .string(role.displayName),
                        "description": .string("Allows the app to use \(role.value) without a signed-in user."),
                        "allowedMemberTypes": .array(role.allowedMemberTypes.map(JSONValue.string)), "isEnabled": true,
                        "origin": "Application",
                    ]
                }),
        ]
        // The delegated permissions the API publishes (Graph's), which consent grants name.
        if servicePrincipal.appId == Catalog.graphAppID {
            json["oauth2PermissionScopes"] = .array(
                Catalog.graphDelegatedScopes.map { ["id": .string($0.id), "value": .string($0.value), "type": "User", "isEnabled": true] })
        }
        return json
    }

    // MARK: Grants

    private func grants(_ call: GraphCall, servicePrincipal: ServicePrincipal, rest: [String]) throws(GraphFailure)
        -> WireResponse
    {
        let asResource = rest[0] == "appRoleAssignedTo"
        switch (call.request.method, rest.count) {
        case ("GET", 1):
            try authorize(.readApplications, call)
            let list =
                asResource ? registry.grants(resource: servicePrincipal.id) : registry.grants(principal: servicePrincipal.id)
            return try page(call, items: list, context: "servicePrincipals('\(servicePrincipal.id)')/\(rest[0])") {
                self.grantJSON($0)
            }
        case ("POST", 1):
            try authorize(.grantAppRoles, call)
            let body = try call.body()
            guard let principalID = body["principalId"]?.string?.lowercased(),
                let resourceID = body["resourceId"]?.string?.lowercased(),
                let roleID = body["appRoleId"]?.string?.lowercased()
            else {
                throw .badRequest("Properties 'principalId', 'resourceId' and 'appRoleId' are required.")
            }
            if asResource, resourceID != servicePrincipal.id {
                throw .badRequest("The resourceId must be the service principal in the request URL.")
            }
            if !asResource, principalID != servicePrincipal.id {
                throw .badRequest("The principalId must be the service principal in the request URL.")
            }
            let lag = call.context.options.replicationLag
            guard let principal = registry.servicePrincipals[principalID], isReplicated(principal.createdAt, lag: lag) else {
                throw .missingResource(principalID)
            }
            guard let resource = registry.servicePrincipals[resourceID] else { throw .missingResource(resourceID) }
            guard let role = resource.appRoles.first(where: { $0.id.lowercased() == roleID }) else {
                throw .badRequest("Permission being assigned was not found on application '\(resource.appId)'.")
            }
            if registry.grants(principal: principal.id).contains(where: { $0.resourceId == resource.id && $0.appRoleId == role.id }) {
                throw .badRequest("Permission being assigned already exists on the object")
            }
            let grant = AppRoleAssignment(
                id: newOpaqueID(), appRoleId: role.id, principalId: principal.id, principalDisplayName: principal.displayName,
                resourceId: resource.id, resourceDisplayName: resource.displayName, permission: role.value,
                createdDateTime: now)
            registry.store(grant)
            return entity(call, grantJSON(grant), context: "servicePrincipals('\(servicePrincipal.id)')/\(rest[0])/$entity", status: 201)
        case ("GET", 2), ("DELETE", 2):
            let isDelete = call.request.method == "DELETE"
            try authorize(isDelete ? .grantAppRoles : .readApplications, call)
            guard let grant = registry.grants[rest[1]],
                asResource ? grant.resourceId == servicePrincipal.id : grant.principalId == servicePrincipal.id
            else {
                throw .missingResource(rest[1])
            }
            if isDelete {
                registry.removeGrant(grant.id)
                return .empty(204)
            }
            return entity(call, grantJSON(grant), context: "servicePrincipals('\(servicePrincipal.id)')/\(rest[0])/$entity")
        default:
            throw .methodNotAllowed
        }
    }

    func grantJSON(_ grant: AppRoleAssignment) -> [String: JSONValue] {
        [
            "id": .string(grant.id), "appRoleId": .string(grant.appRoleId), "principalId": .string(grant.principalId),
            "principalDisplayName": .string(grant.principalDisplayName), "principalType": "ServicePrincipal",
            "resourceId": .string(grant.resourceId), "resourceDisplayName": .string(grant.resourceDisplayName),
            "createdDateTime": .string(Timestamp.string(grant.createdDateTime)), "deletedDateTime": .null,
        ]
    }
}
