import CCurl
import CCurlShims
import Foundation
import MailscopeCore

/// Settings that apply to every transfer of one transport.
struct CurlConfiguration: Sendable {
    /// The CA bundle that replaces the system's trust store, if any.
    var caBundlePath: String?
    /// The default `User-Agent`.
    var userAgent: String
    /// The longest a connection (TCP and TLS handshakes) may take; the request's own timeout
    /// caps it further.
    var connectTimeout: Duration = .seconds(15)
}

/// Counters kept for tests and diagnostics.
struct CurlStatistics: Sendable, Equatable {
    /// Transfers handed to libcurl.
    var transfersStarted = 0
    /// New connections libcurl opened (a reused connection does not count).
    var connectionsOpened = 0
    /// The largest number of transfers that were in flight at once.
    var peakConcurrentTransfers = 0
}

/// `curl_global_init`, run exactly once per process before the first handle is created.
enum CurlGlobal {
    /// Whether libcurl initialised; `static let` makes the call thread-safe and once-only.
    static let isInitialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
}

/// Owns the worker thread of one transport: starts it on the first request and stops it when
/// the last copy of the transport is released.
final class CurlEngine: Sendable {
    private let mailbox: CurlMailbox
    private let configuration: CurlConfiguration
    private let maxConcurrent: Int

    init(configuration: CurlConfiguration, maxConcurrent: Int) {
        self.configuration = configuration
        self.maxConcurrent = maxConcurrent
        self.mailbox = CurlMailbox(maxConcurrent: maxConcurrent)
    }

    deinit {
        mailbox.shutDown()
    }

    /// Queues `transfer`; `continuation` is resumed exactly once with its outcome.
    func submit(_ transfer: CurlTransfer, continuation: CheckedContinuation<HTTPResponse, any Error>) {
        guard mailbox.submit(transfer, continuation: continuation) == .startWorker else { return }
        let mailbox = mailbox
        let configuration = configuration
        let maxConcurrent = maxConcurrent
        let thread = Thread {
            // Named from inside, so that the name also reaches the OS thread (debuggers, `top -H`).
            Thread.current.name = "mailscope.curl"
            CurlWorker(mailbox: mailbox, configuration: configuration, maxConcurrent: maxConcurrent).run()
        }
        thread.start()
    }

    /// Aborts `transfer` if it has not finished; its `send` then throws `CancellationError`.
    func cancel(_ transfer: CurlTransfer) {
        mailbox.cancel(transfer)
    }

    /// The counters so far.
    var statistics: CurlStatistics { mailbox.statistics }
}

/// The state shared between callers and the worker thread, guarded by a lock: transfers to
/// start, transfers to cancel, and whether to shut down. It also owns the multi handle, whose
/// only cross-thread use is `curl_multi_wakeup` (which libcurl documents as thread-safe).
final class CurlMailbox: @unchecked Sendable {
    /// What the caller of `submit` must do next.
    enum SubmitOutcome {
        /// Nothing: the worker runs and has been woken.
        case queued
        /// Start the worker thread (first request).
        case startWorker
        /// Nothing: the continuation was already resumed (cancelled, or libcurl unavailable).
        case rejected
    }

    /// What the worker picks up on each turn of its loop.
    struct Mail {
        var submitted: [CurlTransfer]
        var cancelled: [CurlTransfer]
        var isShuttingDown: Bool
    }

    /// The multi handle, or nil when libcurl could not be initialised.
    let multi: UnsafeMutableRawPointer?

    private let lock = NSLock()
    private var submitted: [CurlTransfer] = []
    private var cancelled: [CurlTransfer] = []
    private var isShuttingDown = false
    private var isWorkerStarted = false
    private var counters = CurlStatistics()

    init(maxConcurrent: Int) {
        multi = CurlGlobal.isInitialized ? curl_multi_init() : nil
        if let multi {
            // Keep at least one idle connection per concurrent transfer for reuse.
            _ = mailscope_curl_multi_set_long(multi, CURLMOPT_MAXCONNECTS, max(8, 2 * maxConcurrent))
        }
    }

    deinit {
        // Runs after the worker (which holds a strong reference) has removed all easy handles.
        if let multi { curl_multi_cleanup(multi) }
    }

    /// Hands `transfer` to the worker, or resumes `continuation` at once when it cannot run.
    func submit(
        _ transfer: CurlTransfer,
        continuation: CheckedContinuation<HTTPResponse, any Error>
    ) -> SubmitOutcome {
        guard let multi else {
            continuation.resume(throwing: TransportError.connectionFailed("libcurl could not be initialised"))
            return .rejected
        }
        lock.lock()
        if transfer.isCancellationRequested || isShuttingDown {
            let wasCancelled = transfer.isCancellationRequested
            lock.unlock()
            continuation.resume(
                throwing: wasCancelled
                    ? CancellationError() : TransportError.connectionFailed("the transport was shut down")
            )
            return .rejected
        }
        transfer.continuation = continuation
        transfer.isSubmitted = true
        submitted.append(transfer)
        let mustStart = !isWorkerStarted
        isWorkerStarted = true
        lock.unlock()
        if mustStart { return .startWorker }
        curl_multi_wakeup(multi)
        return .queued
    }

    /// Asks the worker to abort `transfer`; remembered if `transfer` has not been submitted yet.
    func cancel(_ transfer: CurlTransfer) {
        lock.lock()
        transfer.isCancellationRequested = true
        let mustWake = transfer.isSubmitted
        if mustWake { cancelled.append(transfer) }
        lock.unlock()
        if mustWake, let multi { curl_multi_wakeup(multi) }
    }

    /// Tells the worker to finish; called when the engine goes away.
    func shutDown() {
        lock.lock()
        isShuttingDown = true
        lock.unlock()
        if let multi { curl_multi_wakeup(multi) }
    }

    /// Takes everything posted since the last call.
    func collect() -> Mail {
        lock.lock()
        defer { lock.unlock() }
        let mail = Mail(submitted: submitted, cancelled: cancelled, isShuttingDown: isShuttingDown)
        submitted.removeAll()
        cancelled.removeAll()
        return mail
    }

    /// Records that a transfer started while `activeCount` transfers were in flight.
    func recordStart(activeCount: Int) {
        lock.lock()
        counters.transfersStarted += 1
        counters.peakConcurrentTransfers = max(counters.peakConcurrentTransfers, activeCount)
        lock.unlock()
    }

    /// Records that a finished transfer opened `connections` new connections.
    func recordConnections(_ connections: Int) {
        lock.lock()
        counters.connectionsOpened += connections
        lock.unlock()
    }

    /// The counters so far.
    var statistics: CurlStatistics {
        lock.lock()
        defer { lock.unlock() }
        return counters
    }
}
