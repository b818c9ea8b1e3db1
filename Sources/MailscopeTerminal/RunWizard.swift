import CNCursesW
import CTerminalShims
import Foundation
import MailscopeEngine
import MailscopeTUI

/// Runs the interactive wizard on the process's terminal until the admin quits.
///
/// Refuses (exit code 2, with a message pointing to `mailscope apply`/`check`) when standard
/// input or output is not a terminal or `TERM` is unset, `dumb` or unknown. On every exit path
/// (quit, SIGINT, SIGTERM, SIGHUP, closed input) the backend is asked to save the run, then
/// `options.saveOnExit` runs, then the terminal is restored.
/// - Returns: the exit code (see `WizardExitCode`).
@MainActor
public func runWizard(backend: any WizardBackend, options: WizardOptions) async -> Int32 {
    let term = ProcessInfo.processInfo.environment["TERM"]
    if let refusal = TerminalEnvironment.refusal(
        inputIsTerminal: isatty(STDIN_FILENO) == 1,
        outputIsTerminal: isatty(STDOUT_FILENO) == 1,
        term: term,
        termIsUsable: { mailscope_terminal_is_usable($0) == 1 }
    ) {
        FileHandle.standardError.write(Data((refusal + "\n").utf8))
        return WizardExitCode.refused
    }
    let runtime = WizardRuntime(backend: backend, options: options)
    return await runtime.run(term: term ?? "")
}

/// Connects the terminal's events (keys, resizes, signals, a once-a-second tick) to a session,
/// and takes care that the terminal is restored however the wizard ends.
@MainActor
final class WizardRuntime {
    private let backend: any WizardBackend
    private let options: WizardOptions
    private let screen = CursesScreen()
    private var session: WizardSession?
    private var sources: [any DispatchSourceProtocol] = []
    /// The terminal's input; cancelled once it has closed (it would stay readable at end of file).
    private var inputSource: (any DispatchSourceProtocol)?
    private var ticker: (any DispatchSourceTimer)?
    private var lastSize: TerminalSize?
    private var emptyReads = 0
    /// Set when a signal or a hang-up ends the wizard.
    private var exitCode: Int32?
    private var isShutDown = false

    /// Signals that end the wizard (after saving).
    private static let terminatingSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    init(backend: any WizardBackend, options: WizardOptions) {
        self.backend = backend
        self.options = options
    }

    /// Opens the screen, runs the session, and restores the terminal.
    func run(term: String) async -> Int32 {
        if let problem = screen.open(
            term: term,
            options: options,
            noColorVariable: ProcessInfo.processInfo.environment["NO_COLOR"]
        ) {
            FileHandle.standardError.write(Data((problem + "\n").utf8))
            return WizardExitCode.terminalFailure
        }
        let size = screen.size
        lastSize = size
        var model = WizardModel(
            now: Date(),
            size: size,
            answers: options.initialAnswers,
            mode: options.initialMode,
            environmentLabel: options.environmentLabel
        )
        model.signInNote = options.signInNote
        model.resumeCommand = options.resumeCommand
        let environment = ProcessInfo.processInfo.environment
        model.clipboardCaveat = TerminalEnvironment.clipboardCaveat(tmux: environment["TMUX"], screen: environment["STY"])
        let session = WizardSession(model: model, theme: screen.theme, backend: backend, output: screen)
        self.session = session
        installSources()
        startTicker()
        let code = await session.run()
        if exitCode == nil { await session.saveBeforeExit() }
        return await shutDown(code: exitCode ?? code)
    }

    // MARK: Event sources

    private func installSources() {
        let input = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: .main)
        input.setEventHandler { [weak self] in MainActor.assumeIsolated { self?.readInput() } }
        input.resume()
        sources.append(input)
        inputSource = input

