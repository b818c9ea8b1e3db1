import Foundation

/// Multi-tenant apps registered in other tenants (a vendor's), which any tenant can take in: the
/// service principal upsert (`PATCH /servicePrincipals(appId='…')` with `Prefer: create-if-missing`,
/// microsoft-graph-docs-contrib api-reference/v1.0/api/serviceprincipal-upsert.md) creates "the local
/// representation, or application instance, of a global application object in a single tenant"
/// (entra-docs docs/identity-platform/app-objects-and-service-principals.md), for an app whose
/// `signInAudience` admits other organizations (`AzureADMultipleOrgs` or
/// `AzureADandPersonalMicrosoftAccount`: microsoft-graph-docs-contrib
/// api-reference/v1.0/resources/application.md). Any other app ID is refused as Graph refuses it:
/// 400 `Request_BadRequest`, "The appId '…' of the service principal does not reference a valid
/// application object." with `NoBackingApplicationObject` (GraphApplicationRoutes).
public struct PublishedApp: Sendable, Equatable {
    /// The application (client) ID.
    public let appId: String
    /// The app's display name, as its service principal carries it.
    public let displayName: String
    /// The vendor's tenant, which registered the app.
    public let appOwnerOrganizationId: String
    /// Who may sign in to the app.
    public let signInAudience: String

    /// Whether a tenant other than the owner's can have a service principal of it.
    var isMultiTenant: Bool { ["AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"].contains(signInAudience) }
}

extension PublishedApp {
    /// A room-booking vendor's multi-tenant app (the sample `mailscope simulate` names).
    public static let exampleVendorBooking = PublishedApp(
        appId: "7a0c3e5b-9d41-4f6e-b2a8-3c5d1e9f0b72", displayName: "Example Vendor Booking",
        appOwnerOrganizationId: "4b6d8f1a-2c3e-4a5b-9d7e-0f1a2b3c4d5e", signInAudience: "AzureADMultipleOrgs")

    /// A vendor's app registered for its own tenant only: no other tenant can take it in.
    public static let exampleSingleTenant = PublishedApp(
        appId: "2e4f6a8c-0b1d-4e3f-8a5c-7d9e1f3a5b7c", displayName: "Example Vendor Internal Tool",
        appOwnerOrganizationId: "4b6d8f1a-2c3e-4a5b-9d7e-0f1a2b3c4d5e", signInAudience: "AzureADMyOrg")

    /// The apps published in the simulated cloud, by lower-cased app ID.
    static let catalogue: [String: PublishedApp] = Dictionary(
        uniqueKeysWithValues: [exampleVendorBooking, exampleSingleTenant].map { ($0.appId.lowercased(), $0) })

    /// The published multi-tenant app with `appID`, or nil.
    static func multiTenant(appID: String) -> PublishedApp? {
        catalogue[appID.lowercased()].flatMap { $0.isMultiTenant ? $0 : nil }
    }
}
