import ArgumentParser
import Foundation
import MailscopeCore
import MailscopeEngine

/// The options of `mailscope check`: one setup, or a fleet of them.
struct CheckOptions: ParsableArguments {
    @Option(name: .long, help: "A TOML configuration file; repeat it to re-check several setups in one run.")
    var config: [String] = []

    @Option(name: .long, help: "A directory whose *.toml configurations are all re-checked.")
    var configs: String?

    @OptionGroup var run: RunOptions

    @Option(name: .long, help: "How many setups of a fleet are checked at once.")
    var jobs: Int = 4

    var stateDir: String? { run.stateDir }
    var requestTimeout: Int? { run.requestTimeout }

    func validate() throws {
        if !(1...64).contains(jobs) { throw ValidationError("--jobs takes a number from 1 to 64") }
        if config.isEmpty && configs == nil { throw ValidationError("give --config FILE (repeatable) or --configs DIR") }
    }

    /// Every configuration file named, in order, the directory's sorted by name.
    func paths() throws -> [String] {
        var paths = config
        if let directory = configs {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                throw ValidationError("--configs \(directory): cannot read the directory")
            }
            paths += names.filter { $0.hasSuffix(".toml") }.sorted().map { (directory as NSString).appendingPathComponent($0) }
        }
        return paths
    }
}

/// One setup's re-check in a fleet: what it is and how it ended.
struct FleetRow: Sendable {
    var path: String
    var tenant = "?"
    var target = "?"
    var preset = "?"
    /// healthy, drift, error.
    var result = "error"
    /// The first stage that does not hold, or the error's stage.
    var firstDrift: String?
    var message: String?
    var seconds: Double = 0
    var exitStatus: Int32 = ExitStatus.usage
    var object: [String: JSONValue] = [:]
}

/// Re-checks many setups (Exchange Online and Exchange Server mixed) at once, each with its own
/// engine, transport and request limit, at most `jobs` at a time; one that fails never stops the others.
enum FleetCheck {
    static func run(_ options: CheckOptions, paths: [String], json: Bool) async -> Int32 {
        let started = Date()
        let progress = Progress(total: paths.count, visible: !json && isatty(STDERR_FILENO) == 1)
        var rows = [FleetRow?](repeating: nil, count: paths.count)
        await withTaskGroup(of: (Int, FleetRow).self) { group in
            var next = 0
            func launch() {
                guard next < paths.count else { return }
                let index = next
                next += 1
                group.addTask { (index, await check(paths[index], options: options, fleet: paths.count > 1)) }
            }
            for _ in 0..<min(options.jobs, paths.count) { launch() }
            for await (index, row) in group {
                rows[index] = row
                progress.finished(row)
                launch()
            }
        }
        progress.clear()
        let done = rows.compactMap { $0 }
        if json {
            Console.line(jsonText(done))
        } else {
            for line in table(done) { Console.line(line) }
            let counts = Dictionary(grouping: done, by: \.result).mapValues(\.count)
            Console.line(
                "\(done.count) setups in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(counts["healthy"] ?? 0) healthy, \(counts["drift"] ?? 0) drifted, \(counts["error"] ?? 0) could not be checked."
            )
            for row in done where row.result == "error" {
                Console.error("\(row.path): \(row.message ?? "error")")
            }
        }
        return done.map(\.exitStatus).max() ?? ExitStatus.success
    }

