import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

/// Item 8: a group named in a non-Latin script is created with a derived ASCII alias.
@Suite("A group name in any script", .serialized)
struct UnicodeGroupNameEngineTests {
    @Test func aJapaneseGroupNameIsSetUpWithADerivedAlias() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.groupName = "採用チーム" }
        #expect(config.validationErrors().isEmpty, "\(config.validationErrors())")
        #expect(config.effectiveGroupAlias == "cai-yongchimu")
        #expect(try await harness.apply(config) == .verified)
        let reports = try await harness.engine(config).check()
        #expect(reports.report(.distributionGroup)?.status == .verified)
    }
}
