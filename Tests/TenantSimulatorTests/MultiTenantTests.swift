import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// One simulator serving several tenants on one port, told apart as Microsoft's services tell them
/// apart (`SimulatorServer.tenant(for:)`).
@Suite("Several tenants on one port")
struct MultiTenantTests {
    static func options(_ number: Int) -> SimulatorOptions {
        var options = SimulatorOptions(propagationDelay: .seconds(3600))
        if number > 1 {
            options.identity = .numbered(number)
            options.seed = UInt64(number)
            options.admin = AdminSettings(userPrincipalName: "admin@\(options.identity.defaultDomain)")
        }
        return options
    }

    static func withTenants<T>(_ count: Int, _ body: (Simulator, [SimulatedTenant]) async throws -> T) async throws -> T {
        let clock = WallClock.immediate()
        let tenants = (1...count).map { SimulatedTenant(options: options($0), clock: clock) }
        return try await Simulator.serving(tenants: tenants, options: options(1), clock: clock) { try await body($0, tenants) }
    }

    static func appToken(_ sim: Simulator, tenant: String, app: AutomationApp, scope: String) async throws -> Reply {
        try await sim.send(
            "POST", sim.endpoints.tokenURL(tenant: tenant).absoluteString,
            form: ["grant_type": "client_credentials", "client_id": app.appID, "client_secret": app.clientSecret, "scope": scope])
    }

    @Test("numbered identities: 1 is Contoso, the others have their own id and domains")
    func identities() {
        #expect(TenantIdentity.numbered(1) == .contoso)
        let second = TenantIdentity.numbered(2)
        #expect(second.tenantID == "4a7c9e21-3b5d-4f68-8e1a-000000000002")
        #expect(second.defaultDomain == "contoso02.com" && second.initialDomain == "contoso02.onmicrosoft.com")
        #expect(TenantIdentity.numbered(50).defaultDomain == "contoso50.com")
        #expect(second.isNamed("CONTOSO02.com") && second.isNamed(second.tenantID.uppercased()) && !second.isNamed("contoso.com"))
        #expect(Set((1...500).map { TenantIdentity.numbered($0).tenantID }).count == 500)
    }

    @Test("the identity platform and Exchange by the tenant in the path, Graph by the token's tid")
    func routing() async throws {
        try await Self.withTenants(3) { sim, tenants in
            let second = tenants[1].identity
            let app = try await tenants[1].registerAutomationApp(graphPermissions: ["Organization.Read.All", "User.Read.All"])
            // By domain and by id: the same tenant.
            for name in [second.defaultDomain, second.tenantID, second.initialDomain] {
                let reply = try await Self.appToken(sim, tenant: name, app: app, scope: sim.endpoints.graphScope)
                #expect(reply.status == 200, "\(name): \(reply.text)")
            }
            let graph = try await Self.appToken(sim, tenant: second.defaultDomain, app: app, scope: sim.endpoints.graphScope)
                .json["access_token"].string ?? ""
            #expect(try OAuthTests.claims(graph)["tid"].string == second.tenantID)
            let organization = try await sim.graph("GET", "/organization", token: graph)
            #expect(organization.status == 200)
            #expect(organization.json["value"].array?.first?["id"].string == second.tenantID)
            let users = try await sim.graph("GET", "/users?$top=5", token: graph)
            #expect(users.status == 200)
            #expect(
                (users.json["value"].array ?? []).contains { $0["userPrincipalName"].string?.hasSuffix("@contoso02.com") == true })

            let exchange = try await Self.appToken(sim, tenant: second.tenantID, app: app, scope: sim.endpoints.exchangeScope)
                .json["access_token"].string ?? ""
            let own = try await sim.invoke(
                "Get-ManagementScope", token: exchange, url: sim.endpoints.invokeCommandURL(tenant: second.tenantID).absoluteString)
            #expect(own.status == 200, "\(own.text)")
            // Another tenant's admin API refuses the token: it is not for that tenant.
            let other = try await sim.invoke("Get-ManagementScope", token: exchange)
            #expect(other.status == 401)
            // The app exists in the second tenant only.
            let elsewhere = try await Self.appToken(sim, tenant: "contoso.com", app: app, scope: sim.endpoints.graphScope)
            #expect(elsewhere.status == 400)
            #expect(elsewhere.json["error_codes"].array?.first?.number == 700_016)
            // The first tenant is untouched and still Contoso.
            #expect(tenants[0].identity == .contoso)
            #expect(await sim.server.tenants.count == 3)
        }
    }

    @Test("a tenant the simulator does not serve: 400 invalid_request, AADSTS90002, as the identity platform answers")
    func unknownTenant() async throws {
        try await Self.withTenants(2) { sim, _ in
            for name in ["contoso09.com", "4a7c9e21-3b5d-4f68-8e1a-000000000009"] {
                let reply = try await sim.send(
                    "POST", sim.endpoints.tokenURL(tenant: name).absoluteString,
                    form: ["grant_type": "client_credentials", "client_id": "x", "client_secret": "y", "scope": sim.endpoints.graphScope])
                #expect(reply.status == 400)
                #expect(reply.json["error"].string == "invalid_request")
                #expect(reply.json["error_codes"].array?.first?.number == 90_002)
                #expect(reply.json["error_description"].string?.hasPrefix("AADSTS90002: Tenant '\(name)' not found.") == true)
            }
        }
    }
}

@Suite("Answer encoding")
struct WireJSONTests {
    @Test("WireJSON writes what JSONValue.encoded() writes: sorted keys, escapes, numbers")
    func sameBytesAsJSONEncoder() throws {
        let value: JSONValue = [
            "value": [
                ["id": "a/b", "mail": .null, "n": 3, "big": 1e300, "half": 0.5, "neg": -42, "ok": true, "no": false],
                ["text": .string("quote \" backslash \\ tab \t line \n cr \r bell \u{07} é 日本 🎉"), "list": []],
            ],
            "@odata.nextLink": "http://127.0.0.1:1/graph/v1.0/groups/x/members?$skiptoken=abc",
            "@odata.context": "ctx", "Zed": [:], "alpha": [1, 2, 3],
        ]
        #expect(WireJSON.encode(value) == value.encoded())
        #expect(try JSONValue.parse(WireJSON.encode(value)) == value)
    }
}
