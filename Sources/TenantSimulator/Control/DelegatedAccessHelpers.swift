import Foundation
import MailscopeCore

// Test and demo helpers for delegated access: what an admin changes in the portal behind
// mailscope's back, and what a user's authorization-code sign-in would meet.

extension SimulatedTenant {
    /// The delegated permission grants held by application `appID`'s service principal.
    public func delegatedGrants(appID: String) -> [OAuth2PermissionGrant] {
        guard let servicePrincipal = registry.servicePrincipal(appID: appID) else { return [] }
        return registry.permissionGrantOrder.compactMap { registry.permissionGrants[$0] }
            .filter { $0.clientId == servicePrincipal.id }
    }

    /// Sets the scope of application `appID`'s admin consent (consent type AllPrincipals), as an
    /// admin editing the grant would.
    public func setDelegatedConsent(appID: String, scope: [String]) throws(SimulatorError) {
        guard var grant = delegatedGrants(appID: appID).first(where: { $0.consentType == "AllPrincipals" }) else {
            throw .notFound("admin consent of \(appID)")
        }
        grant.scope = scope
        registry.store(grant)
    }

    /// Replaces application `appID`'s Web redirect URIs, as an admin editing Authentication would.
    public func setRedirectURIs(appID: String, _ uris: [String]) throws(SimulatorError) {
        guard var app = registry.application(appID: appID) else { throw .notFound(appID) }
        var web = app.otherProperties["web"]?.object ?? [:]
        web["redirectUris"] = .array(uris.map(JSONValue.string))
        app.otherProperties["web"] = .object(web)
        registry.store(app)
    }

    /// What a user's authorization-code sign-in to application `appID` with `redirectURI` and
    /// `scopes` would meet at the identity platform, or nil when it would get a code without a
    /// consent prompt: AADSTS50011 when the redirect URI is not registered on the app, AADSTS65001
    /// when a scope has no consent for all users and the user may not consent (MicrosoftDocs/entra-docs
    /// docs/identity-platform/reference-error-codes.md; admin consent is an AllPrincipals grant:
    /// microsoft-graph-docs-contrib api-reference/v1.0/resources/oauth2permissiongrant.md).
    public func authorizationCodeSignInError(appID: String, redirectURI: String, scopes: [String]) -> String? {
        guard let app = registry.application(appID: appID) else {
            return "AADSTS700016: Application with identifier '\(appID)' was not found in the directory."
        }
        let registered = app.otherProperties["web"]?["redirectUris"].array?.compactMap(\.string) ?? []
        guard registered.contains(redirectURI) else {
            return
                "AADSTS50011: The redirect URI '\(redirectURI)' specified in the request does not match the redirect URIs configured for the application '\(appID)'."
        }
        let graph = registry.servicePrincipal(appID: Catalog.graphAppID)?.id
        let consented = Set(
            delegatedGrants(appID: appID).filter { $0.consentType == "AllPrincipals" && $0.resourceId == graph }
                .flatMap(\.scope)
        )
        let missing = scopes.filter { !consented.contains($0) }
        guard missing.isEmpty else {
            return
                "AADSTS65001: The user or administrator has not consented to use the application with ID '\(appID)'. Send an interactive authorization request for this user and resource. (\(missing.joined(separator: " ")))"
        }
        return nil
    }
}

extension SimulatedTenant {
    /// Removes one declared permission (by id) from application `appID`'s `requiredResourceAccess`,
    /// as an admin removing it under API permissions would.
    public func removeDeclaredPermission(appID: String, id: String) throws(SimulatorError) {
        guard var app = registry.application(appID: appID) else { throw .notFound(appID) }
        let entries = app.otherProperties["requiredResourceAccess"]?.array ?? []
        app.otherProperties["requiredResourceAccess"] = .array(
            entries.map { entry in
                var object = entry.object ?? [:]
                object["resourceAccess"] = .array(
                    (entry["resourceAccess"].array ?? []).filter { $0["id"].string != id }
                )
                return .object(object)
            }
        )
        registry.store(app)
    }
}
