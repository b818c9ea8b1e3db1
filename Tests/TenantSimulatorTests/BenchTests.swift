import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// The simulator's benchmark aids: the `BenchUsers` group and the simulator-only `/_sim/` endpoints.
@Suite("Benchmark aids")
struct BenchTests {
    @Test("benchGroupMembers builds a distribution group of that many direct user members, spread over the users")
    func benchGroup() async throws {
        let clock = WallClock.immediate()
        let options = SimulatorOptions(userCount: 100, benchGroupMembers: 25)
        let tenant = SimulatedTenant(options: options, clock: clock)
        let group = try #require(await tenant.group(SimulatorOptions.benchGroupName))
        #expect(group.kind == .distribution)
        #expect(group.mailNickname == "benchusers")
        #expect(group.distinguishedName != nil)
        let members = try await tenant.members(ofGroup: "benchusers")
        #expect(members.count == 25)
        #expect(Set(members.map(\.id)).count == 25)
        let addresses = try await tenant.memberAddresses(ofGroup: "BenchUsers")
        #expect(addresses.count == 25)
        #expect(addresses.first == "avery.adams@contoso.com")  // the first user, then every fourth
        #expect(addresses.allSatisfy { $0.hasSuffix("@contoso.com") })
        // Every member is a user mailbox (never a room, the admin or the unlicensed user).
        for address in addresses {
            let user = try #require(await tenant.user(address))
            #expect(user.recipientTypeDetails == "UserMailbox")
            #expect(user.userPrincipalName != "admin@contoso.com")
        }
    }

    @Test("without benchGroupMembers the population is unchanged, and a snapshot restores only into the same count")
    func defaultPopulationAndSnapshots() async throws {
        let clock = WallClock.immediate()
        let plain = SimulatedTenant(options: SimulatorOptions(seed: 3), clock: clock)
        let explicitZero = SimulatedTenant(options: SimulatorOptions(seed: 3, benchGroupMembers: 0), clock: clock)
        #expect(await plain.group(SimulatorOptions.benchGroupName) == nil)
        #expect(await plain.users().map(\.id) == explicitZero.users().map(\.id))
        #expect(await plain.groups().map(\.id) == explicitZero.groups().map(\.id))
        #expect(await plain.servicePrincipals().map(\.id) == explicitZero.servicePrincipals().map(\.id))

        // A snapshot without the option restores as before; one with it restores with its group.
        let withGroup = SimulatorOptions(seed: 3, benchGroupMembers: 5)
        let bench = SimulatedTenant(options: withGroup, clock: clock)
        let benchSnapshot = try await bench.snapshot()
        let restored = try SimulatedTenant(restoring: benchSnapshot, options: withGroup, clock: clock)
        #expect(try await restored.members(ofGroup: "BenchUsers").count == 5)
        #expect(throws: TenantSnapshotError.differentPopulation) {
            try SimulatedTenant(restoring: benchSnapshot, options: SimulatorOptions(seed: 3), clock: clock)
        }
        let plainSnapshot = try await plain.snapshot()
        #expect(!String(decoding: plainSnapshot, as: UTF8.self).contains("benchGroupMembers"))
        _ = try SimulatedTenant(restoring: plainSnapshot, options: SimulatorOptions(seed: 3), clock: clock)
    }

    @Test("/_sim/stats counts tenant requests (not its own), by service, and /_sim/reset zeroes them")
    func statistics() async throws {
        try await Simulator.with { sim in
            let start = try await sim.send("GET", "/_sim/stats")
            #expect(start.status == 200)
            #expect(start.json["requests"].number == 0)
            let token = try await sim.adminToken()  // a devicecode POST and two token polls
            _ = try await sim.graph("GET", "/organization", token: token)
            _ = try await sim.send("GET", "/nowhere")
            let stats = try await sim.send("GET", "/_sim/stats").json
            #expect(stats["requests"].number == 5)
            #expect(stats["byService"]["login"].number == 3)
            #expect(stats["byService"]["graph"].number == 1)
            #expect(stats["byService"]["other"].number == 1)
            #expect(stats["maxInFlight"].number == 1)
            #expect(stats["inFlight"].number == 0)
            #expect(await sim.server.requestCount == 5)

            let log = try #require(try await sim.send("GET", "/_sim/requests").json["value"].array)
            #expect(log.count == 5)
            #expect(log.first?["method"].string == "POST")
            #expect(log.first?["target"].string?.hasSuffix("/oauth2/v2.0/devicecode") == true)
            #expect(log.map { Int($0["status"].number ?? 0) } == [200, 400, 200, 200, 404])
            #expect(log[3]["target"].string == "/graph/v1.0/organization")
            #expect(log.allSatisfy { ($0["endMs"].number ?? -1) >= ($0["startMs"].number ?? 0) })

            let reset = try await sim.send("POST", "/_sim/reset")
            #expect(reset.status == 204)
            let after = try await sim.send("GET", "/_sim/stats").json
            #expect(after["requests"].number == 0)
            #expect(after["byService"] == [:])
            #expect(try await sim.send("GET", "/_sim/requests").json["value"] == [])
        }
    }

    @Test("POST /_sim/latency changes the added latency of the same tenant; bad values and methods are refused")
    func latencySwitch() async throws {
        try await Simulator.with(SimulatorOptions(latency: .milliseconds(5))) { sim in
            #expect(await sim.server.latency == .milliseconds(5))
            let changed = try await sim.send("POST", "/_sim/latency?ms=50")
            #expect(changed.status == 200)
            #expect(changed.json["latencyMs"].number == 50)
            #expect(await sim.server.latency == .milliseconds(50))
            #expect(try await sim.send("GET", "/_sim/stats").json["latencyMs"].number == 50)
            // The tenant is the same one: an object created before the switch is still there.
            #expect(await sim.tenant.group("All Staff") != nil)

            #expect(try await sim.send("POST", "/_sim/latency?ms=-1").status == 400)
            #expect(try await sim.send("POST", "/_sim/latency?ms=soon").status == 400)
            #expect(try await sim.send("POST", "/_sim/latency").status == 400)
            #expect(try await sim.send("GET", "/_sim/latency?ms=1").status == 405)
            #expect(try await sim.send("POST", "/_sim/stats").status == 405)
            #expect(try await sim.send("GET", "/_sim/other").status == 404)
            #expect(await sim.server.latency == .milliseconds(50))
            // None of these were tenant requests.
            #expect(await sim.server.requestCount == 0)
        }
    }
}
