import ArgumentParser
import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine

/// Where a run keeps its state and how long one request may take: every config-driven command's.
struct RunOptions: ParsableArguments {
    @Option(name: .long, help: "Where journals and held credentials live (default: $XDG_STATE_HOME/mailscope).")
    var stateDir: String?

    @Option(name: .long, help: "Seconds one request may take before it is abandoned (default 60).")
    var requestTimeout: Int?

    func validate() throws {
        if let requestTimeout, requestTimeout < 1 { throw ValidationError("--request-timeout takes a number of seconds ≥ 1") }
    }
}

/// Options every config-driven command takes.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The TOML configuration file.")
    var config: String

    @OptionGroup var run: RunOptions

    var stateDir: String? { run.stateDir }
    var requestTimeout: Int? { run.requestTimeout }

    /// Loads the config, printing every problem and exiting 2 when it is invalid.
    func load() throws -> SetupConfig {
        do {
            return try ConfigLoader.load(path: config)
        } catch let error as ConfigError {
            Console.error(error.description)
            throw ExitCode(ExitStatus.usage)
        }
    }

    /// The engine environment: the libcurl transport, the system clock, and for Exchange Server
    /// the admin at the terminal (or a simulator's shell stand-in) for Exchange Management Shell steps.
    func environment(for config: SetupConfig, schedule: PollSchedule = .standard) -> EngineEnvironment {
        Self.environment(for: config, stateDir: stateDir, requestTimeout: requestTimeout, schedule: schedule)
    }

    /// The engine environment for `config` with these options' values.
    static func environment(
        for config: SetupConfig, stateDir: String?, requestTimeout: Int?, schedule: PollSchedule = .standard,
        interactive: Bool = isatty(STDIN_FILENO) == 1
    ) -> EngineEnvironment {
        let curl = CurlTransport(caBundlePath: config.caBundle, maxConcurrent: SetupEngine.concurrentRequests)
        let transport: any HTTPTransport =
            requestTimeout.map { TimeoutTransport(base: curl, timeout: .seconds($0)) } ?? curl
        let shell: any ManagementShell
        if let simulated = config.simulatedShell.flatMap(URL.init(string:)) {
            shell = SimulatedShell(url: simulated, transport: transport)
        } else if interactive {
            shell = PromptShell()
        } else {
            shell = UnattendedShell()
        }
        var environment = EngineEnvironment(
            transport: transport,
            clock: .system,
            stateDirectory: stateDir.map { URL(fileURLWithPath: $0, isDirectory: true) }
                ?? PrivateFiles.stateDirectory(),
            schedule: schedule,
            shell: shell
        )
        environment.requestTimeout = requestTimeout.map { .seconds($0) }
        return environment
    }
}

/// Gives every request the same timeout (`--request-timeout`).
struct TimeoutTransport: HTTPTransport {
    let base: any HTTPTransport
    let timeout: Duration

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var request = request
        request.timeout = timeout
        return try await base.send(request)
    }
}

/// The admin at this terminal runs each Exchange Management Shell step on the server and
/// presses Enter; mailscope then verifies it over EWS.
struct PromptShell: ManagementShell {
    func run(_ step: ShellStep, password: Secret?) async throws -> ShellStepOutcome {
        Console.line()
        Console.line("Run this in the Exchange Management Shell on the server (\(step.summary)):")
        if let warning = step.warning { Console.line("  ! \(warning)") }
        for line in step.command.split(separator: "\n") { Console.line("    \(line)") }
        Console.line("Press Enter when it has run, or type 'stop' to stop here (the run resumes later):")
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
        guard let answer, answer != "stop" else {
            return .notRun(reason: "stopped before the step was run")
        }
        return .ran(output: [])
    }
}

