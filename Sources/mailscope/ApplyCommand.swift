import ArgumentParser
import Foundation
import MailscopeCore
import MailscopeEngine

/// `mailscope apply`: every stage, unattended.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Set up every stage: print the plan, confirm, apply, verify, wait for propagation."
    )

    @OptionGroup var options: ConfigOptions

    @Flag(name: .long, help: "Apply without asking for confirmation.")
    var yes = false

    @Flag(name: .long, help: "Print progress details.")
    var verbose = false

    func run() async throws {
        let config = try options.load()
        let interactive = isatty(STDIN_FILENO) == 1
        if !yes && !interactive {
            Console.error("standard input is not a terminal: pass --yes to apply without a confirmation")
            throw ExitCode(ExitStatus.usage)
        }
        let engine: SetupEngine
        do {
            engine = try SetupEngine(
                config: config,
                environment: options.environment(for: config),
                events: Console.eventPrinter(verbose: verbose)
            )
        } catch let error as ConfigError {
            Console.error(error.description)
            throw ExitCode(ExitStatus.usage)
        }
        let assumeYes = yes
        let result: RunResult
        do {
            result = try await engine.apply(confirm: { reports in
                Console.line("Plan:")
                for report in reports { Console.render(report).forEach { Console.line($0) } }
                if assumeYes { return true }
                let changes = reports.flatMap(\.changes).count
                Console.line("Apply these \(changes) change(s) to this tenant? Type 'yes' to continue:")
                return readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes"
            })
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