    /// Re-checks the setup of `path`, turning every failure into a row.
    static func check(_ path: String, options: CheckOptions, fleet: Bool) async -> FleetRow {
        let clock = Date()
        var row = FleetRow(path: path)
        defer { row.seconds = Date().timeIntervalSince(clock) }
        let config: SetupConfig
        do {
            config = try ConfigLoader.load(path: path)
        } catch let error as ConfigError {
            row.message = error.problems.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
            row.firstDrift = "config"
            return finish(row, clock)
        } catch {
            row.message = "\(error)"
            return finish(row, clock)
        }
        row.tenant = config.target == .exchangeServer ? config.organizationKey : config.tenant
        row.target = config.target.rawValue
        row.preset = config.preset
        if fleet && config.target == .exchangeOnline && config.signIn == .deviceCode {
            row.message =
                "device-code sign-in needs a person at each tenant, one after another; for a fleet re-check use auth.method = \"certificate\" (or \"client-secret\") with an automation app"
            row.firstDrift = "sign-in"
            return finish(row, clock)
        }
        let environment = ConfigOptions.environment(
            for: config, stateDir: options.stateDir, requestTimeout: options.requestTimeout, interactive: false)
        do {
            let engine = try SetupEngine(config: config, environment: environment, events: { _ in })
            do {
                let reports = try await engine.check()
                let healthy = reports.allSatisfy { $0.status == .verified || $0.status == .skipped }
                row.result = healthy ? "healthy" : "drift"
                row.exitStatus = healthy ? ExitStatus.success : ExitStatus.drift
                row.firstDrift = reports.first { $0.status != .verified && $0.status != .skipped }?.stage.rawValue
                row.object = object(Console.jsonObject(tenant: await engine.signedInTenant, reports: reports, result: row.result))
            } catch let error as EngineError {
                row.message = error.description
                row.firstDrift = error.stage.rawValue
                row.exitStatus = error.stage == .signIn ? ExitStatus.usage : ExitStatus.drift
                row.object = object(
                    Console.jsonObject(
                        tenant: await engine.signedInTenant, reports: await engine.currentJournal.reports, result: "error"))
            } catch {
                row.message = "\(error)"
            }
        } catch let error as ConfigError {
            row.message = error.description
        } catch {
            row.message = "\(error)"
        }
        return finish(row, clock)
    }

    private static func finish(_ row: FleetRow, _ started: Date) -> FleetRow {
        var row = row
        row.seconds = Date().timeIntervalSince(started)
        return row
    }

    private static func object(_ value: [String: Any]) -> [String: JSONValue] {
        guard let data = try? JSONSerialization.data(withJSONObject: value), let json = try? JSONValue.parse(data) else {
            return [:]
        }
        return json.object ?? [:]
    }

    /// The summary table: tenant, target, preset, status, the first stage that does not hold, time.
    static func table(_ rows: [FleetRow]) -> [String] {
        let header = ["config", "tenant", "target", "preset", "status", "first drift", "time"]
        let cells = rows.map { row in
            [
                (row.path as NSString).lastPathComponent, row.tenant, row.target, row.preset, row.result,
                row.firstDrift ?? "—", String(format: "%.1f s", row.seconds),
            ]
        }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        return [line(header)] + cells.map(line)
    }

    /// One JSON array, one object per setup: today's `check --json` object with `config`, `seconds`
    /// and, when it could not be checked, `error`.
    static func jsonText(_ rows: [FleetRow]) -> String {
        let items: [JSONValue] = rows.map { row in
            var object = row.object
            object["config"] = .string(row.path)
            object["result"] = .string(row.result)
            object["seconds"] = .number((row.seconds * 10).rounded() / 10)
            if let message = row.message { object["error"] = .string(message) }
            if object["stages"] == nil { object["stages"] = .array([]) }
            return .object(object)
        }
        let compact = JSONValue.array(items).encoded()
        guard let object = try? JSONSerialization.jsonObject(with: compact),
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return String(decoding: compact, as: UTF8.self) }
        return String(decoding: data, as: UTF8.self)
    }

    /// A one-line progress report on a terminal's standard error, rewritten in place.
    final class Progress: @unchecked Sendable {
        private let total: Int
        private let visible: Bool
        private var done = 0
        private var drifted = 0
        private var failed = 0

        init(total: Int, visible: Bool) {
            self.total = total
            self.visible = visible
            draw()
        }

        func finished(_ row: FleetRow) {
            done += 1
            if row.result == "drift" { drifted += 1 }
            if row.result == "error" { failed += 1 }
            draw()
        }

        private func draw() {
            guard visible else { return }
            FileHandle.standardError.write(
                Data("\r\u{1B}[Kchecking \(done)/\(total): \(drifted) drifted, \(failed) could not be checked".utf8))
        }

        func clear() {
            guard visible else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        }
    }
}
