import Foundation

/// The one place a target becomes its driver: every other decision about a target is its driver's.
enum Targets {
    /// The driver type for `config`'s target.
    static func driverType(for config: SetupConfig) -> any TargetDriver.Type {
        switch config.target {
        case .exchangeOnline: ExchangeOnlineDriver.self
        case .exchangeServer: ExchangeServerDriver.self
        }
    }

    /// A new driver for one run.
    static func driver(for run: RunContext) throws -> any TargetDriver {
        try driverType(for: run.config).init(run: run)
    }
}
