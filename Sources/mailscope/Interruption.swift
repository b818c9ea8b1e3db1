import Dispatch
import Foundation
import MailscopeEngine

/// SIGINT and SIGTERM for the commands that write (`apply`): the first signal cancels the run,
/// whose request in flight is abandoned (libcurl aborts it) or finishes, and whose journal already
/// records every write before it is sent; the command then says where it stopped and how to resume,
/// and exits 130 (SIGINT) or 143 (SIGTERM). A second signal, or a run that has not stopped within
/// `grace`, exits at once with the same code: the journal is consistent at every point.
final class Interruption: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    private var sources: [any DispatchSourceSignal] = []
    private let grace: DispatchTimeInterval

    /// The signal that stopped the run, if one did.
    var signal: Int32? { lock.withLock { received } }

    /// The exit code for the signal received (128 + its number).
    var exitCode: Int32? { signal.map { 128 + $0 } }

    /// Installs the handlers; `stop` is called once, on the first signal.
    init(grace: DispatchTimeInterval = .seconds(5), stop: @escaping @Sendable () -> Void, lastWords: @escaping @Sendable () -> String) {
        self.grace = grace
        for number in [SIGINT, SIGTERM] {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.handle(number, stop: stop, lastWords: lastWords) }
            source.resume()
            sources.append(source)
        }
    }

    private func handle(_ number: Int32, stop: @escaping @Sendable () -> Void, lastWords: @escaping @Sendable () -> String) {
        let first: Bool = lock.withLock {
            if received != nil { return false }
            received = number
            return true
        }
        let name = number == SIGINT ? "SIGINT" : "SIGTERM"
        guard first else {
            Console.error("mailscope: second \(name): exiting now. \(lastWords())")
            exit(128 + number)
        }
        Console.error("mailscope: \(name) received: stopping (the request in flight is abandoned, the journal is saved)…")
        stop()
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) {
            Console.error("mailscope: the run did not stop in time; exiting. \(lastWords())")
            exit(128 + number)
        }
    }

    /// Restores the default handlers.
    func cancel() {
        for source in sources { source.cancel() }
        for number in [SIGINT, SIGTERM] { Foundation.signal(number, SIG_DFL) }
    }
}
