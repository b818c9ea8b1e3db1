import Foundation
import MailscopeCore
import MailscopeEngine
import TenantSimulator
import Testing

/// The Exchange Server target resolves each member to the recipient that holds its address exactly
/// (`ResolveNames` with `SMTP:` matches partially: office-developer-exchange-docs
/// `web-service-reference/resolvenames-operation.md`), and honours `ErrorServerBusy` with its
/// `BackOffMilliseconds` (`exchange-web-services/ews-throttling-in-exchange.md`), bounded.
@Suite("Exchange Server: exact name resolution and EWS throttling", .serialized)
struct EWSResolutionAndThrottlingTests {
    /// Adds Sam Rivera, whose alias sam@contoso.com.au begins with sam@contoso.com, and then Sam
    /// (sam@contoso.com): ResolveNames of `SMTP:sam@contoso.com` lists Sam Rivera first.
    static func addTheSams(_ tenant: SimulatedTenant) async throws {
        try await tenant.addUser(nickname: "sam.rivera", displayName: "Sam Rivera", aliases: ["sam@contoso.com.au"])
        try await tenant.addUser(nickname: "sam", displayName: "Sam")
    }

    @Test("a member whose address begins another recipient's alias is resolved to itself, not the first candidate")
    func exactMatchAmongPartialCandidates() async throws {
        let setup = try await ServerEngineTests.start()
        defer { Task { await setup.harness.stop() } }
        try await Self.addTheSams(setup.harness.tenant)
        let config = setup.config { $0.members.append("sam@contoso.com") }
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        let members = try await setup.harness.tenant.memberAddresses(ofGroup: config.effectiveGroupAddress)
        #expect(members.contains("sam@contoso.com"), "\(members)")
        #expect(!members.contains("sam.rivera@contoso.com"), "\(members)")
        let group = try #require(try await setup.engine(config).check().report(.distributionGroup))
        #expect(group.status == .verified, "\(group.detail)")
        #expect(group.evidence.contains("ResolveNames sam@contoso.com → sam@contoso.com (Mailbox)"), "\(group.evidence)")
        #expect(setup.transport.problems == [])
    }

    @Test("an address that only begins other recipients' addresses is no member, and no alias of the first of them")
    func partialMatchesOnlyAreNoMember() async throws {
        let setup = try await ServerEngineTests.start()
        defer { Task { await setup.harness.stop() } }
        #expect(try await setup.engine(setup.config()).apply { _ in true } == .verified)
        try await Self.addTheSams(setup.harness.tenant)
        let config = setup.config { $0.members.append("sam@contoso.co") }
        let group = try #require(try await setup.engine(config).check().report(.distributionGroup))
        #expect(group.status == .failed)
        let problems = [group.detail] + group.warnings
        #expect(
            problems.contains { $0.contains("'sam@contoso.co' is no mailbox's SMTP address") && $0.contains("sam@contoso.com") },
            "\(problems)")
        #expect(!problems.contains { $0.contains("is an alias of") }, "\(problems)")
        // An alias held exactly is still named with its primary address.
        let aliased = setup.config { $0.members.append("sam@contoso.com.au") }
        let report = try #require(try await setup.engine(aliased).check().report(.distributionGroup))
        #expect(
            ([report.detail] + report.warnings).contains { $0.contains("'sam@contoso.com.au' is an alias of 'sam.rivera@contoso.com'") },
            "\(report.detail) \(report.warnings)")
    }

    @Test("ErrorServerBusy is retried after its BackOffMilliseconds on the engine's clock")
    func busyAnswersAreWaitedOut() async throws {
        let setup = try await ServerEngineTests.start()
        defer { Task { await setup.harness.stop() } }
        let config = setup.config()
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        await setup.harness.tenant.answerEWSServerBusy(times: 3, backOff: .seconds(7))
        let start = setup.harness.clock.now
        let reports = try await setup.engine(config).check()
        for report in reports { #expect(report.status == .verified, "\(report.stage): \(report.detail)") }
        let waited = setup.harness.clock.now.timeIntervalSince(start)
        #expect(waited >= 21 && waited < 60, "\(waited)")
        #expect(setup.transport.problems == [])
    }

    @Test("still busy after three retries, or asked to wait past a minute: a clear failure, not a verdict")
    func busyBeyondTheBoundFails() async throws {
        let setup = try await ServerEngineTests.start()
        defer { Task { await setup.harness.stop() } }
        let config = setup.config()
        #expect(try await setup.engine(config).apply { _ in true } == .verified)

        await setup.harness.tenant.answerEWSServerBusy(times: 4, backOff: .seconds(5))
        var start = setup.harness.clock.now
        let stillBusy = await #expect(throws: EngineError.self) { try await setup.engine(config).check() }
        #expect(stillBusy?.message.contains("ErrorServerBusy") == true, "\(stillBusy?.message ?? "")")
        #expect(stillBusy?.message.contains("still busy after 3 retries over 15 s") == true, "\(stillBusy?.message ?? "")")
        #expect(stillBusy?.transient == true)
        #expect(stillBusy?.fix.contains("run again later") == true)
        #expect(setup.harness.clock.now.timeIntervalSince(start) < 20)

        await setup.harness.tenant.answerEWSServerBusy(times: 1, backOff: .seconds(300))
        start = setup.harness.clock.now
        let tooLong = await #expect(throws: EngineError.self) { try await setup.engine(config).check() }
        #expect(tooLong?.message.contains("asks to wait 300 s") == true, "\(tooLong?.message ?? "")")
        #expect(setup.harness.clock.now.timeIntervalSince(start) < 60)
    }
}