/// Plain output for the non-interactive commands.
enum Console {
    /// Writes a line to standard output.
    static func line(_ text: String = "") {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes a line to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("mailscope: " + text + "\n").utf8))
    }

    /// The text form of one stage report.
    static func render(_ report: StageReport, showChanges: Bool = true) -> [String] {
        var lines = ["\(symbol(report.status)) \(report.stage.title): \(report.status.label) — \(report.detail)"]
        for step in report.steps {
            lines.append("    \(symbol(step.status)) \(step.name): \(step.detail)")
        }
        for warning in report.warnings { lines.append("    ! \(warning)") }
        if let fix = report.fix { lines.append("    fix: \(fix)") }
        if showChanges {
            for change in report.changes {
                lines.append("    + \(change.summary)")
                for (index, line) in change.powershell.split(separator: "\n").enumerated() {
                    lines.append((index == 0 ? "      PS> " : "          ") + line)
                }
            }
        }
        return lines
    }

    static func symbol(_ status: StageStatus) -> String {
        switch status {
        case .verified: "[ok]"
        case .failed: "[FAIL]"
        case .needsChange: "[change]"
        case .notVerified: "[unverified]"
        case .waiting: "[wait]"
        case .skipped: "[skip]"
        case .applying: "[apply]"
        case .checking: "[check]"
        case .pending: "[ ]"
        }
    }

    /// Prints engine events as they arrive (device code, writes, waits).
    static func eventPrinter(verbose: Bool) -> @Sendable (EngineEvent) -> Void {
        { event in
            switch event {
            case .deviceCode(let prompt):
                Console.error(
                    "To sign in, open \(prompt.verificationURL) and enter the code \(prompt.userCode) (expires \(Self.clockTime(prompt.expiresAt)))."
                )
            case .log(let entry):
                if entry.level == .write {
                    Console.error("write: \(entry.text)")
                    for (index, line) in (entry.powershell ?? "").split(separator: "\n").enumerated() {
                        Console.error((index == 0 ? "  PS> " : "      ") + line)
                    }
                } else if entry.level != .info || verbose {
                    Console.error("\(entry.level.rawValue): \(entry.text)")
                }
            case .waiting(let wait):
                let elapsed = Int(wait.lastPoll?.at.timeIntervalSince(wait.startedAt) ?? 0) / 60
                let last =
                    wait.lastPoll.map { poll in
                        "configured \(poll.configuredInScope == true ? "ok" : "not yet"), in-scope \(poll.inScopeAllowed == true ? "allowed" : "not yet"), out-of-scope \(poll.outOfScopeDenied == true ? "denied" : "NOT denied")"
                    } ?? ""
                Console.error(
                    "waiting for propagation: \(elapsed) min elapsed (usually 30–120 min); poll \(wait.polls): \(last); next poll \(Self.clockTime(wait.nextPoll))"
                )
            case .handOff(let items):
                Console.line()
                Console.line("Hand-off: the values the vendor's product needs")
                let terminal = isatty(STDOUT_FILENO) == 1
                for item in items {
                    // A secret goes to a terminal only: never into a job log or a pipe.
                    let value =
                        item.isSecret && !terminal
                        ? "not printed (standard output is not a terminal); read it from the secret file below"
                        : item.value
                    Console.line("  \(item.label): \(value)")
                }
            case .stage:
                break
            }
        }
    }

    static func clockTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }

    /// JSON for `check --json`.
    static func json(tenant: SignedInTenant?, reports: [StageReport], result: String) -> String {
        let data =
            (try? JSONSerialization.data(
                withJSONObject: jsonObject(tenant: tenant, reports: reports, result: result),
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            )) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The object `json(tenant:reports:result:)` prints.
    static func jsonObject(tenant: SignedInTenant?, reports: [StageReport], result: String) -> [String: Any] {
        var stages: [[String: Any]] = []
        for report in reports {
            var stage: [String: Any] = [
                "id": report.stage.rawValue, "status": report.status.rawValue, "detail": report.detail,
                "evidence": report.evidence, "warnings": report.warnings,
                "changes": report.changes.map {
                    ["action": $0.action.rawValue, "summary": $0.summary, "powershell": $0.powershell]
                },
                "steps": report.steps.map { ["name": $0.name, "status": $0.status.rawValue, "detail": $0.detail] },
            ]
            if let fix = report.fix { stage["fix"] = fix }
            stages.append(stage)
        }
        var object: [String: Any] = ["result": result, "stages": stages]
        if let tenant {
            object["tenant"] = [
                "id": tenant.id, "displayName": tenant.displayName, "defaultDomain": tenant.defaultDomain,
                "signedInAs": tenant.signedInAs,
            ]
        }
        return object
    }
}
