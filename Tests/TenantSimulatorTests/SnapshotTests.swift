import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

@Suite("Snapshots")
struct SnapshotTests {
    /// A seed above 2^53, so a lossy number coding would show.
    static let options = SimulatorOptions(seed: 0xF00D_FACE_CAFE_BEEF, propagationDelay: .seconds(3600))

    /// Everything the helpers can see of a tenant.
    struct Inventory: Equatable {
        var users: [DirectoryUser]
        var groups: [DirectoryGroup]
        var members: [String: [DirectoryObjectReference]]
        var applications: [RegisteredApplication]
        var servicePrincipals: [ServicePrincipal]
        var grants: [String: [AppRoleAssignment]]
        var exchangeServicePrincipals: [ExchangeServicePrincipal]
        var scopes: [ManagementScope]
        var assignments: [ManagementRoleAssignment]
        var adminRoles: [String]

        init(_ tenant: SimulatedTenant) async throws {
            users = await tenant.users()
            groups = await tenant.groups()
            members = [:]
            for group in groups { members[group.id] = try await tenant.members(ofGroup: group.id) }
            applications = await tenant.applications()
            servicePrincipals = await tenant.servicePrincipals()
            grants = [:]
            for servicePrincipal in servicePrincipals {
                grants[servicePrincipal.appId] = await tenant.grants(appID: servicePrincipal.appId)
            }
            exchangeServicePrincipals = await tenant.exchangeServicePrincipals()
            scopes = await tenant.managementScopes()
            assignments = await tenant.roleAssignments()
            adminRoles = await tenant.adminDirectoryRoles()
        }

        /// Every id and GUID in the inventory.
        var identifiers: Set<String> {
            var all = Set(users.flatMap { [$0.id, $0.exchangeGuid] } + groups.flatMap { [$0.id, $0.exchangeGuid] })
            all.formUnion(applications.flatMap { [$0.id, $0.appId] + $0.passwordCredentials.map(\.keyId) })
            all.formUnion(servicePrincipals.map(\.id) + grants.values.flatMap { $0.map(\.id) })
            all.formUnion(scopes.map(\.guid) + assignments.map(\.guid))
            return all
        }
    }

    /// Sets up, through the HTTP endpoints, an automation app and a target app with client secrets,
    /// Exchange's pointer, a scope on Meeting Rooms with a role assignment (opening a propagation
    /// window) and a distribution group with two members.
    static func setUp(_ sim: Simulator) async throws -> (appID: String, secret: String, exchange: String) {
        let target = try await AccessTests.scopedApp(sim)
        _ = try await sim.rows("New-DistributionGroup", ["Name": "Snapshot Rooms", "Alias": "snapshotrooms"], token: target.exchange)
        for member in ["room-alder", "room-birch"] {
            _ = try await sim.rows(
                "Add-DistributionGroupMember", ["Identity": "snapshotrooms", "Member": .string(member)], token: target.exchange)
        }
        return target
    }

