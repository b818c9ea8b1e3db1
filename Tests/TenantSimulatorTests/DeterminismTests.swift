import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

@Suite("Determinism and defaults")
struct DeterminismTests {
    @Test("the same seed builds the same tenant; another seed builds another")
    func seeded() async {
        let clock = WallClock.immediate()
        let first = SimulatedTenant(options: SimulatorOptions(seed: 7), clock: clock)
        let second = SimulatedTenant(options: SimulatorOptions(seed: 7), clock: clock)
        let other = SimulatedTenant(options: SimulatorOptions(seed: 8), clock: clock)
        let ids = await first.users().map(\.id)
        #expect(ids == (await second.users().map(\.id)))
        #expect(ids != (await other.users().map(\.id)))
        // People, rooms, the admin, the unlicensed user, and (right after the admin) a guest, a member
        // whose licence was removed and two members whose UPN is not their address.
        let expected: Int = 12 + 4 + 2 + 4
        #expect(ids.count == expected)
        #expect(await first.rooms().count == 4)
        #expect(await first.servicePrincipal(appID: SimulatedTenant.graphAppID)?.displayName == "Microsoft Graph")
    }

    @Test("without an explicit delay, a propagation window lasts between 30 minutes and 2 hours")
    func defaultPropagationWindow() async throws {
        var lengths: Set<Int> = []
        for seed in UInt64(1)...8 {
            let clock = WallClock.immediate()
            let tenant = SimulatedTenant(options: SimulatorOptions(seed: seed), clock: clock)
            #expect(await tenant.propagationPendingUntil() == nil)
            await tenant.beginRBACChange()
            let until = try #require(await tenant.propagationPendingUntil())
            let length = until.timeIntervalSince(clock.now)
            #expect(length >= 1800 && length <= 7200)
            lengths.insert(Int(length))
            await tenant.settlePropagation()
            #expect(await tenant.propagationPendingUntil() == nil)
        }
        #expect(lengths.count > 1)
    }
}