        signal(SIGWINCH, SIG_IGN)
        let resize = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .main)
        resize.setEventHandler { [weak self] in MainActor.assumeIsolated { self?.resize() } }
        resize.resume()
        sources.append(resize)

        for number in Self.terminatingSignals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
            source.setEventHandler { [weak self] in
                MainActor.assumeIsolated { self?.terminate(code: WizardExitCode.signal(number)) }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Ticks once a second, aligned to the clock's seconds, from a timer on the main queue (the
    /// thread that draws): no task wakes on another thread to hand the tick over.
    private func startTicker() {
        let timer = DispatchSource.makeTimerSource(queue: .main)
        let now = Date().timeIntervalSince1970
        let untilNextSecond = (now + 1).rounded(.down) - now
        timer.schedule(
            deadline: .now() + untilNextSecond, repeating: .seconds(1), leeway: .milliseconds(50))
        timer.setEventHandler { [weak self] in
            MainActor.assumeIsolated { self?.session?.send(.tick(Date())) }
        }
        timer.resume()
        ticker = timer
    }

    private func readInput() {
        guard let session, !isShutDown else { return }
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, 0)
        let (inputs, readSomething) = screen.readInputs()
        let hungUp = Int32(descriptor.revents) & (POLLHUP | POLLERR | POLLNVAL) != 0
        if !readSomething {
            emptyReads += 1
            // Readable but nothing to read: the input closed (a pipe at EOF, a dropped SSH session).
            if hungUp || emptyReads >= 3 {
                inputSource?.cancel()
                inputSource = nil
                terminate(code: WizardExitCode.signal(SIGHUP))
            }
            return
        }
        emptyReads = 0
        for input in inputs {
            switch input {
            case .key(let key): session.send(.key(key))
            case .paste(let text): session.send(.paste(text))
            case .resize: resize()
            case .ignored: break
            }
        }
    }

    private func resize() {
        guard !isShutDown else { return }
        let size = screen.resizeToTerminal()
        guard size != lastSize else { return }
        lastSize = size
        screen.invalidate()
        session?.send(.resize(size))
    }

    // MARK: Ending

    /// Ends the wizard for a signal or a hang-up: saves, then lets `run` return. A second SIGINT or
    /// SIGTERM, or a backend that does not answer within 5 s, restores the terminal and exits at
    /// once. A hang-up is announced more than once (SIGHUP from the kernel or the login shell, and
    /// the input closing), so a repeated hang-up is the same event: it must not cut the save short.
    private func terminate(code: Int32) {
        if exitCode != nil {
            if code == WizardExitCode.signal(SIGHUP) { return }
            screen.close()
            exit(exitCode ?? code)
        }
        exitCode = code
        if code != WizardExitCode.signal(SIGHUP) { session?.showInterrupted() }  // (no one sees a hung-up screen)
        Task { [weak self] in
            guard let self, let session = self.session else { return }
            await session.saveBeforeExit()
            session.finish()
        }
        DispatchQueue.main.asyncAfter(deadline: .now() + 5) { [weak self] in
            MainActor.assumeIsolated {
                guard let self, !self.isShutDown else { return }
                Task { exit(await self.shutDown(code: code)) }
            }
        }
    }

    /// Stops the event sources, runs the save hook, restores the terminal (once).
    private func shutDown(code: Int32) async -> Int32 {
        guard !isShutDown else { return code }
        isShutDown = true
        ticker?.cancel()
        for source in sources { source.cancel() }
        sources.removeAll()
        await options.saveOnExit()
        screen.close()
        // Left on the normal screen, whole, one value a line: the scrollback keeps them. Not after
        // a hang-up (no one reads that terminal), and a write that fails is not an error.
        if code != WizardExitCode.signal(SIGHUP), let model = session?.model {
            let lines = exitTranscript(model)
            if !lines.isEmpty {
                try? FileHandle.standardOutput.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
            }
        }
        for number in Self.terminatingSignals + [SIGWINCH] { signal(number, SIG_DFL) }
        return code
    }
}
