import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// Application access policies as Exchange Online evaluates them (office-docs-powershell
/// New-ApplicationAccessPolicy.md, its rules in order) and as RBAC for Applications combines with
/// them: they constrain only the Entra grants, and the two are a union (application-rbac FAQ).
@Suite("Application access policies")
struct AccessPolicyTests {
    @Test("a RestrictAccess policy holds the Entra grant to its group, DenyAccess wins, RBAC is not held back")
    func evaluation() async throws {
        try await Simulator.with(SimulatorOptions(propagationDelay: .seconds(60))) { sim in
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
            // A distribution list is no security principal (New-ApplicationAccessPolicy.md, -PolicyScopeGroupID).
            let refused = try await sim.invoke(
                "New-ApplicationAccessPolicy",
                [
                    "AppId": .string(target.appID), "PolicyScopeGroupId": "meetingrooms",
                    "AccessRight": "RestrictAccess",
                ],
                token: exchange
            )
            #expect(refused.status == 400)
            let created = try await sim.rows(
                "New-ApplicationAccessPolicy",
                ["AppId": .string(target.appID), "PolicyScopeGroupId": "policyusers", "AccessRight": "RestrictAccess"],
                token: exchange
            )
            let restrict = try #require(created.first?["Identity"].string)
            #expect(created.first?["ScopeName"].string == "Policy Users")
            try await sim.advance(.seconds(61))
            var token = try await sim.appToken(
                appID: target.appID,
                secret: target.secret,
                scope: sim.endpoints.graphScope
            )
            #expect(try await sim.graph("GET", "/users/avery.adams@contoso.com/calendar", token: token).status == 200)
            let outside = try await sim.graph("GET", "/users/dana.adams@contoso.com/calendar", token: token)
            #expect(outside.status == 403)
            #expect(outside.json["error"]["message"].string == "Access to OData is disabled.")
            let tested = try await sim.rows(
                "Test-ApplicationAccessPolicy",
                ["Identity": "dana.adams@contoso.com", "AppId": .string(target.appID)],
                token: exchange
            )
            #expect(tested.first?["AccessCheckResult"].string == "Denied")

            // RBAC for Applications is not held back by the policy: a scoped role reaches its scope.
            let dn = try #require(await sim.tenant.group("meetingrooms")?.distinguishedName)
            _ = try await sim.rows(
                "New-ServicePrincipal",
                ["AppId": .string(target.appID), "ObjectId": .string(target.spID)],
                token: exchange
            )
            _ = try await sim.rows(
                "New-ManagementScope",
                ["Name": "Rooms", "RecipientRestrictionFilter": .string("MemberOfGroup -eq \(dn.quoted)")],
                token: exchange
            )
            _ = try await sim.rows(
                "New-ManagementRoleAssignment",
                [
                    "Name": "Rooms calendars", "Role": "Application Calendars.ReadWrite", "App": .string(target.spID),
                    "CustomResourceScope": "Rooms",
                ],
                token: exchange
            )
            // DenyAccess beats RestrictAccess for a mailbox both name.
            let denied = try await sim.rows(
                "New-ApplicationAccessPolicy",
                [
                    "AppId": .string(target.appID), "PolicyScopeGroupId": "avery.adams@contoso.com",
                    "AccessRight": "DenyAccess",
                ],
                token: exchange
            )
            try await sim.advance(.seconds(61))
            token = try await sim.appToken(appID: target.appID, secret: target.secret, scope: sim.endpoints.graphScope)
            #expect(try await sim.graph("GET", "/users/room-alder@contoso.com/calendar", token: token).status == 200)
            #expect(try await sim.graph("GET", "/users/avery.adams@contoso.com/calendar", token: token).status == 403)

            // Removed, the policies hold nothing back: the Entra grant reaches every mailbox again.
            for identity in [restrict, try #require(denied.first?["Identity"].string)] {
                _ = try await sim.rows(
                    "Remove-ApplicationAccessPolicy",
                    ["Identity": .string(identity), "Confirm": false],
                    token: exchange
                )
            }
            #expect(try await sim.rows("Get-ApplicationAccessPolicy", token: exchange).isEmpty)
            #expect(
                try await sim.graph("GET", "/users/dana.adams@contoso.com/calendar", token: token).status == 403,
                "not yet"
            )
            try await sim.advance(.seconds(61))
            token = try await sim.appToken(appID: target.appID, secret: target.secret, scope: sim.endpoints.graphScope)
            #expect(try await sim.graph("GET", "/users/dana.adams@contoso.com/calendar", token: token).status == 200)
        }
    }
}
