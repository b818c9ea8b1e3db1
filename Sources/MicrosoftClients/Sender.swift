import Foundation
import MailscopeCore

/// How requests are retried: throttling (429 with `Retry-After`) always; busy servers (503, 504)
/// and broken connections for idempotent requests only.
public struct RetryPolicy: Sendable, Equatable {
    /// How many times one request is sent at most.
    public var maximumAttempts: Int
    /// The first back-off delay; it doubles with each attempt.
    public var baseDelay: Duration
    /// The longest back-off delay.
    public var maximumDelay: Duration
    /// The longest `Retry-After` honoured; longer answers fail the request with the server's error.
    public var maximumRetryAfter: Duration
    /// How long one request may take with all its retries (nil: only `maximumAttempts` bounds it).
    /// A retry whose wait would end past it is not made: the last error stands.
    public var maximumElapsed: Duration?
    /// How long one attempt may take, when the transport imposes it (`--request-timeout`).
    public var attemptTimeout: Duration?

    /// Creates a policy.
    public init(
        maximumAttempts: Int = 6,
        baseDelay: Duration = .seconds(1),
        maximumDelay: Duration = .seconds(30),
        maximumRetryAfter: Duration = .seconds(300)
    ) {
        self.maximumAttempts = maximumAttempts
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maximumRetryAfter = maximumRetryAfter
        self.maximumElapsed = nil
        self.attemptTimeout = nil
    }

    /// The policy for a request timeout of `timeout` (`--request-timeout`): at most three timeouts'
    /// worth of attempts and waits for one request, so a hung network gives up in bounded time.
    public func bounded(byRequestTimeout timeout: Duration) -> RetryPolicy {
        var policy = self
        policy.maximumElapsed = timeout * 3
        policy.attemptTimeout = timeout
        policy.maximumDelay = min(maximumDelay, max(timeout, .seconds(1)))
        return policy
    }

    /// The default policy.
    public static let standard = RetryPolicy()

    func backoff(attempt: Int) -> Duration {
        let factor = 1 << min(attempt, 16)
        return min(baseDelay * factor, maximumDelay)
    }
}

/// Sends requests through a transport with the retry policy; the one path every Microsoft call takes.
public struct RequestSender: Sendable {
    /// How many requests mailscope keeps in flight at once: Exchange Online's limit of concurrent
    /// requests per app and mailbox (4) bounds the probes; the same bound keeps a check's
    /// overlapped directory reads well inside Graph's throttling.
    public static let concurrentRequests = 4

    /// The transport.
    public let transport: any HTTPTransport
    /// The clock used for back-off sleeps (a test clock makes them instant).
    public let clock: WallClock
    /// The retry policy.
    public let policy: RetryPolicy
    /// Told of every retry before its wait (the commands print it on stderr).
    public let onRetry: (@Sendable (RetryNotice) -> Void)?

    /// Creates a sender.
    public init(
        transport: any HTTPTransport, clock: WallClock, policy: RetryPolicy = .standard,
        onRetry: (@Sendable (RetryNotice) -> Void)? = nil
    ) {
        self.transport = transport
        self.clock = clock
        self.policy = policy
        self.onRetry = onRetry
    }

    /// Waits `delay` before attempt `attempt + 1` of `request`, telling `onRetry`; false when that
    /// attempt could end past the policy's time budget (its wait plus the request's own timeout;
    /// the caller then gives up with the last error).
    private func waitToRetry(
        _ request: HTTPRequest, attempt: Int, delay: Duration, reason: String, started: Date
    ) async throws -> Bool {
        if let budget = policy.maximumElapsed,
            clock.now.timeIntervalSince(started) + (delay + (policy.attemptTimeout ?? request.timeout)).timeInterval
                > budget.timeInterval
        {
            return false
        }
        onRetry?(
            RetryNotice(
                method: request.method, path: request.url.path, reason: reason, attempt: attempt + 1,
                maximumAttempts: policy.maximumAttempts, delay: delay))
        try await clock.sleep(for: delay)
        return true
    }

    /// Sends `request`, retrying as the policy allows. A request that is not idempotent (a POST that
    /// creates a secret, a group, a user or a membership) is sent again only after 429: a throttled
    /// request was refused, not applied ("When throttling occurs, Microsoft Graph returns HTTP status
    /// code 429 (Too many requests), and the requests fail": microsoft-graph-docs-contrib
    /// `concepts/throttling.md`). After 503 or 504, or a broken connection, it may have been applied,
    /// and resending it could make a second object: the answer is returned for the caller to re-read
    /// the tenant first.
    /// `wellFormed` judges a 2xx answer's body: an idempotent request whose answer it rejects (a
    /// body cut short by a proxy, say) is sent again like one whose connection broke; the last
    /// such answer is returned when the attempts run out.
    public func send(
        _ request: HTTPRequest, idempotent: Bool, wellFormed: (@Sendable (HTTPResponse) -> Bool)? = nil
    ) async throws -> HTTPResponse {
        guard let wellFormed else { return try await send(request, idempotent: idempotent) { _ in () }.response }
        return try await send(request, idempotent: idempotent) { wellFormed($0) ? () : nil }.response
    }

