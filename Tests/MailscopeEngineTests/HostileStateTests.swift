import Foundation
import MailscopeCore
import MailscopeEngine
import Testing

/// Hostile names, damaged state and duplicates (issue 11): each reproduces a defect an independent
/// test found against the real simulator.
@Suite("hostile names, damaged state and duplicates", .serialized)
struct HostileStateTests {
    @Test func repeatsCaseVariantsAndAnAliasMakeOneWritePerMailbox() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        // blake.adams and badams (its alias) are one mailbox; avery.adams appears three times.
        let config = harness.config {
            $0.members = [
                "avery.adams@contoso.com", "AVERY.ADAMS@contoso.com", "avery.adams@contoso.com",
                "blake.adams@contoso.com", "badams@contoso.com",
            ]
        }
        let reports = try await harness.engine(config).plan()
        let group = try #require(reports.report(.distributionGroup))
        let adds = group.changes.filter { $0.summary.lowercased().contains("add") && $0.summary.contains("@") }
        #expect(adds.count == 2)
        #expect(group.warnings.filter { $0.contains("the duplicate is dropped") }.count == 3)
        #expect(group.warnings.contains { $0.hasPrefix("badams@contoso.com is the same mailbox as blake.adams@contoso.com") })

        #expect(try await harness.apply(config) == .verified)
        #expect(try await harness.tenant.memberAddresses(ofGroup: "WorkableUsers").count == 2)
        let after = try await harness.engine(config).check()
        let members = try #require(after.report(.distributionGroup)?.steps.first { $0.name == "members" })
        #expect(members.detail == "2 configured member(s) present")
    }

    @Test func noResolvableMemberStopsBeforeTheFirstWrite() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let before = await harness.inventory()
        let config = harness.config { $0.members = ["nobody@contoso.com"] }
        do {
            _ = try await harness.apply(config)
            Issue.record("expected the run to stop")
        } catch let error as EngineError {
            #expect(error.stage == .distributionGroup)
            #expect(error.message.contains("none of the 1 configured member(s) is a mailbox"))
            #expect(error.fix.contains("group.members"))
        }
        #expect(harness.events.writes.isEmpty)
        #expect(await harness.inventory() == before)
    }

    @Test(arguments: ["truncated", "garbage", "deleted"])
    func aDamagedOrDeletedJournalAddsNoSecondSecret(_ damage: String) async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let store = JournalStore(stateDirectory: harness.stateDirectory, config: harness.config())
        let held = try #require(store.load()?.credential)
        let secrets = await harness.inventory().secrets
        switch damage {
        case "truncated":
            let data = try Data(contentsOf: store.journalURL)
            try data.prefix(data.count / 2).write(to: store.journalURL)
        case "garbage": try Data("\u{1}garbage{{".utf8).write(to: store.journalURL)
        default: try FileManager.default.removeItem(at: store.journalURL)
        }
        #expect(try await harness.apply(harness.config()) == .verified)
        #expect(await harness.inventory().secrets == secrets)
        #expect(store.load()?.credential?.keyID == held.keyID)
        let logs = harness.events.all.compactMap { if case .log(let entry) = $0 { entry.text } else { nil } }
        #expect(logs.contains { $0.contains("held again (no new one is added)") })
        if damage != "deleted" {
            #expect(logs.contains { $0.contains("was set aside as journal.json.damaged-") })
        }
    }

    @Test func aSecondStateDirectoryFindsTheCredentialHeldElsewhere() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let secrets = await harness.inventory().secrets
        // Another state directory (another admin's, another machine's): no silent second secret.
        let other = harness.stateDirectory.appendingPathComponent("other-machine")
        let reports = try await harness.engine(harness.config(), stateDirectory: other).check()
        let account = try #require(reports.report(.serviceAccount))
        #expect(account.status == .notVerified)
        #expect(account.changes.isEmpty)
        #expect(
            account.warnings.contains {
                $0.contains("in another state directory or on another machine") && $0.contains("--add-credential")
            })
        _ = try await harness.engine(harness.config(), stateDirectory: other).apply { _ in true }
        #expect(await harness.inventory().secrets == secrets)

        // Asked for: a new one beside the old, named; then the ones not held here removed.
        let adding = try harness.engine(harness.config(), credentials: CredentialChoices(addNew: true), stateDirectory: other)
        let plan = try await adding.plan()
        #expect(plan.report(.serviceAccount)?.warnings.contains { $0.contains("a new credential is added beside 1") } == true)
        _ = try await adding.apply { _ in true }
        #expect(await harness.inventory().secrets == secrets + 1)
        let removing = try harness.engine(
            harness.config(), credentials: CredentialChoices(removeUntracked: true), stateDirectory: other)
        _ = try await removing.apply { _ in true }
        #expect(await harness.inventory().secrets == 1)
    }

    @Test func aRemovedStateDirectoryAddsANewCredentialAndSaysWhy() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let secrets = await harness.inventory().secrets
        // The directory and its secret file are gone: the old secret is lost here (the vendor may
        // still hold a copy), so a new one is added beside it, named, and its removal offered.
        try FileManager.default.removeItem(at: harness.stateDirectory)
        let plan = try await harness.engine(harness.config()).plan()
        let warnings = try #require(plan.report(.serviceAccount)).warnings
        #expect(warnings.contains { $0.contains("a new credential is added beside 1") && $0.contains("made here, whose file is gone") })
        #expect(warnings.contains { $0.contains("--remove-untracked-credentials") })
        #expect(try await harness.apply(harness.config()) == .verified)
        #expect(await harness.inventory().secrets == secrets + 1)
    }

    @Test func aJournalWithAHiddenCharacterIsSetAside() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-journal-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        var config = SetupConfig()
        config.tenant = "contoso.onmicrosoft.com"
        config.serviceAccountName = "svc"
        let store = JournalStore(stateDirectory: directory, config: config)
        var journal = Journal(configFingerprint: "x", now: Date(timeIntervalSince1970: 0))
        journal.pendingWrite = .createGroup(name: "All Staff\u{0} (integration)", alias: "allstaff", kind: .distribution)
        try store.save(journal)
        let loaded = store.loadReporting()
        #expect(loaded.journal == nil)
        #expect(loaded.setAside?.contains("a NUL character (U+0000)") == true)

        // Line breaks are text in a journal (multi-line Exchange Management Shell steps).
        journal.pendingWrite = .createScope(name: "Scope", filter: "line one\nline two")
        try store.save(journal)
        #expect(store.loadReporting().journal != nil)
    }
}
