import Foundation
import MailscopeCore
import MailscopeEngine
import Testing

/// A run repeats no identical read unless something changed in between or it is a poll (issue 10,
/// item 15): apply used to read every stage for its plan and then again before writing.
@Suite("no identical read twice in one apply", .serialized)
struct RepeatedReadTests {
    @Test func stagesPlannedWithNothingWrittenSinceAreNotReadAgain() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        try await harness.tenant.removeGroupMember(group: "WorkableUsers", member: "casey.adams@contoso.com")
        await harness.recorder.reset()

        #expect(try await harness.apply(harness.config()) == .verified)
        let entries = await harness.recorder.entries
        func count(_ fragment: String) -> Int {
            entries.filter { $0.method == "GET" && $0.url.contains(fragment) }.count
        }
        // The service account and the group are read once for the plan; the group's first write
        // follows without a second read (only its verify re-reads, after the member was added).
        #expect(count("/v1.0/applications/") == 1)
        #expect(count("/servicePrincipals(appId=") == 1)
        let memberPages = count("/members")
        #expect(memberPages == 2, "member pages read \(memberPages) times: plan, then the verify after the write")
    }

    @Test func aSecondApplyWithNothingToDoReadsEachStageOnce() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        await harness.recorder.reset()
        #expect(try await harness.apply(harness.config()) == .verified)
        let gets = await harness.recorder.entries.filter { $0.method == "GET" && !$0.url.contains("/calendar") && !$0.url.contains("/messages") }
        let urls = gets.map(\.url)
        let repeated = Dictionary(grouping: urls, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        #expect(repeated.isEmpty, "read twice: \(repeated)")
    }
}
