import Foundation
import MailscopeCore
import MicrosoftClients
import Testing

/// A hung network gives up in bounded time and says so on every retry (issue 11: with
/// `--request-timeout 5` a stage took 61–124 s and printed nothing between the first warning and the end).
@Suite("retries are bounded by the request timeout and announced")
struct RetryBudgetTests {
    /// Every attempt hangs for the whole timeout, then times out.
    struct HungTransport: HTTPTransport {
        let clock: WallClock
        let timeout: Duration
        let attempts = Counter()

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            attempts.increment()
            try await clock.sleep(for: timeout)
            throw TransportError.timedOut("no answer within \(timeout)")
        }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func increment() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    final class Notices: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [RetryNotice] = []
        func append(_ notice: RetryNotice) { lock.withLock { items.append(notice) } }
        var all: [RetryNotice] { lock.withLock { items } }
    }

    @Test func aHungRequestGivesUpWithinThreeTimeoutsAndAnnouncesEachRetry() async throws {
        let clock = WallClock.immediate()
        let timeout = Duration.seconds(5)
        let transport = HungTransport(clock: clock, timeout: timeout)
        let notices = Notices()
        let sender = RequestSender(
            transport: transport, clock: clock, policy: RetryPolicy.standard.bounded(byRequestTimeout: timeout),
            onRetry: { notices.append($0) })
        let started = clock.now
        let request = HTTPRequest(method: "GET", url: URL(string: "https://graph.microsoft.com/v1.0/users")!)
        await #expect(throws: TransportError.self) { try await sender.send(request, idempotent: true) }
        let elapsed = clock.now.timeIntervalSince(started)
        #expect(elapsed <= 15)
        #expect(transport.attempts.value >= 2)
        #expect(notices.all.count == transport.attempts.value - 1)
        #expect(notices.all.first?.description.hasPrefix("GET /v1.0/users: ") == true)
        #expect(notices.all.first?.description.contains("retry 2 of 6 in 1.0 s") == true)
    }

    @Test func withoutABudgetTheAttemptsBoundIt() async throws {
        let clock = WallClock.immediate()
        let transport = HungTransport(clock: clock, timeout: .seconds(5))
        let sender = RequestSender(transport: transport, clock: clock)
        let request = HTTPRequest(method: "GET", url: URL(string: "https://graph.microsoft.com/v1.0/users")!)
        await #expect(throws: TransportError.self) { try await sender.send(request, idempotent: true) }
        #expect(transport.attempts.value == RetryPolicy.standard.maximumAttempts)
    }
}
