import ArgumentParser
import Foundation

/// The `mailscope` command.
@main
struct Mailscope: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailscope",
        abstract: "Set up and re-check a scoped service account in Exchange for a calendar or mail integration.",
        discussion: """
            Run without a subcommand for the interactive wizard (over SSH too). For scripts use \
            apply, check, plan and script with a TOML config. `mailscope demo` runs the wizard \
            against a built-in simulated tenant, with no Microsoft account.
            """,
        version: BuildInfo.versionLine,
        subcommands: [
            WizardCommand.self, DemoCommand.self, ApplyCommand.self, CheckCommand.self, PlanCommand.self,
            ScriptCommand.self, PresetsCommand.self, SimulateCommand.self,
        ],
        defaultSubcommand: WizardCommand.self
    )

    /// The entry point: one malloc arena (see `MemoryTuning`) before any other thread allocates,
    /// then the command line.
    static func main() async {
        MemoryTuning.useOneArena()
        await main(nil)
    }
}

/// Exit codes shared by the commands.
enum ExitStatus {
    /// Every stage holds.
    static let success: Int32 = 0
    /// Something drifted, failed or was not verified.
    static let drift: Int32 = 1
    /// Usage, config or sign-in errors.
    static let usage: Int32 = 2
}
