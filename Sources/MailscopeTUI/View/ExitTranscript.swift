import Foundation
import MailscopeEngine

/// What the wizard leaves on the normal screen when it exits: after a hand-off, the values (never
/// a secret: its file is named instead) and how to re-check; after a left wait, how to resume it.
/// One value a line, never wrapped, so they stay in the scrollback whole (as `az login` leaves its
/// code) and can be copied from there after the full-screen wizard is gone.
public func exitTranscript(_ model: WizardModel) -> [String] {
    guard let run = model.run, case .finished(let outcome) = run.phase else { return [] }
    let name = Preset.named(run.answers.presetID)?.displayName ?? run.answers.presetID
    let place = run.tenant?.displayName ?? run.answers.organizationLabel
    switch outcome {
    case .verified:
        guard !run.handOff.isEmpty else { return [] }
        var lines = ["mailscope: \(name) is set up in \(place). Give these values to \(name):"]
        func label(_ item: HandOffItem) -> String { item.label.replacingOccurrences(of: " (shown once)", with: "") }
        let labelWidth = (run.handOff.map { label($0).displayWidth }.max() ?? 0) + 2
        for item in run.handOff {
            let value = item.isSecret ? "not printed (it was shown once); its 0600 file is listed here" : item.value
            lines.append("  " + (label(item) + ":").padded(toColumns: labelWidth) + value)
        }
        lines.append("Re-check it later (changes nothing): run \(model.resumeCommand) and choose \"Re-check an existing setup\".")
        return lines
    case .suspended:
        guard run.wait != nil else { return [] }
        return [
            "mailscope: the propagation wait for \(name) in \(place) is saved; its timer keeps running. Resume it with:",
            "  \(model.resumeCommand)",
        ]
    case .drift, .failed:
        return []
    }
}
