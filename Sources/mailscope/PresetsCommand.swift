import ArgumentParser
import Foundation
import MailscopeEngine

/// `mailscope presets`: each preset's vendor guide read against today's platform (issue 16).
struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "Show which of each vendor guide's connection methods works on which target today.",
        discussion: """
            One block per preset: each method the vendor's guide documents, on Exchange Online and on \
            Exchange Server, as works, works differently today (how), no longer possible (why) or \
            does not apply (why); where mailscope leads; and the guide's notes. --tsv prints one \
            tab-separated line per method and target; --markdown prints the README's preset section.
            """
    )

    @Flag(help: "Print markdown tables (the README's preset section).")
    var markdown = false

    @Flag(help: "Print one tab-separated line per method and target, with a header line.")
    var tsv = false

    @Option(help: "Only this preset (workable, eptura, ioffice, nylas, workato, custom).")
    var preset: String?

    func validate() throws {
        if let preset, Preset.named(preset) == nil {
            throw ValidationError(
                "'\(preset)' is not a preset; use one of: \(Preset.all.map(\.id).joined(separator: ", "))")
        }
    }

    func run() throws {
        if tsv {
            print(PresetConnections.tabSeparated, terminator: "")
        } else if markdown {
            print(PresetConnections.markdown)
        } else if let preset {
            print(PresetConnections.of(preset).plainLines().joined(separator: "\n"))
        } else {
            print(PresetConnections.plainText, terminator: "")
        }
    }
}
