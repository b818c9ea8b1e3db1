import ArgumentParser
import Foundation
import MailscopeCore
import MailscopeEngine

/// `mailscope apply`: every stage, unattended.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Set up every stage: print the plan, confirm, apply, verify, wait for propagation.",
        usage: Usage.wrapped(
            "mailscope apply", "--config <config>", "[--state-dir <state-dir>]",
            "[--request-timeout <request-timeout>]", "[--yes]", "[--verbose]", "[--add-credential]",
            "[--remove-untracked-credentials]"
        )
    )

    @OptionGroup var options: ConfigOptions

    @Flag(name: .long, help: "Apply without asking for confirmation.")
    var yes = false

    @Flag(name: .long, help: "Print progress details.")
    var verbose = false

    @Flag(
        name: .long,
        help: "Add a new credential even though the app has one made by mailscope whose secret is held elsewhere (or lost).")
    var addCredential = false

    @Flag(
        name: .long,
        help: "Remove the client secrets made by mailscope that this machine does not hold (implies --add-credential).")
    var removeUntrackedCredentials = false

    func run() async throws {
        let config = try options.load()
        let interactive = isatty(STDIN_FILENO) == 1
        if !yes && !interactive {
            Console.error("standard input is not a terminal: pass --yes to apply without a confirmation")
            throw ExitCode(ExitStatus.usage)
        }
        let engine: SetupEngine
        let tracker = StageTracker()
        let printer = Console.eventPrinter(verbose: verbose)
        do {
            var environment = options.environment(for: config)
            environment.credentials = CredentialChoices(addNew: addCredential, removeUntracked: removeUntrackedCredentials)
            engine = try SetupEngine(
                config: config,
                environment: environment,
                events: { event in
                    tracker.record(event)
                    printer(event)
                }
            )
        } catch let error as ConfigError {
            Console.error(error.description)
            throw ExitCode(ExitStatus.usage)
        }
        let assumeYes = yes
        let resume = "the journal is saved at \(engine.journalPath); run the same command again to resume (it re-reads the tenant and repeats nothing that was done)"
        let run = Task { try await engine.apply(confirm: { reports in
                Console.line("Plan:")
                for report in reports { Console.render(report).forEach { Console.line($0) } }
                if assumeYes { return true }
                let changes = reports.flatMap(\.changes).count
                Console.line("Apply these \(changes) change(s) to this tenant? Type 'yes' to continue:")
                return readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes"
            })
        }
        let interruption = Interruption(
            stop: { run.cancel() },
            lastWords: { "Stopped during \(tracker.stage.title): \(resume)." }
        )
        defer { interruption.cancel() }
        let result: RunResult
        do {
            result = try await run.value
            if let code = interruption.exitCode { throw InterruptedRun(code: code) }
        } catch _ where interruption.exitCode != nil {
            let stage = await engine.stageInProgress
            Console.error("Stopped during \(stage.title): \(resume).")
            throw ExitCode(interruption.exitCode ?? 130)
        } catch let error as EngineError {
            Console.error(error.description)
            throw ExitCode(error.stage == .signIn ? ExitStatus.usage : ExitStatus.drift)
        }
        let journal = await engine.currentJournal
        Console.line()
        for report in journal.reports.sorted(by: { order($0.stage) < order($1.stage) }) {
            Console.render(report, showChanges: false).forEach { Console.line($0) }
        }
        switch result {
        case .verified:
            Console.line("All stages verified.")
        case .declined:
            Console.line("Nothing was written.")
            throw ExitCode(ExitStatus.drift)
        case .drift(let stages):
            Console.line(
                "Not verified: \(stages.map(\.title).joined(separator: ", ")). Run `mailscope check` for details."
            )
            throw ExitCode(ExitStatus.drift)
        case .deadlineReached:
            Console.line("The change did not take effect by the deadline. Check again later with `mailscope check`.")
            throw ExitCode(ExitStatus.drift)
        case .suspended:
            Console.line("The wait was left; run again to resume it.")
            throw ExitCode(ExitStatus.drift)
        }
    }

    private func order(_ stage: StageID) -> Int { StageID.allCases.firstIndex(of: stage) ?? 0 }
}

/// A run that finished although a signal asked it to stop: it still exits with the signal's code.
private struct InterruptedRun: Error {
    let code: Int32
}

/// The stage the engine last reported working on (for a signal handler, which cannot wait).
final class StageTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var current: StageID = .signIn

    /// The stage last seen being read, applied or waited for.
    var stage: StageID { lock.withLock { current } }

    /// Notes the stage of `event`.
    func record(_ event: EngineEvent) {
        guard case .stage(let report) = event, [.checking, .applying, .waiting].contains(report.status) else { return }
        lock.withLock { current = report.stage }
    }
}
