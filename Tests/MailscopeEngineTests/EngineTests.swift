import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

@Suite("Engine against the simulated tenant", .serialized)
struct EngineTests {
    @Test func applyVerifiesEveryStageAndCheckIsHealthy() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let start = harness.clock.now
        let result = try await harness.apply(harness.config())
        #expect(result == .verified)
        // The one-hour propagation delay passed on the injected clock, not in real time.
        #expect(harness.clock.now.timeIntervalSince(start) >= 3600)

        let reports = try await harness.engine(harness.config()).check()
        for report in reports { #expect(report.status == .verified, "\(report.stage): \(report.detail)") }
        #expect(reports.count == 6)

        // The hand-off carries the secret once, and the secret works for the app.
        let handOff = try #require(harness.events.handOff)
        #expect(handOff.contains { $0.isSecret })
        #expect(handOff.contains { $0.label.hasPrefix("Tenant ID") && $0.value == SimulatedTenant.tenantID })
    }

    @Test func aCheckOverlapsIndependentReadsAndRepeatsNone() async throws {
        // Real (20 ms) latency on the server, so requests that are sent together are seen together.
        let harness = try await Harness.start(latencyClock: .system)
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        await harness.server.setLatency(.milliseconds(20))
        await harness.server.resetStatistics()
        let engine = try harness.engine(
            harness.config(), transport: CurlTransport(maxConcurrent: SetupEngine.concurrentRequests))
        let reports = try await engine.check()
        for report in reports { #expect(report.status == .verified, "\(report.stage): \(report.detail)") }

        let log = await harness.server.requestLog
        let reads = log.filter { $0.method == "GET" }.map(\.target)
        #expect(Set(reads).count == reads.count, "a GET was repeated: \(reads.sorted())")
        // The admin's sign-in: the device-code token, then one refresh for Exchange; the app:
        // one client-credentials token although all its probes asked for it at once.
        let tokens = log.filter { $0.method == "POST" && $0.target.hasSuffix("/oauth2/v2.0/token") }
        let adminTokens = tokens.filter { $0.target.contains(SimulatedTenant.defaultDomain) }
        #expect(adminTokens.count == 2)
        #expect(tokens.count - adminTokens.count == 1)
        let overlap = await harness.server.maxInFlight
        #expect(overlap >= 2, "nothing was read at the same time")
        #expect(overlap <= SetupEngine.concurrentRequests)
    }

    @Test func aSecondApplyWritesNothingAndDuplicatesNothing() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let before = await harness.inventory()
        let writesBefore = harness.events.writes.count
        let confirmed = ConfirmCounter()
        let result = try await harness.engine(harness.config()).apply { _ in await confirmed.hit() }
        #expect(result == .verified)
        #expect(await confirmed.count == 0, "no changes: no confirmation asked")
        #expect(harness.events.writes.count == writesBefore)
        #expect(await harness.inventory() == before)
        #expect(before.apps == 1 && before.scopes == 1 && before.assignments == 3 && before.secrets == 1)
    }

