import Foundation
import MailscopeCore
import MailscopeEngine
import Testing

/// Look-alike names and failures a re-run cannot change (issue 11, items 5 and 6).
@Suite("look-alike names and repeated failures", .serialized)
struct LookAlikeAndRepeatTests {
    @Test func aHomoglyphOfAnExistingGroupIsNamedInThePlan() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        // "All Staff" exists; this one starts with a Cyrillic А.
        let config = harness.config {
            $0.groupName = "\u{0410}ll Staff"
            $0.groupAlias = "allstaff-integration"
        }
        let reports = try await harness.engine(config).plan()
        let warnings = try #require(reports.report(.distributionGroup)).warnings
        #expect(warnings.contains { $0.contains("looks like the existing group \"All Staff\"") })
        #expect(warnings.contains { $0.contains("mixed scripts") && $0.contains("Cyrillic") })
        // A plain new name draws neither warning.
        let plain = try await harness.engine(harness.config()).plan()
        #expect(plain.report(.distributionGroup)?.warnings.contains { $0.contains("looks like") } == false)
    }

    @Test func aHomoglyphOfAnExistingScopeIsNamed() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let config = harness.config { $0.scopeName = "W\u{043E}rkableUsersScope" }  // Cyrillic о
        let reports = try await harness.engine(config).plan()
        #expect(
            reports.report(.scope)?.warnings.contains { $0.contains("looks like the existing scope \"WorkableUsersScope\"") }
                == true)
    }

    @Test func theSameFailureTwiceSaysARerunWillNotHelpAndShowsTheDifference() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.members = ["nobody@contoso.com"] }
        var fixes: [String] = []
        for _ in 0..<2 {
            do {
                _ = try await harness.apply(config)
            } catch let error as EngineError {
                fixes.append(error.fix)
            }
        }
        #expect(fixes.count == 2)
        #expect(fixes.first?.contains("same failure") == false)
        #expect(fixes.last?.contains("the same failure as the last run, so running again will not change it") == true)
        #expect(fixes.last?.contains("Asked: group \"WorkableUsers\"") == true)
        #expect(fixes.last?.contains("Found: none of the 1 configured member(s)") == true)
    }
}
