import CCurl
import CCurlShims
import Foundation
import MailscopeCore

/// The loop that runs on a transport's dedicated thread and drives its libcurl multi handle.
///
/// Everything here belongs to that one thread: the queue of waiting transfers, the transfers in
/// flight and the pool of idle easy handles. Other threads talk to it only through the mailbox.
final class CurlWorker {
    private let mailbox: CurlMailbox
    private let multi: UnsafeMutableRawPointer
    private let configuration: CurlConfiguration
    private let maxConcurrent: Int

    /// Transfers submitted but not started, oldest first.
    private var waiting: [CurlTransfer] = []
    /// Transfers in flight, by their easy handle.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    /// Easy handles between transfers, reset and ready for reuse.
    private var idleHandles: [UnsafeMutableRawPointer] = []

    /// The longest the loop sleeps while transfers run and libcurl has no timer due sooner.
    private static let pollIntervalMilliseconds: Int32 = 1000
    /// The longest it sleeps with nothing to do: every submission, cancellation and shutdown
    /// wakes it (`curl_multi_wakeup`), so a wizard waiting for hours wakes this thread once a minute.
    private static let idlePollIntervalMilliseconds: Int32 = 60_000

    /// Creates the worker; `mailbox.multi` must exist (the mailbox refuses transfers otherwise).
    init(mailbox: CurlMailbox, configuration: CurlConfiguration, maxConcurrent: Int) {
        guard let multi = mailbox.multi else {
            preconditionFailure("the worker starts only once a multi handle exists")
        }
        self.mailbox = mailbox
        self.multi = multi
        self.configuration = configuration
        self.maxConcurrent = maxConcurrent
    }

    /// Runs until the mailbox says to shut down, then fails whatever is left and frees the handles.
    func run() {
        while true {
            let mail = mailbox.collect()
            if mail.isShuttingDown { break }
            waiting.append(contentsOf: mail.submitted)
            for transfer in mail.cancelled { abort(transfer) }
            startWaitingTransfers()

            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            finishCompletedTransfers()

            // A finished transfer freed a slot: start the next one without sleeping.
            if !waiting.isEmpty && active.count < maxConcurrent { continue }
            let timeout = active.isEmpty && waiting.isEmpty ? Self.idlePollIntervalMilliseconds : Self.pollIntervalMilliseconds
            _ = curl_multi_poll(multi, nil, 0, timeout, nil)
        }
        tearDown()
    }

    /// Starts waiting transfers while there is room.
    private func startWaitingTransfers() {
        while active.count < maxConcurrent, !waiting.isEmpty {
            let transfer = waiting.removeFirst()
            guard let handle = idleHandles.popLast() ?? curl_easy_init() else {
                transfer.finish(.failure(TransportError.connectionFailed("libcurl could not create a handle")))
                continue
            }
            do {
                try transfer.configure(handle, with: configuration)
            } catch {
                recycle(handle)
                transfer.finish(.failure(error))
                continue
            }
            let added = curl_multi_add_handle(multi, handle)
            guard added == CURLM_OK else {
                recycle(handle)
                let reason = String(cString: curl_multi_strerror(added))
                transfer.finish(.failure(TransportError.connectionFailed("libcurl could not start: \(reason)")))
                continue
            }
            transfer.phase = .active(handle)
            active[handle] = transfer
            mailbox.recordStart(activeCount: active.count)
        }
    }

    /// Reads libcurl's completion messages and resumes the finished transfers' callers.
    private func finishCompletedTransfers() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            // Read the result before removing the handle, which invalidates `message`.
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, handle)
            guard let transfer = active.removeValue(forKey: handle) else {
                recycle(handle)
                continue
            }
            var connections = 0
            if mailscope_curl_get_long(handle, CURLINFO_NUM_CONNECTS, &connections) == CURLE_OK {
                mailbox.recordConnections(connections)
            }
            let outcome = transfer.outcome(of: code, on: handle)
            recycle(handle)
            transfer.finish(outcome)
        }
    }

    /// Aborts a cancelled transfer wherever it is; a finished one is left alone.
    private func abort(_ transfer: CurlTransfer) {
        switch transfer.phase {
        case .waiting:
            waiting.removeAll { $0 === transfer }
        case .active(let handle):
            curl_multi_remove_handle(multi, handle)
            active.removeValue(forKey: handle)
            recycle(handle)
        case .finished:
            return
        }
        transfer.finish(.failure(CancellationError()))
    }

    /// Resets `handle` (dropping every option and pointer into a transfer) and keeps it for reuse.
    private func recycle(_ handle: UnsafeMutableRawPointer) {
        curl_easy_reset(handle)
        idleHandles.append(handle)
    }

    /// Fails every unfinished transfer and frees all easy handles. The multi handle is freed by
    /// the mailbox once this thread lets go of it.
    private func tearDown() {
        let shutDown = TransportError.connectionFailed("the transport was shut down")
        let leftovers = mailbox.collect()
        for transfer in waiting + leftovers.submitted { transfer.finish(.failure(shutDown)) }
        waiting.removeAll()
        for (handle, transfer) in active {
            curl_multi_remove_handle(multi, handle)
            recycle(handle)
            transfer.finish(.failure(shutDown))
        }
        active.removeAll()
        for handle in idleHandles { curl_easy_cleanup(handle) }
        idleHandles.removeAll()
    }
}