    @Test("a restored tenant on a new port keeps its objects, secrets, tokens and propagation window")
    func restoreAndServe() async throws {
        try await Simulator.with(Self.options) { sim in
            let target = try await Self.setUp(sim)
            let graphToken = try await sim.appToken(appID: target.appID, secret: target.secret, scope: sim.endpoints.graphScope)
            let pending = try #require(await sim.tenant.propagationPendingUntil())
            let before = try await Inventory(sim.tenant)
            #expect(try await sim.tenant.members(ofGroup: "snapshotrooms").count == 2)
            let data = try await sim.tenant.snapshot()

            // A new process: a clock that starts at the same wall time, a new tenant, a new port.
            let clock = WallClock.immediate(origin: sim.clock.now)
            let restored = try SimulatedTenant(restoring: data, options: Self.options, clock: clock)
            try await Simulator.serving(restored, options: Self.options, clock: clock) { resumed in
                #expect(resumed.endpoints.base != sim.endpoints.base)
                #expect(try await Inventory(restored) == before)
                #expect(await restored.propagationPendingUntil() == pending)

                // Tokens issued before the restart (for the old port) still work.
                let scopes = try await resumed.rows("Get-ManagementScope", token: target.exchange)
                #expect(scopes.map { $0["Name"].string } == ["Meeting rooms"])
                let denied = try await resumed.graph("GET", "/users/room-alder@contoso.com/calendar", token: graphToken)
                #expect(denied.status == 403, "\(denied.text)")  // authenticated, but the window is still open
                let members = try await resumed.rows("Get-DistributionGroupMember", ["Identity": "snapshotrooms"], token: target.exchange)
                #expect(members.map { $0["PrimarySmtpAddress"].string } == ["room-alder@contoso.com", "room-birch@contoso.com"])

                // A secret issued before the restart signs in; the window ends at the same wall time.
                let fresh = try await resumed.appToken(appID: target.appID, secret: target.secret, scope: resumed.endpoints.graphScope)
                #expect(try await resumed.graph("GET", "/users/room-alder@contoso.com/calendar", token: fresh).status == 403)
                try await resumed.advance(.interval(pending.timeIntervalSince(clock.now) - 1))
                #expect(await restored.propagationPendingUntil() == pending)
                try await resumed.advance(.seconds(2))
                #expect(await restored.propagationPendingUntil() == nil)
                let later = try await resumed.appToken(appID: target.appID, secret: target.secret, scope: resumed.endpoints.graphScope)
                let allowed = try await resumed.graph("GET", "/users/room-alder@contoso.com/calendar", token: later)
                #expect(allowed.status == 200, "\(allowed.text)")
            }
        }
    }

    @Test("a restored tenant snapshots identically and continues the seeded id sequences")
    func identifiersContinue() async throws {
        try await Simulator.with(Self.options) { sim in
            _ = try await Self.setUp(sim)
            let data = try await sim.tenant.snapshot()
            let restored = try SimulatedTenant(restoring: data, options: Self.options, clock: sim.clock)
            #expect(try await restored.snapshot() == data)

            let known = try await Inventory(sim.tenant).identifiers
            let original = try await sim.tenant.addUser(nickname: "new.person", displayName: "New Person")
            let resumed = try await restored.addUser(nickname: "new.person", displayName: "New Person")
            #expect(resumed == original)
            #expect(!known.contains(resumed.id) && !known.contains(resumed.exchangeGuid))
            let originalApp = try await sim.tenant.registerAutomationApp(displayName: "Later")
            let resumedApp = try await restored.registerAutomationApp(displayName: "Later")
            #expect(resumedApp == originalApp)
            #expect(known.isDisjoint(with: [resumedApp.appID, resumedApp.applicationID, resumedApp.servicePrincipalID]))
        }
    }

    @Test("a snapshot of another seed, population or format version is refused")
    func refused() async throws {
        let clock = WallClock.immediate()
        let data = try await SimulatedTenant(options: Self.options, clock: clock).snapshot()

        var otherSeed = Self.options
        otherSeed.seed += 1
        #expect(throws: TenantSnapshotError.differentPopulation) {
            _ = try SimulatedTenant(restoring: data, options: otherSeed, clock: clock)
        }
        var otherSize = Self.options
        otherSize.roomCount += 1
        #expect(throws: TenantSnapshotError.differentPopulation) {
            _ = try SimulatedTenant(restoring: data, options: otherSize, clock: clock)
        }
        // Per-request and timing options may change between runs.
        var faster = Self.options
        faster.propagationDelay = .seconds(6)
        faster.latency = .milliseconds(5)
        _ = try SimulatedTenant(restoring: data, options: faster, clock: clock)

        guard case .object(var fields) = try JSONValue.parse(data) else {
            Issue.record("a snapshot is a JSON object")
            return
        }
        fields["formatVersion"] = .number(Double(SimulatedTenant.snapshotFormatVersion + 1))
        #expect(throws: TenantSnapshotError.unsupportedVersion(SimulatedTenant.snapshotFormatVersion + 1)) {
            _ = try SimulatedTenant(restoring: JSONValue.object(fields).encoded(), options: Self.options, clock: clock)
        }
        #expect(throws: DecodingError.self) {
            _ = try SimulatedTenant(restoring: Data("{}".utf8), options: Self.options, clock: clock)
        }
    }
}