    @Test func driftIsNamedAndASecondApplyRepairsIt() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let before = await harness.inventory()
        let appID = try #require(
            await harness.tenant.applications().first { $0.displayName == "workable_service" }?.appId
        )

        try await harness.tenant.removeGroupMember(group: "WorkableUsers", member: "casey.adams@contoso.com")
        _ = try await harness.tenant.grantTenantWide(appID: appID, permission: "Calendars.ReadWrite")
        // Deleting a scope in Exchange means removing its role assignments first (Remove-ManagementScope refuses otherwise).
        for assignment in await harness.tenant.roleAssignments()
        where assignment.customResourceScope == "WorkableUsersScope" {
            try await harness.tenant.removeRoleAssignment(name: assignment.name)
        }
        try await harness.tenant.deleteScope(name: "WorkableUsersScope")

        let reports = try await harness.engine(harness.config()).check()
        #expect(reports.report(.distributionGroup)?.status == .needsChange)
        #expect(reports.report(.distributionGroup)?.detail.contains("missing") == true)
        #expect(reports.report(.impersonationRole)?.status == .needsChange)
        #expect(reports.report(.impersonationRole)?.detail.contains("Calendars.ReadWrite") == true)
        #expect(reports.report(.scope)?.status == .needsChange)
        #expect(reports.report(.connect)?.status != .verified)

        #expect(try await harness.apply(harness.config()) == .verified)
        let after = await harness.inventory()
        #expect(after == before, "repair creates no duplicates")
        #expect(await harness.tenant.grants(appID: appID).isEmpty)
        let healthy = try await harness.engine(harness.config()).check()
        #expect(healthy.allSatisfy { $0.status == .verified })
    }

    @Test func roomScopeSkipsTheGroupAndCoversRooms() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { config in
            config = SetupConfig(preset: Preset.named("eptura")!, tenant: SimulatedTenant.defaultDomain)
            config.cloud = "custom"
            config.loginURL = harness.endpoints.login.absoluteString
            config.graphURL = harness.endpoints.graph.absoluteString
            config.exchangeURL = harness.endpoints.exchange.absoluteString
        }
        #expect(try await harness.apply(config) == .verified)
        let reports = try await harness.engine(config).check()
        #expect(reports.report(.distributionGroup)?.status == .skipped)
        #expect(reports.report(.connect)?.status == .verified)
        let scope = try #require(await harness.tenant.managementScopes().first { $0.name == "ResourceMailboxes" })
        #expect(scope.recipientFilter == "RecipientTypeDetails -eq 'RoomMailbox'")
    }

    @Test func aliasesNestedGroupsAndMissingAddressesAreWarnedAbout() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config {
            $0.members = [
                "badams@contoso.com", "meetingrooms@contoso.com", "nobody@contoso.com", "avery.adams@contoso.com",
            ]
        }
        let reports = try await harness.engine(config).plan()
        let warnings = reports.report(.distributionGroup)?.warnings.joined(separator: "\n") ?? ""
        #expect(
            warnings.contains("badams@contoso.com is an alias; the primary SMTP address is blake.adams@contoso.com")
        )
        #expect(warnings.contains("meetingrooms@contoso.com is a group"))
        #expect(warnings.contains("nobody@contoso.com does not exist"))
        let adds =
            reports.report(.distributionGroup)?.changes.filter { $0.summary.hasPrefix("Add ") }.map(\.summary) ?? []
        #expect(
            adds == [
                "Add blake.adams@contoso.com as a direct member", "Add avery.adams@contoso.com as a direct member",
            ]
        )
    }

    @Test func aQuoteInTheGroupNameKeepsTheFilterExact() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { config in
            config.groupName = "O'Brien Team"
            config.groupAlias = "obrienteam"
        }
        #expect(try await harness.apply(config) == .verified)
        let group = try #require(await harness.tenant.group("obrienteam"))
        let dn = try #require(group.distinguishedName)
        #expect(dn.contains("O'Brien"))
        let scope = try #require(await harness.tenant.managementScopes().first)
        #expect(scope.recipientFilter == "MemberOfGroup -eq '\(dn.replacingOccurrences(of: "'", with: "''"))'")
        // The scope reaches the members and nobody else.
        let appID = try #require(
            await harness.tenant.applications().first { $0.displayName == "workable_service" }?.appId
        )
        #expect(
            await harness.tenant.canAccess(
                mailbox: "avery.adams@contoso.com",
                appID: appID,
                permission: "Calendars.ReadWrite"
            )
        )
        #expect(
            !(await harness.tenant.canAccess(
                mailbox: "dana.adams@contoso.com",
                appID: appID,
                permission: "Calendars.ReadWrite"
            ))
        )
    }

    @Test func aBadConfigSendsNothing() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(throws: ConfigError.self) {
            try harness.engine(harness.config { $0.scopeName = "bad\nname" })
        }
        #expect(throws: ConfigError.self) {
            try harness.engine(harness.config { $0.roles = ["ApplicationImpersonation"] })
        }
        #expect(await harness.recorder.count == 0)
    }

    @Test func anotherTenantIsRefusedBeforeAnyWrite() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.tenant = "fabrikam.com" }
        await #expect(throws: EngineError.self) { try await harness.apply(config) }
        let writes = await harness.recorder.entries.filter { $0.method != "GET" && !$0.url.contains("/oauth2/") }
        #expect(writes.isEmpty)
        #expect(await harness.tenant.applications().allSatisfy { $0.displayName != "workable_service" })
    }

    @Test func theWaitStopsAtTheDeadlineWithAVerdict() async throws {
        let harness = try await Harness.start(
            SimulatorOptions(propagationDelay: .seconds(5 * 3600), deviceCodeApprovalPolls: 1)
        )
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.waitDeadlineMinutes = 60 }
        let result = try await harness.apply(config)
        #expect(result == .deadlineReached)
        let last = harness.events.all.compactMap { event -> StageReport? in
            if case .stage(let report) = event, report.stage == .connect { return report } else { return nil }
        }.last
        #expect(last?.status == .failed)
        #expect(last?.detail.contains("deadline") == true)
        // Waiting events carried the timers.
        let waits = harness.events.all.compactMap { event -> WaitProgress? in
            if case .waiting(let wait) = event { return wait } else { return nil }
        }
        #expect(waits.count >= 3)
        #expect(waits.allSatisfy { $0.expectedLatest.timeIntervalSince($0.startedAt) == 7200 })
        #expect(zip(waits, waits.dropFirst()).allSatisfy { $0.polls < $1.polls })
    }

    @Test func faultsAreRetriedWithoutDuplicates() async throws {
        let options = SimulatorOptions(
            seed: 7,
            propagationDelay: .seconds(1800),
            deviceCodeApprovalPolls: 2,
            tokenLifetime: .seconds(300),
            replicationLag: .seconds(20),
            throttleRate: 0.2,
            retryAfterSeconds: 3,
            serverErrorRate: 0.05
        )
        let harness = try await Harness.start(options)
        defer { Task { await harness.stop() } }
        let result = try await harness.apply(harness.config())
        #expect(result == .verified)
        let inventory = await harness.inventory()
        #expect(inventory.apps == 1 && inventory.scopes == 1 && inventory.assignments == 3 && inventory.secrets == 1)
        let statuses = await harness.recorder.entries.compactMap(\.status)
        #expect(statuses.contains(429), "the simulator throttled and the engine recovered")
    }

    @Test func aLostAddPasswordAnswerLeavesNoOrphanedSecret() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        // The answer to addPassword is lost (the server applied it): the stage re-reads the tenant,
        // removes the secret nobody holds, adds one it holds, and the run goes on.
        let flaky = DropAnswerTransport(base: CurlTransport()) { $0.url.path.hasSuffix("/addPassword") }
        #expect(try await harness.engine(harness.config(), transport: flaky).apply { _ in true } == .verified)
        #expect(flaky.dropped == 1)
        let app = try #require(await harness.tenant.applications().first { $0.displayName == "workable_service" })
        #expect(app.passwordCredentials.count == 1)
        let held = JournalStore(stateDirectory: harness.stateDirectory, config: harness.config()).load()?.credential
        #expect(app.passwordCredentials.first?.keyId == held?.keyID)
        #expect(harness.events.all.contains {
            if case .log(let entry) = $0 { return entry.text.contains("re-reading the tenant before going on") }
            return false
        })
    }

    @Test func answersLostEveryTimeStopTheRunAndTheNextLeavesNoOrphan() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        // Every addPassword answer is lost: after three re-reads the run stops, resumable.
        let flaky = DropAnswerTransport(base: CurlTransport(), limit: .max) { $0.url.path.hasSuffix("/addPassword") }
        await #expect(throws: EngineError.self) {
            try await harness.engine(harness.config(), transport: flaky).apply { _ in true }
        }
        let orphaned = await harness.tenant.applications().first { $0.displayName == "workable_service" }
        #expect(orphaned?.passwordCredentials.count == 1, "earlier orphans were removed on the way")
        // The next run finds the orphan (nobody holds its secret), removes it, and adds one it holds.
        #expect(try await harness.apply(harness.config()) == .verified)
        let app = try #require(await harness.tenant.applications().first { $0.displayName == "workable_service" })
        #expect(app.passwordCredentials.count == 1)
        #expect(app.passwordCredentials.first?.keyId != orphaned?.passwordCredentials.first?.keyId)
    }

    @Test func theJournalHoldsNoSecretAndIsPrivate() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let secret = try #require(harness.events.handOff?.first { $0.isSecret }?.value)
        let store = JournalStore(stateDirectory: harness.stateDirectory, config: harness.config())
        let journal = try String(contentsOf: store.journalURL, encoding: .utf8)
        #expect(!journal.contains(secret))
        #expect(PrivateFiles.permissions(of: store.journalURL) == 0o600)
        let held = try #require(store.load()?.credential)
        #expect(PrivateFiles.permissions(of: URL(fileURLWithPath: held.path)) == 0o600)
        for event in harness.events.all {
            if case .log(let entry) = event {
                #expect(!entry.text.contains(secret))
                #expect(!(entry.powershell ?? "").contains(secret))
            }
        }
    }
}

actor ConfirmCounter {
    private(set) var count = 0
    func hit() -> Bool {
        count += 1
        return true
    }
}

/// Passes requests through, but loses the answers of the first `limit` that match (as a dropped
/// connection after the server applied the request would).
final class DropAnswerTransport: HTTPTransport, @unchecked Sendable {
    private let base: any HTTPTransport
    private let matches: @Sendable (HTTPRequest) -> Bool
    private let lock = NSLock()
    private let limit: Int
    private var droppedCount = 0

    /// How many answers were lost.
    var dropped: Int { lock.withLock { droppedCount } }

    init(base: any HTTPTransport, limit: Int = 1, matches: @escaping @Sendable (HTTPRequest) -> Bool) {
        self.base = base
        self.limit = limit
        self.matches = matches
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await base.send(request)
        let drop = lock.withLock { () -> Bool in
            guard droppedCount < limit, matches(request) else { return false }
            droppedCount += 1
            return true
        }
        if drop { throw TransportError.connectionFailed("connection reset after the request was sent") }
        return response
    }
}
