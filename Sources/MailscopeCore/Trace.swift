import Foundation

/// One HTTP exchange as recorded for the log pane, the evidence and the benchmarks.
/// Secrets are redacted before anything is stored.
public struct TraceEntry: Sendable, Equatable, Codable {
    /// When the request was sent.
    public var start: Date
    /// The method.
    public var method: String
    /// The URL, redacted.
    public var url: String
    /// The status, or nil when the transport failed.
    public var status: Int?
    /// How long the exchange took, in seconds.
    public var seconds: Double
    /// The transport error, redacted, when there was no response.
    public var failure: String?
}

/// Records every exchange that passes through it.
public actor TraceRecorder {
    private(set) public var entries: [TraceEntry] = []
    private let limit: Int

    /// Creates a recorder that keeps the last `limit` entries.
    public init(limit: Int = 10_000) { self.limit = limit }

    /// Appends an entry.
    public func record(_ entry: TraceEntry) {
        entries.append(entry)
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
    }

    /// The number of exchanges recorded.
    public var count: Int { entries.count }

    /// Forgets everything recorded.
    public func reset() { entries.removeAll() }
}

/// A transport that records every exchange of the transport it wraps.
public struct TracingTransport: HTTPTransport {
    private let base: any HTTPTransport
    private let recorder: TraceRecorder
    private let clock: WallClock

    /// Wraps `base`, recording into `recorder` with times from `clock`.
    public init(_ base: any HTTPTransport, recorder: TraceRecorder, clock: WallClock = .system) {
        self.base = base
        self.recorder = recorder
        self.clock = clock
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let start = clock.now
        let began = ContinuousClock.now
        do {
            let response = try await base.send(request)
            await recorder.record(
                TraceEntry(
                    start: start,
                    method: request.method,
                    url: Redactor.redact(request.url.absoluteString),
                    status: response.status,
                    seconds: (ContinuousClock.now - began).timeInterval,
                    failure: nil
                )
            )
            return response
        } catch {
            await recorder.record(
                TraceEntry(
                    start: start,
                    method: request.method,
                    url: Redactor.redact(request.url.absoluteString),
                    status: nil,
                    seconds: (ContinuousClock.now - began).timeInterval,
                    failure: Redactor.redact(String(describing: error))
                )
            )
            throw error
        }
    }
}
