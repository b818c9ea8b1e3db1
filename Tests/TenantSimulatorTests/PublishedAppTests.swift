import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// A vendor's multi-tenant app (another tenant's registration) taken into this tenant with the
/// service principal upsert (serviceprincipal-upsert.md), and an app ID Graph cannot back refused.
@Suite("Published multi-tenant apps")
struct PublishedAppTests {
    @Test("the upsert creates a published app's service principal once; an unknown or single-tenant app is refused")
    func upsertOfAPublishedApp() async throws {
        try await Simulator.with { sim in
            let token = try await sim.adminToken()
            let vendor = PublishedApp.exampleVendorBooking
            let path = "/servicePrincipals(appId='\(vendor.appId)')"
            #expect(try await sim.graph("GET", path, token: token).status == 404)
            let created = try await sim.graph("PATCH", path, token: token, json: [:], headers: ["Prefer": "create-if-missing"])
            #expect(created.status == 201)
            #expect(created.json["appId"].string == vendor.appId)
            #expect(created.json["displayName"].string == vendor.displayName)
            #expect(created.json["appOwnerOrganizationId"].string == vendor.appOwnerOrganizationId)
            let again = try await sim.graph("PATCH", path, token: token, json: [:], headers: ["Prefer": "create-if-missing"])
            #expect(again.status == 204)
            // No application object here: the registration stays in the vendor's tenant.
            let apps = try await sim.graph("GET", "/applications(appId='\(vendor.appId)')", token: token)
            #expect(apps.status == 404)

            for unknown in ["0d9a1f2e-3b4c-4d5e-8f6a-7b8c9d0e1f2a", PublishedApp.exampleSingleTenant.appId] {
                let refused = try await sim.graph(
                    "PATCH", "/servicePrincipals(appId='\(unknown)')", token: token, json: [:],
                    headers: ["Prefer": "create-if-missing"])
                #expect(refused.status == 400)
                #expect(refused.json["error"]["code"].string == "Request_BadRequest")
                #expect(refused.json["error"]["message"].string?.contains("does not reference a valid application object") == true)
                #expect(refused.json["error"]["details"].array?.first?["code"].string == "NoBackingApplicationObject")
            }
            // Without Prefer: create-if-missing the PATCH is an update of nothing: 404.
            let update = try await sim.graph(
                "PATCH", "/servicePrincipals(appId='0d9a1f2e-3b4c-4d5e-8f6a-7b8c9d0e1f2a')", token: token, json: [:])
            #expect(update.status == 404)
        }
    }
}
