import Clocks
import Foundation

/// Wall-clock time that can be injected: the real clock in production, a test clock in tests,
/// so that a two-hour propagation wait runs in milliseconds.
public struct WallClock: Sendable {
    private let clock: AnyClock<Duration>
    private let originInstant: AnyClock<Duration>.Instant
    private let originDate: Date

    /// Wraps `clock`, whose current instant is taken to be `origin`.
    public init<C: Clock>(_ clock: C, origin: Date) where C.Duration == Duration {
        let erased = AnyClock(clock)
        self.clock = erased
        self.originInstant = erased.now
        self.originDate = origin
    }

    /// The system's clock.
    public static var system: WallClock { WallClock(ContinuousClock(), origin: Date()) }

    /// A clock that never suspends: each sleep moves time forward at once. For tests and
    /// simulations that must not wait.
    public static func immediate(origin: Date = Date(timeIntervalSince1970: 1_795_000_000)) -> WallClock {
        WallClock(ImmediateClock(), origin: origin)
    }

    /// The current time.
    public var now: Date {
        originDate.addingTimeInterval(originInstant.duration(to: clock.now).timeInterval)
    }

    /// Suspends until `date` (returns at once when it has passed).
    public func sleep(until date: Date) async throws {
        let seconds = date.timeIntervalSince(now)
        guard seconds > 0 else { return }
        try await clock.sleep(for: .interval((seconds * 1000).rounded(.up) / 1000))
    }

    /// Suspends for `duration`.
    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return }
        try await clock.sleep(for: duration)
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// A duration from a number of seconds. Total: a number a server sent (a `Retry-After` of
    /// 1e300 or nan, found by scripts/fuzz) must not stop the process, so NaN is zero and anything
    /// beyond ±100 years is ±100 years.
    public static func interval(_ seconds: TimeInterval) -> Duration {
        guard !seconds.isNaN else { return .zero }
        let limit: TimeInterval = 100 * 365 * 86_400
        return .milliseconds(Int64((min(max(seconds, -limit), limit) * 1000).rounded()))
    }
}
