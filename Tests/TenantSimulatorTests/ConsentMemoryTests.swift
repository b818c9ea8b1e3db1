import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// A refresh with `/.default` returns what the user consented to before, as Entra's does
/// (identity-platform/scopes-oidc.md, "The /.default scope"): the fault soak's tokens expire after
/// 6 s, and a refreshed Graph token without RoleManagement.ReadWrite.Exchange made the scope
/// stage's reads 403 once the simulator enforced delegated scopes.
@Suite("consent is remembered across refreshes")
struct ConsentMemoryTests {
    @Test func aDefaultRefreshKeepsTheScopesConsentedAtSignIn() async throws {
        try await Simulator.with { sim in
            let graph = sim.endpoints.graph.absoluteString
            let start = try await sim.send(
                "POST", sim.endpoints.deviceCodeURL().absoluteString,
                form: [
                    "client_id": Simulator.graphCLI,
                    "scope": "\(graph)/User.Read \(graph)/RoleManagement.ReadWrite.Exchange offline_access",
                ])
            let form = [
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": Simulator.graphCLI,
                "device_code": try #require(start.json["device_code"].string),
            ]
            _ = try await sim.send("POST", sim.endpoints.tokenURL().absoluteString, form: form)
            let signedIn = try await sim.send("POST", sim.endpoints.tokenURL().absoluteString, form: form)
            let refresh = try #require(signedIn.json["refresh_token"].string)
            let refreshed = try await sim.send(
                "POST", sim.endpoints.tokenURL().absoluteString,
                form: [
                    "grant_type": "refresh_token", "client_id": Simulator.graphCLI, "refresh_token": refresh,
                    "scope": sim.endpoints.graphScope,
                ])
            let claims = try OAuthTests.claims(try #require(refreshed.json["access_token"].string))
            #expect(claims["scp"].string?.split(separator: " ").contains("RoleManagement.ReadWrite.Exchange") == true)
        }
    }
}
