import Foundation
import MailscopeCore
import MailscopeEngine
import TenantSimulator
import Testing

/// The README's worked example of adding a check, made: a service principal someone disabled in
/// Entra (the app gets no token: AADSTS7000112) fails the service account stage with its fix,
/// and apply stops before its first write instead of "repairing" what an admin may have meant.
@Suite("A disabled service principal is named", .serialized)
struct DisabledServicePrincipalTests {
    @Test func checkNamesADisabledServicePrincipalAndApplyLeavesItAlone() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let appID = try #require(await harness.tenant.applications().first { $0.displayName == "workable_service" }?.appId)
        try await harness.tenant.setServicePrincipalEnabled(appID: appID, false)

        let reports = try await harness.engine(harness.config()).check()
        let account = try #require(reports.report(.serviceAccount))
        #expect(account.status == .failed)
        #expect(account.detail.contains("disabled"))
        #expect(account.fix?.contains("-AccountEnabled:$true") == true)
        #expect(account.steps.contains { $0.name == "service principal" && $0.status == .failed })
        // The app's own token is refused now, so nothing proves access as the app.
        let connect = try #require(reports.report(.connect))
        #expect(connect.status != .verified)

        let writes = harness.events.writes.count
        await #expect(throws: EngineError.self) { try await harness.apply(harness.config()) }
        #expect(harness.events.writes.count == writes)

        try await harness.tenant.setServicePrincipalEnabled(appID: appID, true)
        let again = try await harness.engine(harness.config()).check()
        #expect(again.report(.serviceAccount)?.status == .verified)
    }
}
