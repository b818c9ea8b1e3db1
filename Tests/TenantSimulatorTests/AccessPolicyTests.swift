import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// Application access policies as Exchange Online evaluates them (office-docs-powershell
/// New-ApplicationAccessPolicy.md, its rules in order) and as RBAC for Applications combines with
/// them: they constrain only the Entra grants, and the two are a union (application-rbac FAQ).
@Suite("Application access policies")
struct AccessPolicyTests {
    struct Fixture {
        var appID: String
        var spID: String
        var secret: String
        var exchange: String
        var restrict: String
    }

    /// An app with Calendars.ReadWrite tenant-wide, held by a RestrictAccess policy to Policy Users
    /// (Avery), in force.
    static func restrictedApp(_ sim: Simulator) async throws -> Fixture {
        let (_, graph, exchange) = try await sim.automation()
        let target = try await ExchangeTests.targetApp(sim, graph: graph)
        try await sim.tenant.grantTenantWide(appID: target.appID, permission: "Calendars.ReadWrite")
        _ = try await sim.rows(
            "New-DistributionGroup",
            [
                "Name": "Policy Users", "Alias": "policyusers", "Type": "Security",
                "Members": ["avery.adams@contoso.com"],
            ],
            token: exchange
        )
        let created = try await sim.rows(
            "New-ApplicationAccessPolicy",
            ["AppId": .string(target.appID), "PolicyScopeGroupId": "policyusers", "AccessRight": "RestrictAccess"],
            token: exchange
        )
        #expect(created.first?["ScopeName"].string == "Policy Users")
        try await sim.advance(.seconds(61))
        return Fixture(
            appID: target.appID,
            spID: target.spID,
            secret: target.secret,
            exchange: exchange,
            restrict: try #require(created.first?["Identity"].string)
        )
    }

    func calendar(_ sim: Simulator, _ app: Fixture, _ mailbox: String) async throws -> Reply {
        let token = try await sim.appToken(appID: app.appID, secret: app.secret, scope: sim.endpoints.graphScope)
        return try await sim.graph("GET", "/users/\(mailbox)/calendar", token: token)
    }

    @Test("a RestrictAccess policy holds the Entra grant to its group; Graph says 'Access to OData is disabled.'")
    func restrict() async throws {
        try await Simulator.with(SimulatorOptions(propagationDelay: .seconds(60))) { sim in
            let app = try await Self.restrictedApp(sim)
            #expect(try await calendar(sim, app, "avery.adams@contoso.com").status == 200)
            let outside = try await calendar(sim, app, "dana.adams@contoso.com")
            #expect(outside.status == 403)
            #expect(outside.json["error"]["message"].string == "Access to OData is disabled.")
            let tested = try await sim.rows(
                "Test-ApplicationAccessPolicy",
                ["Identity": "dana.adams@contoso.com", "AppId": .string(app.appID)],
                token: app.exchange
            )
            #expect(tested.first?["AccessCheckResult"].string == "Denied")
            // A distribution list is no security principal (New-ApplicationAccessPolicy.md, -PolicyScopeGroupID).
            let refused = try await sim.invoke(
                "New-ApplicationAccessPolicy",
                ["AppId": .string(app.appID), "PolicyScopeGroupId": "meetingrooms", "AccessRight": "RestrictAccess"],
                token: app.exchange
            )
            #expect(refused.status == 400)
        }
    }

    @Test("RBAC is not held back by a policy, DenyAccess beats RestrictAccess, and removal frees the Entra grant")
    func unionDenyAndRemoval() async throws {
        try await Simulator.with(SimulatorOptions(propagationDelay: .seconds(60))) { sim in
            let app = try await Self.restrictedApp(sim)
            let dn = try #require(await sim.tenant.group("meetingrooms")?.distinguishedName)
            _ = try await sim.rows(
                "New-ServicePrincipal",
                ["AppId": .string(app.appID), "ObjectId": .string(app.spID)],
                token: app.exchange
            )
            _ = try await sim.rows(
                "New-ManagementScope",
                ["Name": "Rooms", "RecipientRestrictionFilter": .string("MemberOfGroup -eq \(dn.quoted)")],
                token: app.exchange
            )
            _ = try await sim.rows(
                "New-ManagementRoleAssignment",
                [
                    "Name": "Rooms calendars", "Role": "Application Calendars.ReadWrite", "App": .string(app.spID),
                    "CustomResourceScope": "Rooms",
                ],
                token: app.exchange
            )
            let denied = try await sim.rows(
                "New-ApplicationAccessPolicy",
                [
                    "AppId": .string(app.appID), "PolicyScopeGroupId": "avery.adams@contoso.com",
                    "AccessRight": "DenyAccess",
                ],
                token: app.exchange
            )
            try await sim.advance(.seconds(61))
            #expect(try await calendar(sim, app, "room-alder@contoso.com").status == 200)
            #expect(try await calendar(sim, app, "avery.adams@contoso.com").status == 403)

            for identity in [app.restrict, try #require(denied.first?["Identity"].string)] {
                _ = try await sim.rows(
                    "Remove-ApplicationAccessPolicy",
                    ["Identity": .string(identity), "Confirm": false],
                    token: app.exchange
                )
            }
            #expect(try await sim.rows("Get-ApplicationAccessPolicy", token: app.exchange).isEmpty)
            #expect(try await calendar(sim, app, "dana.adams@contoso.com").status == 403, "not yet: it takes time")
            try await sim.advance(.seconds(61))
            #expect(try await calendar(sim, app, "dana.adams@contoso.com").status == 200)
        }
    }
}
