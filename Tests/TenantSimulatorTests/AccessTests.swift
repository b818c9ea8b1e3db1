import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

@Suite("Effective mailbox access")
struct AccessTests {
    /// Sets up the target app with a Calendars.ReadWrite assignment scoped to Meeting Rooms.
    static func scopedApp(_ sim: Simulator) async throws -> (appID: String, secret: String, exchange: String) {
        let (_, graph, exchange) = try await sim.automation()
        let target = try await ExchangeTests.targetApp(sim, graph: graph)
        let dn = try #require(await sim.tenant.group("meetingrooms")?.distinguishedName)
        _ = try await sim.rows("New-ServicePrincipal", ["AppId": .string(target.appID), "ObjectId": .string(target.spID)], token: exchange)
        _ = try await sim.rows(
            "New-ManagementScope", ["Name": "Meeting rooms", "RecipientRestrictionFilter": .string("MemberOfGroup -eq \(dn.quoted)")],
            token: exchange)
        _ = try await sim.rows(
            "New-ManagementRoleAssignment",
            ["Name": "Target calendars", "Role": "Application Calendars.ReadWrite", "App": .string(target.spID), "CustomResourceScope": "Meeting rooms"],
            token: exchange)
        return (target.appID, target.secret, exchange)
    }

    @Test("a mailbox probe is denied until the propagation delay has passed, then allowed")
    func propagation() async throws {
        try await Simulator.with(SimulatorOptions(propagationDelay: .seconds(3600))) { sim in
            let target = try await Self.scopedApp(sim)
            let token = try await sim.appToken(appID: target.appID, secret: target.secret, scope: sim.endpoints.graphScope)
            let before = try await sim.graph("GET", "/users/room-alder@contoso.com/calendar?$select=id", token: token)
            #expect(before.status == 403)
            #expect(before.json["error"]["code"].string == "ErrorAccessDenied")
            #expect(before.json["error"]["message"].string == "Access is denied. Check credentials and try again.")
            #expect(await sim.tenant.propagationPendingUntil() != nil)
            try await sim.advance(.seconds(3601))
            let fresh = try await sim.appToken(appID: target.appID, secret: target.secret, scope: sim.endpoints.graphScope)
            let after = try await sim.graph("GET", "/users/room-alder@contoso.com/calendar?$select=id", token: fresh)
            #expect(after.status == 200)
            #expect(after.json["id"].string != nil)
            #expect(after.json["name"].isNull)
            // The scope grants calendars only, and only inside the scope.
            #expect(try await sim.graph("GET", "/users/room-alder@contoso.com/messages?$top=1&$select=id", token: fresh).status == 403)
            #expect(try await sim.graph("GET", "/users/avery.adams@contoso.com/calendar", token: fresh).status == 403)
            #expect(try await sim.graph("POST", "/users/room-birch@contoso.com/events", token: fresh, json: ["subject": "Booked"]).status == 201)
            // Nested-group members are out of scope.
            #expect(try await sim.graph("GET", "/users/room-elm@contoso.com/calendar", token: fresh).status == 403)
            #expect(try await sim.graph("GET", "/users/nobody@contoso.com/calendar", token: fresh).status == 404)
            #expect(try await sim.graph("GET", "/users/pat.unlicensed@contoso.com/calendar", token: fresh).status == 404)
        }
    }

    @Test("a membership change of the scope's group reaches probes only after the delay")
    func membershipPropagation() async throws {
        try await Simulator.with(SimulatorOptions(propagationDelay: .seconds(1800))) { sim in
            let target = try await Self.scopedApp(sim)
            try await sim.advance(.seconds(1801))
            let token = try await sim.appToken(appID: target.appID, secret: target.secret, scope: sim.endpoints.graphScope)
            #expect(try await sim.graph("GET", "/users/room-elm@contoso.com/calendar", token: token).status == 403)
            _ = try await sim.rows(
                "Add-DistributionGroupMember", ["Identity": "meetingrooms", "Member": "room-elm"], token: target.exchange)
            let test = try await sim.rows(
                "Test-ServicePrincipalAuthorization", ["Identity": .string(target.appID), "Resource": "room-elm"],
                token: target.exchange)
            #expect(test.first?["InScope"].string == "True")
            #expect(try await sim.graph("GET", "/users/room-elm@contoso.com/calendar", token: token).status == 403)
            try await sim.advance(.seconds(1801))
            let fresh = try await sim.appToken(appID: target.appID, secret: target.secret, scope: sim.endpoints.graphScope)
            #expect(try await sim.graph("GET", "/users/room-elm@contoso.com/calendar", token: fresh).status == 200)
            // Drift: a member removed behind the tool's back keeps access until the delay passes.
            try await sim.tenant.removeGroupMember(group: "meetingrooms", member: "room-alder@contoso.com")
            #expect(try await sim.graph("GET", "/users/room-alder@contoso.com/calendar", token: fresh).status == 200)
            try await sim.advance(.seconds(1801))
            let later = try await sim.appToken(appID: target.appID, secret: target.secret, scope: sim.endpoints.graphScope)
            #expect(try await sim.graph("GET", "/users/room-alder@contoso.com/calendar", token: later).status == 403)
        }
    }

    @Test("a tenant-wide Entra grant makes an out-of-scope mailbox readable; Test-ServicePrincipalAuthorization ignores it")
    func tenantWideGrant() async throws {
        try await Simulator.with(SimulatorOptions(propagationDelay: .seconds(60))) { sim in
            let target = try await Self.scopedApp(sim)
            try await sim.advance(.seconds(61))
            let scoped = try await sim.appToken(appID: target.appID, secret: target.secret, scope: sim.endpoints.graphScope)
            #expect(try await sim.graph("GET", "/users/avery.adams@contoso.com/calendar", token: scoped).status == 403)
            try await sim.tenant.grantTenantWide(appID: target.appID, permission: "Calendars.Read")
            let widened = try await sim.appToken(appID: target.appID, secret: target.secret, scope: sim.endpoints.graphScope)
            #expect(try await sim.graph("GET", "/users/avery.adams@contoso.com/calendar", token: widened).status == 200)
            #expect(try await sim.graph("GET", "/users/room-elm@contoso.com/calendar", token: widened).status == 200)
            let test = try await sim.rows(
                "Test-ServicePrincipalAuthorization", ["Identity": .string(target.appID), "Resource": "avery.adams@contoso.com"],
                token: target.exchange)
            #expect(test.first?["InScope"].string == "False")
            #expect(await sim.tenant.canAccess(mailbox: "avery.adams@contoso.com", appID: target.appID, permission: "Calendars.Read"))
        }
    }
}
