import Foundation
import MailscopeCore
import TenantSimulator

/// A simulated tenant served over real HTTP on a loopback port, on one clock (immediate by
/// default, so a two-hour wait runs in milliseconds): what every suite that talks to the
/// simulator starts from.
public struct SimulatorFixture: Sendable {
    /// The clock the tenant keeps its time on.
    public let clock: WallClock
    /// The tenant.
    public let tenant: SimulatedTenant
    /// The server on loopback.
    public let server: SimulatorServer
    /// The server's endpoints (login, Graph, Exchange admin, EWS, control).
    public let endpoints: SimulatorEndpoints

    /// Serves a new tenant made with `options` on a new port.
    /// - Parameter latencyClock: the clock the server's added latency sleeps on (default: the
    ///   tenant's clock, so latency costs nothing; `.system` makes it real).
    public static func start(
        _ options: SimulatorOptions, clock: WallClock = .immediate(), latencyClock: WallClock? = nil
    ) async throws -> SimulatorFixture {
        try await serve(SimulatedTenant(options: options, clock: clock), options: options, clock: clock, latencyClock: latencyClock)
    }

    /// Serves `tenant` on a new port.
    public static func serve(
        _ tenant: SimulatedTenant, options: SimulatorOptions, clock: WallClock, latencyClock: WallClock? = nil
    ) async throws -> SimulatorFixture {
        let server = SimulatorServer(tenant: tenant, options: options, clock: latencyClock ?? clock)
        let base = try await server.start(port: 0)
        return SimulatorFixture(clock: clock, tenant: tenant, server: server, endpoints: SimulatorEndpoints(base: base))
    }

    /// Stops the server.
    public func stop() async {
        await server.stop()
    }
}
