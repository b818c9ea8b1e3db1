import Crypto
import Foundation
import MailscopeCore
import SwiftASN1
import Testing
import X509
import _CryptoExtras

@testable import TenantSimulator

@Suite("Identity platform")
struct OAuthTests {
    @Test("device code: pending until the Nth poll, then a delegated token for the admin")
    func deviceCode() async throws {
        try await Simulator.with { sim in
            let start = try await sim.send(
                "POST", sim.endpoints.deviceCodeURL().absoluteString,
                form: ["client_id": Simulator.graphCLI, "scope": sim.endpoints.graphScope + " offline_access"])
            #expect(start.status == 200)
            #expect(start.json["expires_in"].number == 900)
            #expect(start.json["interval"].number == 5)
            #expect(start.json["user_code"].string?.count == 9)
            let code = try #require(start.json["device_code"].string)
            let form = [
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": Simulator.graphCLI,
                "device_code": code,
            ]
            let first = try await sim.send("POST", sim.endpoints.tokenURL().absoluteString, form: form)
            #expect(first.status == 400)
            #expect(first.json["error"].string == "authorization_pending")
            #expect(first.json["error_codes"].array?.first?.number == 70016)
            #expect(first.json["error_description"].string?.hasPrefix("AADSTS70016") == true)
            let second = try await sim.send("POST", sim.endpoints.tokenURL().absoluteString, form: form)
            #expect(second.status == 200)
            #expect(second.json["token_type"].string == "Bearer")
            #expect(second.json["refresh_token"].string != nil)
            let claims = try Self.claims(try #require(second.json["access_token"].string))
            #expect(claims["tid"].string == SimulatedTenant.tenantID)
            #expect(claims["upn"].string == "admin@contoso.com")
            #expect(claims["aud"].string == sim.endpoints.graph.absoluteString)
            #expect(claims["scp"].string?.contains("Application.ReadWrite.All") == true)
            #expect(claims["roles"].isNull)
            let again = try await sim.send("POST", sim.endpoints.tokenURL().absoluteString, form: form)
            #expect(again.json["error"].string == "invalid_grant")

            // The refresh token buys a token for the other resource without a second prompt.
            let refreshed = try await sim.send(
                "POST", sim.endpoints.tokenURL().absoluteString,
                form: [
                    "grant_type": "refresh_token", "client_id": Simulator.graphCLI,
                    "refresh_token": second.json["refresh_token"].string ?? "", "scope": sim.endpoints.exchangeScope,
                ])
            #expect(refreshed.status == 200)
            let exchangeClaims = try Self.claims(try #require(refreshed.json["access_token"].string))
            #expect(exchangeClaims["aud"].string == sim.endpoints.exchange.absoluteString)
        }
    }

    @Test("device code: declined and unknown clients")
    func deviceCodeRefusals() async throws {
        try await Simulator.with { sim in
            let unknown = try await sim.send(
                "POST", sim.endpoints.deviceCodeURL().absoluteString,
                form: ["client_id": "11111111-2222-3333-4444-555555555555", "scope": sim.endpoints.graphScope])
            #expect(unknown.json["error"].string == "unauthorized_client")
            await sim.tenant.setDeviceCodeOutcome(.decline)
            await #expect(throws: TestFailure.self) { _ = try await sim.adminToken() }
        }
    }

    @Test("client credentials with a secret: roles hold the app's grants for that resource")
    func clientSecret() async throws {
        try await Simulator.with { sim in
            let app = try await sim.tenant.registerAutomationApp(graphPermissions: ["User.Read.All"])
            let graph = try await sim.appToken(appID: app.appID, secret: app.clientSecret, scope: sim.endpoints.graphScope)
            let claims = try Self.claims(graph)
            #expect(claims["roles"].strings == ["User.Read.All"])
            #expect(claims["appid"].string == app.appID)
            #expect(claims["upn"].isNull)
            let exchange = try await sim.appToken(appID: app.appID, secret: app.clientSecret, scope: sim.endpoints.exchangeScope)
            #expect(try Self.claims(exchange)["roles"].strings == ["Exchange.ManageAsApp"])

            let wrong = try await sim.send(
                "POST", sim.endpoints.tokenURL().absoluteString,
                form: [
                    "grant_type": "client_credentials", "client_id": app.appID, "client_secret": "nope",
                    "scope": sim.endpoints.graphScope,
                ])
            #expect(wrong.status == 401)
            #expect(wrong.json["error"].string == "invalid_client")
            #expect(wrong.json["error_codes"].array?.first?.number == 7_000_215)
            let badScope = try await sim.send(
                "POST", sim.endpoints.tokenURL().absoluteString,
                form: [
                    "grant_type": "client_credentials", "client_id": app.appID, "client_secret": app.clientSecret,
                    "scope": sim.endpoints.graph.absoluteString + "/User.Read.All",
                ])
            #expect(badScope.json["error"].string == "invalid_scope")
        }
    }

    @Test("expired, garbled and wrong-audience tokens answer 401 InvalidAuthenticationToken")
    func tokenRejections() async throws {
        try await Simulator.with { sim in
            let (_, graph, exchange) = try await sim.automation()
            #expect(try await sim.graph("GET", "/users?$top=1", token: graph).status == 200)
            let garbled = try await sim.graph("GET", "/organization", token: "not-a-jwt")
            #expect(garbled.status == 401)
            #expect(garbled.json["error"]["code"].string == "InvalidAuthenticationToken")
            let wrongAudience = try await sim.graph("GET", "/organization", token: exchange)
            #expect(wrongAudience.status == 401)
            let wrongForExchange = try await sim.invoke("Get-ManagementScope", token: graph)
            #expect(wrongForExchange.status == 401)
            try await sim.advance(.seconds(3601))
            let expired = try await sim.graph("GET", "/organization", token: graph)
            #expect(expired.status == 401)
            #expect(expired.json["error"]["code"].string == "InvalidAuthenticationToken")
            #expect(expired.json["error"]["message"].string?.contains("expired") == true)
            #expect(expired.header("request-id") != nil)
        }
    }

    @Test("certificate client assertion (PS256 and RS256) is verified against keyCredentials")
    func certificateAssertion() async throws {
        try await Simulator.with { sim in
            let (_, graph, _) = try await sim.automation()
            let created = try await sim.graph(
                "PATCH", "/applications(uniqueName='cert-app')", token: graph,
                json: ["displayName": "Cert App", "signInAudience": "AzureADMyOrg"],
                headers: ["Prefer": "create-if-missing"])
            #expect(created.status == 201)
            let id = try #require(created.json["id"].string)
            let appID = try #require(created.json["appId"].string)
            #expect(try await sim.graph("PATCH", "/servicePrincipals(appId='\(appID)')", token: graph, json: [:], headers: ["Prefer": "create-if-missing"]).status == 201)

            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let der = try Self.certificate(key: key, now: sim.clock.now)
            let patched = try await sim.graph(
                "PATCH", "/applications/\(id)", token: graph,
                json: [
                    "keyCredentials": [
                        [
                            "type": "AsymmetricX509Cert", "usage": "Verify", "key": .string(der.base64EncodedString()),
                            "displayName": "CN=cert-app",
                        ]
                    ]
                ])
            #expect(patched.status == 204)
            let read = try await sim.graph("GET", "/applications/\(id)", token: graph)
            #expect(read.json["keyCredentials"].array?.count == 1)
            #expect(read.json["keyCredentials"].array?.first?["key"].isNull == true)

            for algorithm in ["PS256", "RS256"] {
                let assertion = try Self.assertion(
                    key: key, der: der, clientID: appID, audience: sim.endpoints.tokenURL().absoluteString,
                    now: sim.clock.now, algorithm: algorithm)
                let reply = try await sim.send(
                    "POST", sim.endpoints.tokenURL().absoluteString,
                    form: [
                        "grant_type": "client_credentials", "client_id": appID, "scope": sim.endpoints.graphScope,
                        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        "client_assertion": assertion,
                    ])
                #expect(reply.status == 200, "\(algorithm): \(reply.text)")
            }
            let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let forged = try Self.assertion(
                key: other, der: der, clientID: appID, audience: sim.endpoints.tokenURL().absoluteString,
                now: sim.clock.now, algorithm: "PS256")
            let refused = try await sim.send(
                "POST", sim.endpoints.tokenURL().absoluteString,
                form: [
                    "grant_type": "client_credentials", "client_id": appID, "scope": sim.endpoints.graphScope,
                    "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    "client_assertion": forged,
                ])
            #expect(refused.status == 401)
            #expect(refused.json["error_codes"].array?.first?.number == 700_027)
        }
    }

    // MARK: Helpers

    static func claims(_ jwt: String) throws -> JSONValue {
        let parts = jwt.split(separator: ".")
        guard parts.count == 3 else { throw TestFailure.unexpected("not a JWT") }
        var base64 = String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return try JSONValue.parse(Data(base64Encoded: base64) ?? Data())
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func certificate(key: _RSA.Signing.PrivateKey, now: Date) throws -> Data {
        let certificateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName { CommonName("cert-app") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: certificateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(365 * 86_400), issuer: name,
            subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions { Critical(BasicConstraints.notCertificateAuthority) },
            issuerPrivateKey: certificateKey)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return Data(serializer.serializedBytes)
    }

    static func assertion(
        key: _RSA.Signing.PrivateKey, der: Data, clientID: String, audience: String, now: Date, algorithm: String
    ) throws -> String {
        let header: JSONValue = [
            "alg": .string(algorithm), "typ": "JWT", "x5t#S256": .string(base64URL(Data(SHA256.hash(data: der)))),
        ]
        let issued = Double(Int(now.timeIntervalSince1970))
        let claims: JSONValue = [
            "aud": .string(audience), "iss": .string(clientID), "sub": .string(clientID), "jti": .string(UUID().uuidString),
            "nbf": .number(issued), "iat": .number(issued), "exp": .number(issued + 300),
        ]
        let input = base64URL(header.encoded()) + "." + base64URL(claims.encoded())
        let signature = try key.signature(
            for: SHA256.hash(data: Data(input.utf8)), padding: algorithm == "PS256" ? .PSS : .insecurePKCS1v1_5)
        return input + "." + base64URL(signature.rawRepresentation)
    }
}
