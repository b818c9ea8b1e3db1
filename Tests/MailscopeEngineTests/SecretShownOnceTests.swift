import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

/// Item 17: a run left during its wait never reached the hand-off, so the secret it created was
/// never shown: the first hand-off the admin reaches (after resuming) shows it, once.
@Suite("The secret is shown on the first hand-off reached", .serialized)
struct SecretShownOnceTests {
    @Test func aSecretCreatedBeforeTheAdminLeftTheWaitIsShownWhenTheResumedRunHandsOff() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config()
        let first = try harness.engine(config)
        let watcher = Task {
            while !Task.isCancelled {
                if harness.events.all.contains(where: { if case .waiting = $0 { true } else { false } }) {
                    await first.requestSuspend()
                    return
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        defer { watcher.cancel() }
        #expect(try await first.apply { _ in true } == .suspended)
        #expect(harness.events.handOff == nil)
        let journalURL = JournalStore(stateDirectory: harness.stateDirectory, config: config).journalURL
        let held = try #require(await first.currentJournal.credential)
        #expect(held.secretShownAt == nil)
        let secret = try String(contentsOfFile: held.path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

        // Resumed: the hand-off shows the secret itself, not "shown once, when it was created".
        #expect(try await harness.apply(config) == .verified)
        let handOff = try #require(harness.events.handOff)
        let shown = try #require(handOff.first { $0.label == "Client secret (shown once)" })
        #expect(shown.isSecret)
        #expect(shown.value == secret)
        #expect(!handOff.contains { $0.value.contains("when it was created") })
        let journal = try String(contentsOf: journalURL, encoding: .utf8)
        #expect(!journal.contains(secret))
        #expect(journal.contains("secretShownAt"))

        // Once shown, never again.
        #expect(try await harness.apply(config) == .verified)
        let again = try #require(harness.events.handOff)
        #expect(!again.contains { $0.isSecret })
        #expect(again.contains { $0.value.contains("shown once, when it was created") })
    }
}