    /// Sends `request` as `send(_:idempotent:wellFormed:)` does, decoding each 2xx answer with
    /// `decode` (nil: malformed, sent again when idempotent), so a body is parsed once.
    /// - Returns: the last answer, and its decoded body when it was a 2xx that `decode` accepted.
    public func send<Decoded: Sendable>(
        _ request: HTTPRequest, idempotent: Bool, decode: @Sendable (HTTPResponse) -> Decoded?
    ) async throws -> (response: HTTPResponse, decoded: Decoded?) {
        var attempt = 0
        let started = clock.now
        var request = request
        var redirects = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            var response: HTTPResponse
            do {
                response = try await transport.send(request)
                while let next = try Self.redirect(of: request, by: response, hops: redirects) {
                    redirects += 1
                    request = next
                    response = try await transport.send(request)
                }
            } catch let error as TransportError {
                switch error {
                case .connectionFailed, .timedOut:
                    guard idempotent, attempt < policy.maximumAttempts,
                        try await waitToRetry(
                            request, attempt: attempt, delay: policy.backoff(attempt: attempt - 1),
                            reason: error.description, started: started)
                    else { throw error }
                    continue
                case .refusedURL, .tlsFailure:
                    throw error
                }
            }
            if (200..<300).contains(response.status) {
                let decoded = decode(response)
                if decoded == nil, idempotent, attempt < policy.maximumAttempts,
                    try await waitToRetry(
                        request, attempt: attempt, delay: policy.backoff(attempt: attempt - 1),
                        reason: "HTTP \(response.status) with a malformed body", started: started)
                {
                    continue
                }
                return (response, decoded)
            }
            let retried: Set<Int> = idempotent ? [429, 503, 504] : [429]
            guard retried.contains(response.status), attempt < policy.maximumAttempts else {
                return (response, nil)
            }
            var delay = policy.backoff(attempt: attempt - 1)
            if let retryAfter = response.header("retry-after").flatMap({
                Double($0.trimmingCharacters(in: .whitespaces))
            }) {
                let requested = Duration.interval(retryAfter)
                guard requested <= policy.maximumRetryAfter else { return (response, nil) }
                delay = max(requested, .milliseconds(10))
            }
            guard
                try await waitToRetry(
                    request, attempt: attempt, delay: delay, reason: "HTTP \(response.status)", started: started)
            else { return (response, nil) }
        }
    }
}

extension RequestSender {
    /// The most redirects one request follows (the Microsoft Graph SDKs' redirect handler default).
    public static let maximumRedirects = 5

    /// The request a 3xx `response` to `request` redirects to, or nil when it is no redirect.
    /// Followed as the Microsoft Graph SDKs' redirect handler does (301, 302, 303, 307, 308; a 303
    /// becomes a GET without a body; at most five hops), but only on the request's own scheme, host
    /// and port: a bearer token or a password never follows a redirect to another host. Anything
    /// else is refused with a clear error, never silently taken for an answer. EWS requests, which
    /// sign in with NTLM or Basic, are not redirected: the EWS client names a 3xx itself.
    static func redirect(of request: HTTPRequest, by response: HTTPResponse, hops: Int) throws(TransportError)
        -> HTTPRequest?
    {
        // EWS (NTLM or Basic sign-in) reads a 3xx itself: a 302 there is a forms-based sign-in page.
        guard [301, 302, 303, 307, 308].contains(response.status), request.authentication == nil else { return nil }
        guard let location = response.header("location"), let target = URL(string: location, relativeTo: request.url)?.absoluteURL
        else {
            throw .refusedURL(request.url.absoluteString, reason: "answered \(response.status) without a usable Location")
        }
        guard target.scheme == request.url.scheme, target.host == request.url.host, target.port == request.url.port else {
            throw .refusedURL(
                target.absoluteString,
                reason:
                    "\(request.method) \(request.url.path) was redirected (\(response.status)) to another host; mailscope follows redirects only on the same host, so a token never leaves for one it was not issued for")
        }
        guard hops < maximumRedirects else {
            throw .refusedURL(target.absoluteString, reason: "more than \(maximumRedirects) redirects")
        }
        var next = request
        next.url = target
        if response.status == 303 {
            next.method = "GET"
            next.body = nil
        }
        return next
    }
}

/// A retry about to be made: what failed and how long the sender waits.
public struct RetryNotice: Sendable, Equatable, CustomStringConvertible {
    /// The request's method.
    public var method: String
    /// The request's path (no query: it may be long, and it names no secret either way).
    public var path: String
    /// What failed.
    public var reason: String
    /// The attempt about to be made (2 for the first retry).
    public var attempt: Int
    /// The most attempts the policy allows.
    public var maximumAttempts: Int
    /// The wait before it.
    public var delay: Duration

    public var description: String {
        let seconds = delay.timeInterval
        let wait = seconds < 10 ? String(format: "%.1f s", seconds) : "\(Int(seconds.rounded())) s"
        return "\(method) \(path): \(reason); retry \(attempt) of \(maximumAttempts) in \(wait)"
    }
}

extension HTTPResponse {
    /// The body as JSON (`.null` when empty), or nil when it is not valid JSON (for
    /// `RequestSender.send`'s `decode`).
    @Sendable static func jsonBody(_ response: HTTPResponse) -> JSONValue? {
        response.body.isEmpty ? .null : try? JSONValue.parse(response.body)
    }
}

/// Percent-encodes query values the way OData expects (spaces as %20, quotes and parentheses kept readable).
enum Query {
    private static let allowed: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128))
        )
        set.insert(charactersIn: "-._~'()*,:/@!$")
        return set
    }()

    /// `path?name=value&...` with each value encoded.
    static func path(_ path: String, _ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return path }
        let query = items.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
        return path + (path.contains("?") ? "&" : "?") + query
    }

    /// An OData string literal: single-quoted, with `'` doubled.
    static func literal(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A path segment with reserved characters encoded.
    static func segment(_ value: String) -> String {
        var set = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128))
        )
        set.insert(charactersIn: "-._~@")
        return value.addingPercentEncoding(withAllowedCharacters: set) ?? value
    }
}
