import ArgumentParser
import Foundation
import MailscopeEngine

/// `mailscope check`: re-check an existing setup, changing nothing.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Re-check an existing setup, changing nothing.",
        usage: Usage.wrapped(
            "mailscope check", "[--config <config> ...]", "[--configs <configs>]", "[--state-dir <state-dir>]",
            "[--request-timeout <request-timeout>]", "[--jobs <jobs>]", "[--json]"
        ),
        discussion: """
            Exit status: 0 when every stage holds, 1 when something drifted or failed, 2 for usage, config or sign-in errors. \
            Several --config files, or --configs DIR, re-check a fleet (Exchange Online and Exchange Server mixed) with \
            unattended sign-in, --jobs at a time: one summary table (or a JSON array) and the worst exit status.
            """
    )

    @OptionGroup var options: CheckOptions

    @Flag(name: .long, help: "Print one JSON object with a `stages` array (id, status, detail, evidence); an array of them for a fleet.")
    var json = false

    func run() async throws {
        let paths = try options.paths()
        guard paths.count == 1, options.configs == nil else {
            let status = await FleetCheck.run(options, paths: paths, json: json)
            if status != ExitStatus.success { throw ExitCode(status) }
            return
        }
        let config: SetupConfig
        do {
            config = try ConfigLoader.load(path: paths[0])
        } catch let error as ConfigError {
            Console.error(error.description)
            throw ExitCode(ExitStatus.usage)
        }
        let engine: SetupEngine
        do {
            engine = try SetupEngine(
                config: config,
                environment: ConfigOptions.environment(
                    for: config, stateDir: options.stateDir, requestTimeout: options.requestTimeout),
                events: Console.eventPrinter(verbose: false)
            )
        } catch let error as ConfigError {
            Console.error(error.description)
            throw ExitCode(ExitStatus.usage)
        }
        let reports: [StageReport]
        do {
            reports = try await engine.check()
        } catch let error as EngineError {
            if json {
                Console.line(
                    Console.json(
                        tenant: await engine.signedInTenant,
                        reports: await engine.currentJournal.reports,
                        result: "error"
                    )
                )
            }
            Console.error(error.description)
            throw ExitCode(error.stage == .signIn ? ExitStatus.usage : ExitStatus.drift)
        }
        let healthy = reports.allSatisfy { $0.status == .verified || $0.status == .skipped }
        if json {
            Console.line(
                Console.json(
                    tenant: await engine.signedInTenant,
                    reports: reports,
                    result: healthy ? "healthy" : "drift"
                )
            )
        } else {
            for report in reports { Console.render(report).forEach { Console.line($0) } }
            let drifted = reports.filter { $0.status != .verified && $0.status != .skipped }
            Console.line(
                healthy
                    ? "Every stage holds."
                    : "Drift in: \(drifted.map(\.stage.title).joined(separator: ", ")). `mailscope apply` repairs it."
            )
        }
        if !healthy { throw ExitCode(ExitStatus.drift) }
    }
}

/// `mailscope plan`: what apply would change.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change, with the equivalent PowerShell.",
        usage: Usage.wrapped(
            "mailscope plan", "--config <config>", "[--state-dir <state-dir>]", "[--request-timeout <request-timeout>]"
        )
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load()
        let engine = try SetupEngine(
            config: config,
            environment: options.environment(for: config),
            events: Console.eventPrinter(verbose: false)
        )
        // The preset's row of `mailscope presets`: what the vendor's guide says on this target today.
        PresetConnections.of(config.preset).plainLines(target: config.target, access: config.access).forEach { Console.line($0) }
        Console.line()
        do {
            let reports = try await engine.plan()
            for report in reports { Console.render(report).forEach { Console.line($0) } }
            let count = reports.flatMap(\.changes).count
            Console.line(
                count == 0
                    ? "No changes."
                    : "\(count) change(s) planned. `mailscope apply --config \(options.config)` makes them."
            )
        } catch let error as EngineError {
            Console.error(error.description)
            throw ExitCode(error.stage == .signIn ? ExitStatus.usage : ExitStatus.drift)
        }
    }
}

/// `mailscope script`: the equivalent PowerShell.
struct ScriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "script",
        abstract: "Print the equivalent PowerShell script, runnable as it is.",
        usage: Usage.wrapped(
            "mailscope script", "--config <config>", "[--state-dir <state-dir>]", "[--request-timeout <request-timeout>]"
        )
    )

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let config = try options.load()
        FileHandle.standardOutput.write(Data(ScriptRenderer.render(config).utf8))
    }
}
