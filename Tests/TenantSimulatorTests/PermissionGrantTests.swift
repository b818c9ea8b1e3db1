import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// Delegated permission grants (oauth2permissiongrant-list, -post, -update, -delete), the app's
/// `web.redirectUris` (entra-docs reply-url.md) and `requiredResourceAccess`, as Graph answers them.
@Suite("Delegated permission grants")
struct PermissionGrantTests {
    @Test("grants need DelegatedPermissionGrant.ReadWrite.All, name published scopes, exist once, and change by PATCH")
    func grantsAreCreatedOnceUpdatedAndDeleted() async throws {
        try await Simulator.with { sim in
            let graph = sim.endpoints.graph.absoluteString
            let reader = try await sim.adminToken()
            let token = try await sim.adminToken(
                scope: "\(graph)/Application.ReadWrite.All \(graph)/DelegatedPermissionGrant.ReadWrite.All"
            )
            let app = try await sim.graph(
                "POST",
                "/applications",
                token: token,
                json: [
                    "displayName": "delegated test",
                    "web": ["redirectUris": ["https://www.workato.com/oauth/callback"]],
                ]
            )
            #expect(app.status == 201)
            let appID = try #require(app.json["appId"].string)
            let client = try await sim.graph(
                "POST",
                "/servicePrincipals",
                token: token,
                json: ["appId": .string(appID)]
            )
            let clientID = try #require(client.json["id"].string)
            let graphSP = try await sim.graph(
                "GET",
                "/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')",
                token: token
            )
            let resourceID = try #require(graphSP.json["id"].string)
            #expect(
                graphSP.json["oauth2PermissionScopes"].array?.contains {
                    $0["value"].string == "Mail.Send" && $0["id"].string == "e383f46e-2787-4529-855e-0e479a3ffac0"
                } == true
            )

            let fields: [String: JSONValue] = [
                "clientId": .string(clientID), "consentType": "AllPrincipals", "resourceId": .string(resourceID),
                "scope": "Mail.Send User.Read",
            ]
            let body = JSONValue.object(fields)
            let denied = try await sim.graph("POST", "/oauth2PermissionGrants", token: reader, json: body)
            #expect(denied.status == 403, "a token without DelegatedPermissionGrant.ReadWrite.All")
            let created = try await sim.graph("POST", "/oauth2PermissionGrants", token: token, json: body)
            #expect(created.status == 201)
            let grantID = try #require(created.json["id"].string)
            #expect(created.json["principalId"].isNull)
            #expect(try await sim.graph("POST", "/oauth2PermissionGrants", token: token, json: body).status == 409)
            var unknown = fields
            unknown["scope"] = "Mail.Sned"
            #expect(
                try await sim.graph("POST", "/oauth2PermissionGrants", token: token, json: .object(unknown)).status
                    == 400
            )
            var withPrincipal = fields
            withPrincipal["principalId"] = .string(clientID)
            #expect(
                try await sim.graph("POST", "/oauth2PermissionGrants", token: token, json: .object(withPrincipal))
                    .status == 400
            )

            let filter = "/oauth2PermissionGrants?$filter=" + Simulator.encode("clientId eq '\(clientID)'")
            let listed = try await sim.graph("GET", filter, token: reader)
            #expect(listed.json["value"].array?.count == 1)
            let patched = try await sim.graph(
                "PATCH",
                "/oauth2PermissionGrants/\(grantID)",
                token: token,
                json: ["scope": "Mail.Send User.Read offline_access"]
            )
            #expect(patched.status == 204)
            let read = try await sim.graph("GET", "/oauth2PermissionGrants/\(grantID)", token: token)
            #expect(read.json["scope"].string == "Mail.Send User.Read offline_access")
            #expect(try await sim.graph("DELETE", "/oauth2PermissionGrants/\(grantID)", token: token).status == 204)
            #expect(try await sim.graph("GET", filter, token: token).json["value"].array?.count == 0)
        }
    }

    @Test("redirect URIs are https (http only for localhost); resourceAccess types are Scope or Role")
    func redirectURIsAndRequiredResourceAccessAreChecked() async throws {
        try await Simulator.with { sim in
            let token = try await sim.adminToken()
            let app = try await sim.graph("POST", "/applications", token: token, json: ["displayName": "redirects"])
            let id = try #require(app.json["id"].string)
            let web = { (uri: String) -> JSONValue in ["web": ["redirectUris": [.string(uri)]]] }
            #expect(
                try await sim.graph(
                    "PATCH",
                    "/applications/\(id)",
                    token: token,
                    json: web("http://evil.example.com/cb")
                ).status == 400
            )
            #expect(
                try await sim.graph(
                    "PATCH",
                    "/applications/\(id)",
                    token: token,
                    json: web("https://a.example.com/(x)")
                ).status == 400
            )
            #expect(
                try await sim.graph("PATCH", "/applications/\(id)", token: token, json: web("http://localhost:8400/cb"))
                    .status == 204
            )
            let access = { (type: String) -> JSONValue in
                [
                    "requiredResourceAccess": [
                        [
                            "resourceAppId": "00000003-0000-0000-c000-000000000000",
                            "resourceAccess": [["id": "e383f46e-2787-4529-855e-0e479a3ffac0", "type": .string(type)]],
                        ]
                    ]
                ]
            }
            #expect(
                try await sim.graph("PATCH", "/applications/\(id)", token: token, json: access("Delegated")).status
                    == 400
            )
            #expect(
                try await sim.graph("PATCH", "/applications/\(id)", token: token, json: access("Scope")).status == 204
            )
        }
    }
}
