import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

/// The connect stage's mailbox probes address each mailbox by its object id (Graph resolves
/// `/users/{id | userPrincipalName}`, not an SMTP address: microsoft-graph-docs-contrib
/// `api-reference/v1.0/api/user-get.md`), and the mailbox outside the scope is a licensed member,
/// never a guest or an unlicensed account.
@Suite("Mailbox probes by object id", .serialized)
struct ProbeMailboxTests {
    /// The Graph mailbox reads (`/users/{x}/calendar`, `messages`, …) among `requests`.
    static func mailboxReads(_ requests: [HTTPRequest]) -> [String] {
        requests.map(\.url.path).filter { path in
            path.contains("/v1.0/users/") && ["/calendar", "/messages", "/contacts", "/mailboxSettings"].contains { path.hasSuffix($0) }
        }
    }

    /// The connect stage's last report among the harness's events.
    static func connectReport(_ harness: Harness) -> StageReport? {
        harness.events.all.compactMap { event -> StageReport? in
            if case .stage(let report) = event, report.stage == .connect { return report }
            return nil
        }.last
    }

    @Test("members whose UPN is not their mail address are probed by object id and prove access")
    func membersWhoseUPNDiffersFromTheirMail() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.members = ["rowan.hale@contoso.com", "sasha.lind@contoso.com"] }
        let capture = CapturingTransport()
        #expect(try await harness.engine(config, transport: capture).apply { _ in true } == .verified)
        let users = await harness.tenant.users()
        let ids = Set(users.filter { ["rhale@contoso.com", "sasha.lind@contoso.onmicrosoft.com"].contains($0.userPrincipalName) }.map(\.id))
        let reads = Self.mailboxReads(capture.requests)
        #expect(!reads.isEmpty)
        for path in reads {
            #expect(!path.contains("@"), "a mailbox read by address: \(path)")
            let segment = path.components(separatedBy: "/users/").last?.split(separator: "/").first.map(String.init) ?? ""
            #expect(users.contains { $0.id == segment }, "\(path)")
        }
        #expect(reads.contains { path in ids.contains { path.contains("/users/\($0)/") } }, "\(reads)")
        let connect = try #require(Self.connectReport(harness))
        #expect(connect.status == .verified, "\(connect.detail)")
        #expect(connect.evidence.contains { $0.hasPrefix("as the app: GET") && $0.contains("of rowan.hale@contoso.com → 200") }, "\(connect.evidence)")
    }

    @Test("the mailbox outside the scope is a licensed member, not the guest or the unlicensed account listed before it")
    func outOfScopeCandidateIsALicensedMember() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        // The admin is in the group, so the first users outside the scope are the guest, then the
        // member without a licence, then Rowan Hale (UPN rhale@contoso.com).
        let config = harness.config { $0.members = ["admin@contoso.com", "avery.adams@contoso.com"] }
        #expect(try await harness.apply(config) == .verified)
        let connect = try #require(Self.connectReport(harness))
        #expect(connect.status == .verified, "\(connect.detail)")
        #expect(connect.evidence.contains("Test-ServicePrincipalAuthorization rowan.hale@contoso.com → out of scope"), "\(connect.evidence)")
        #expect(connect.evidence.contains { $0.hasPrefix("as the app: GET") && $0.hasSuffix("of rowan.hale@contoso.com → 403 ErrorAccessDenied") }, "\(connect.evidence)")
        #expect(!connect.evidence.contains { $0.contains("gale.guest") || $0.contains("lee.lapsed") }, "\(connect.evidence)")
    }

    @Test("a configured mailbox outside the scope whose UPN is not its mail address is looked up once and probed by id")
    func configuredOutOfScopeMailbox() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.outOfScopeMailbox = "sasha.lind@contoso.com" }
        let capture = CapturingTransport()
        #expect(try await harness.engine(config, transport: capture).apply { _ in true } == .verified)
        let sasha = try #require(await harness.tenant.users().first { $0.userPrincipalName == "sasha.lind@contoso.onmicrosoft.com" })
        let reads = Self.mailboxReads(capture.requests)
        #expect(reads.contains { $0.contains("/users/\(sasha.id)/") }, "\(reads)")
        #expect(!reads.contains { $0.contains("@") }, "\(reads)")
        // Several polls, one lookup.
        let lookups = capture.requests.filter {
            $0.url.path.hasSuffix("/v1.0/users") && ($0.url.query?.removingPercentEncoding ?? "").contains("smtp:sasha.lind@contoso.com")
        }
        #expect(lookups.count == 1, "\(lookups.map(\.url))")
        let connect = try #require(Self.connectReport(harness))
        #expect(connect.evidence.contains { $0.hasSuffix("of sasha.lind@contoso.com → 403 ErrorAccessDenied") }, "\(connect.evidence)")
    }
}
