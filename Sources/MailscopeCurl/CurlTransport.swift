import Foundation
import MailscopeCore

/// The production `HTTPTransport`: sends requests with libcurl.
///
/// What it guarantees:
/// - **Endpoint policy.** Every URL must pass `EndpointPolicy.violation(for:)`; a URL that fails
///   throws `TransportError.refusedURL` before any I/O. libcurl is further restricted to the
///   `http` and `https` protocols.
/// - **TLS.** Peer and host-name verification are always on and TLS 1.2 is the minimum version;
///   nothing can turn them off. A custom CA bundle replaces the default trust store.
/// - **No redirects.** A 3xx response is returned as is; callers decide whether to follow it.
/// - **No blocking of the cooperative pool.** Transfers run on one dedicated thread that drives
///   a libcurl multi handle; `send` suspends until the transfer ends.
/// - **Connection reuse.** Connections, TLS sessions and DNS answers are cached and reused across
///   requests, so many requests to one host need only a few connections.
/// - **Bounded concurrency.** At most `maxConcurrent` transfers are in flight; further requests
///   wait in first-in, first-out order. A request's timeout starts when its transfer starts.
/// - **Cancellation.** Cancelling the calling task aborts the transfer at once and `send` throws
///   `CancellationError`.
/// - **Proxies.** The usual proxy environment variables (`https_proxy`, `no_proxy`, …) apply,
///   except to loopback addresses, which are always reached directly.
/// - **Privacy.** Nothing is logged; headers and bodies never leave the transfer.
///
/// Copies of a transport share one connection pool and one thread, which ends once the last
/// copy is released.
public struct CurlTransport: HTTPTransport {
    /// The engine that runs the transfers; shared by every copy of this transport.
    let engine: CurlEngine

    /// Creates a transport.
    ///
    /// - Parameters:
    ///   - caBundlePath: A PEM file of the certificate authorities to trust instead of the system's
    ///     (for example a TLS-inspecting proxy's root). `nil` trusts the system's authorities.
    ///   - userAgent: The `User-Agent` sent when a request does not set its own.
    ///   - maxConcurrent: How many transfers may be in flight at once (at least 1).
    public init(caBundlePath: String? = nil, userAgent: String = "mailscope/0.1", maxConcurrent: Int = 8) {
        engine = CurlEngine(
            configuration: CurlConfiguration(caBundlePath: caBundlePath, userAgent: userAgent),
            maxConcurrent: max(1, maxConcurrent)
        )
    }

    /// Sends `request` and returns the response, whatever its status (4xx and 5xx included).
    ///
    /// - Throws: `TransportError` when no response arrived (`.refusedURL`, `.connectionFailed`,
    ///   `.timedOut`, `.tlsFailure`), or `CancellationError` when the calling task was cancelled.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if let reason = EndpointPolicy.violation(for: request.url) {
            throw TransportError.refusedURL(request.url.absoluteString, reason: reason)
        }
        guard CurlRequestValidation.isToken(request.method) else {
            throw TransportError.connectionFailed("invalid HTTP method \"\(request.method)\"")
        }
        try Task.checkCancellation()

        let transfer = CurlTransfer(request: request)
        let engine = engine
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                engine.submit(transfer, continuation: continuation)
            }
        } onCancel: {
            engine.cancel(transfer)
        }
    }
}
