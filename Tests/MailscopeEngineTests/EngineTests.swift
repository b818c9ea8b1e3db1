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

@Suite("Unattended sign-in and certificate credentials", .serialized)
struct UnattendedTests {
    @Test func clientSecretSignInRunsEveryStage() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let automation = try await harness.tenant.registerAutomationApp(
            graphPermissions: [
                "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "Directory.Read.All",
                "Group.ReadWrite.All",
                "User.Read.All", "RoleManagement.ReadWrite.Exchange",
            ],
            directoryRoles: ["Exchange Administrator"]
        )
        let config = harness.config { config in
            config.signIn = .clientSecret
            config.clientID = automation.appID
            config.adminSecret = .environmentVariable("AUTOMATION_SECRET")
        }
        let environment = EngineEnvironment(
            transport: ContractCheckingTransport(
                TracingTransport(CurlTransport(), recorder: harness.recorder, clock: harness.clock),
                endpoints: harness.endpoints),
            clock: harness.clock,
            stateDirectory: harness.stateDirectory,
            variables: ["AUTOMATION_SECRET": automation.clientSecret]
        )
        let engine = try SetupEngine(config: config, environment: environment) { harness.events.append($0) }
        #expect(try await engine.apply { _ in true } == .verified)
        let tenant = await engine.signedInTenant
        #expect(tenant?.signedInAs.contains(automation.appID) == true)
    }

    @Test func aMissingSecretVariableIsAClearSignInError() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { config in
            config.signIn = .clientSecret
            config.clientID = "11111111-2222-3333-4444-555555555555"
            config.adminSecret = .environmentVariable("NOT_SET_ANYWHERE")
        }
        do {
            _ = try await harness.engine(config).check()
            Issue.record("expected a sign-in error")
        } catch let error as EngineError {
            #expect(error.stage == .signIn)
            #expect(error.message.contains("NOT_SET_ANYWHERE"))
        }
        #expect(await harness.recorder.count == 0)
    }

    @Test func aCertificateCredentialSignsTheAppsOwnCalls() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.credential = .certificate }
        #expect(try await harness.apply(config) == .verified)
        let app = try #require(await harness.tenant.applications().first { $0.displayName == "workable_service" })
        #expect(app.keyCredentials.count == 1)
        #expect(app.passwordCredentials.isEmpty)
        let store = JournalStore(stateDirectory: harness.stateDirectory, config: config)
        let held = try #require(store.load()?.credential)
        #expect(held.kind == .certificate)
        #expect(PrivateFiles.permissions(of: URL(fileURLWithPath: held.path)) == 0o600)
        // The connect stage proved access with a client assertion signed by that key.
        let reports = try await harness.engine(config).check()
        #expect(reports.report(.connect)?.status == .verified)
        #expect(harness.events.handOff?.contains { $0.label == "Certificate thumbprint" } == true)
    }
}

@Suite("Least privilege", .serialized)
struct LeastPrivilegeTests {
    @Test func anUnscopedAssignmentIsFoundAndRemoved() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let sp = try #require(
            await harness.tenant.exchangeServicePrincipals().first { $0.displayName == "workable_service" }
        )
        // Someone assigns a role with no scope: the app now reaches every mailbox.
        let automation = try await harness.tenant.registerAutomationApp(graphPermissions: [
            "RoleManagement.ReadWrite.Exchange"
        ])
        let token = try await clientCredentialsToken(harness, appID: automation.appID, secret: automation.clientSecret)
        var request = HTTPRequest(
            method: "GET",
            url: URL(
                string:
                    "\(harness.endpoints.graph.absoluteString)/beta/roleManagement/exchange/roleDefinitions?$filter=displayName%20eq%20'Application%20Mail.Read'"
            )!
        )
        request.setHeader("Authorization", "Bearer \(token)")
        let definitions = try JSONValue.parse(try await CurlTransport().send(request).body)
        let definition = try #require(definitions["value"].array?.first?["id"].string)
        var post = HTTPRequest(
            method: "POST",
            url: URL(string: "\(harness.endpoints.graph.absoluteString)/beta/roleManagement/exchange/roleAssignments")!,
            body: JSONValue.object([
                "roleDefinitionId": .string(definition), "principalId": .string("/ServicePrincipals/\(sp.objectId)"),
                "directoryScopeId": "/",
            ]).encoded()
        )
        post.setHeader("Authorization", "Bearer \(token)")
        post.setHeader("Content-Type", "application/json")
        #expect(try await CurlTransport().send(post).status == 201)

        let reports = try await harness.engine(harness.config()).check()
        #expect(reports.report(.scope)?.status == .needsChange)
        #expect(
            reports.report(.scope)?.changes.contains {
                $0.summary.contains("unscoped assignment of Application Mail.Read")
            } == true
        )
        #expect(try await harness.apply(harness.config()) == .verified)
        #expect(await harness.tenant.roleAssignments().allSatisfy { $0.customResourceScope != nil })
    }

    private func clientCredentialsToken(_ harness: Harness, appID: String, secret: String) async throws -> String {
        var form = HTTPRequest(
            method: "POST",
            url: URL(
                string: "\(harness.endpoints.login.absoluteString)/\(SimulatedTenant.tenantID)/oauth2/v2.0/token"
            )!,
            body: Data(
                "grant_type=client_credentials&client_id=\(appID)&client_secret=\(secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&scope=\(harness.endpoints.graph.absoluteString)/.default"
                    .utf8
            )
        )
        form.setHeader("Content-Type", "application/x-www-form-urlencoded")
        return try JSONValue.parse(try await CurlTransport().send(form).body)["access_token"].string ?? ""
    }
}

@Suite("Run lock")
struct RunLockTests {
    @Test func aSecondRunOnTheSameSetupIsRefusedWhileOneHoldsTheLock() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config()
        let store = JournalStore(stateDirectory: harness.stateDirectory, config: config)
        let held = try #require(try FileLock(exclusive: store.directory.appendingPathComponent("run.lock")))
        do {
            _ = try await harness.engine(config).check()
            Issue.record("expected the run to be refused")
        } catch let error as EngineError {
            #expect(error.message.contains("another mailscope run"))
        }
        #expect(await harness.recorder.count == 0)
        held.release()
        #expect(try await harness.engine(config).check().count == 6)
    }
}

@Suite("Group kinds and credential rotation", .serialized)
struct GroupKindTests {
    @Test(arguments: [MailscopeEngine.GroupKind.microsoft365, .mailEnabledSecurity])
    func otherGroupKindsAreCreatedAndVerified(_ kind: MailscopeEngine.GroupKind) async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { config in
            config.groupKind = kind
            config.groupName = "Integration Users"
            config.groupAlias = "integrationusers"
        }
        #expect(try await harness.apply(config) == .verified)
        let group = try #require(await harness.tenant.group("integrationusers"))
        #expect(group.recipientTypeDetails == (kind == .microsoft365 ? "GroupMailbox" : "MailUniversalSecurityGroup"))
        let reports = try await harness.engine(config).check()
        #expect(reports.allSatisfy { $0.status == .verified }, "\(reports.map { "\($0.stage): \($0.detail)" })")
        let before = await harness.inventory()
        #expect(try await harness.apply(config) == .verified)
        #expect(await harness.inventory() == before)
    }

    @Test func aSecondCertificateKeepsTheFirst() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.credential = .certificate }
        #expect(try await harness.apply(config) == .verified)
        // The held key file disappears (another machine, a wiped state directory): a new
        // certificate is added next to the first, which another integration may still use.
        let store = JournalStore(stateDirectory: harness.stateDirectory, config: config)
        let first = try #require(store.load()?.credential)
        try FileManager.default.removeItem(atPath: first.path)
        #expect(try await harness.apply(config) == .verified)
        let app = try #require(await harness.tenant.applications().first { $0.displayName == "workable_service" })
        #expect(app.keyCredentials.count == 2)
        #expect(app.keyCredentials.contains { $0.keyId == first.keyID })
        let second = try #require(store.load()?.credential)
        #expect(second.keyID != first.keyID)
        #expect(FileManager.default.fileExists(atPath: second.path))
    }
}

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

@Suite("Service-account mailbox user", .serialized)
struct MailboxUserTests {
    @Test func aLicensedMailboxUserIsCreatedOnceAndItsPasswordShownOnce() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { config in
            config.mailboxUser = "workable_service@contoso.com"
            config.usageLocation = "US"
        }
        #expect(try await harness.apply(config) == .verified)
        let user = try #require(await harness.tenant.user("workable_service@contoso.com"))
        #expect(user.recipientTypeDetails == "UserMailbox")
        #expect(user.assignedLicenses == ["4b9405b0-7788-4568-add1-99614e613b69"])
        let handOff = try #require(harness.events.handOff)
        let password = try #require(handOff.first { $0.label.hasPrefix("Mailbox password (shown once)") }?.value)
        let journal = try String(
            contentsOf: JournalStore(stateDirectory: harness.stateDirectory, config: config).journalURL, encoding: .utf8)
        #expect(!journal.contains(password))
        // A second run changes nothing and shows no password.
        let users = await harness.tenant.users().count
        #expect(try await harness.apply(config) == .verified)
        #expect(await harness.tenant.users().count == users)
        #expect(harness.events.handOff?.contains { $0.label.hasPrefix("Mailbox password (shown once)") } == false)
    }

    @Test func aLicenceWithoutUsageLocationIsAClearError() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.mailboxUser = "workable_service@contoso.com" }
        do {
            _ = try await harness.apply(config)
            Issue.record("expected an error")
        } catch let error as EngineError {
            #expect(error.stage == .serviceAccount)
            #expect(error.fix.contains("service_account.usage_location"))
        }
    }
}

@Suite("check flags what voids or endangers the scope", .serialized)
struct CheckFlagTests {
    @Test func anExclusiveScopeFailsAndANestedGroupIsNamed() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        try await harness.tenant.markScopeExclusive(name: "WorkableUsersScope")
        try await harness.tenant.addGroupMember(group: "WorkableUsers", member: "Meeting Rooms")

        let reports = try await harness.engine(harness.config()).check()
        let scope = try #require(reports.report(.scope))
        #expect(scope.status == .failed)
        #expect(scope.detail.contains("exclusive"))
        #expect(scope.fix?.contains("Remove-ManagementScope") == true)
        #expect(scope.steps.contains { $0.name == "exclusive scope" && $0.status == .failed })
        let group = try #require(reports.report(.distributionGroup))
        #expect(group.warnings.contains { $0.contains("contains the group") && $0.contains("NOT in scope") })
        // apply cannot repair an exclusive scope: it stops before its first write, with the scope named.
        let writes = harness.events.writes.count
        await #expect(throws: EngineError.self) { try await harness.apply(harness.config()) }
        #expect(harness.events.writes.count == writes)
    }

    @Test func aCredentialExpiringSoonWarnsAndAnExpiredOneFailsUntilApplyReplacesIt() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let appID = try #require(await harness.tenant.applications().first { $0.displayName == "workable_service" }?.appId)

        // Another secret of the app, ending in 10 days: a warning; the stage still holds.
        try await harness.tenant.addExpiringSecret(
            appID: appID, displayName: "portal secret", end: harness.clock.now.addingTimeInterval(10 * 86_400))
        var reports = try await harness.engine(harness.config()).check()
        var account = try #require(reports.report(.serviceAccount))
        #expect(account.status == .verified)
        #expect(account.warnings.contains { $0.contains("credential portal secret expires on") })

        // Every credential ended yesterday: the held one can no longer sign in.
        try await harness.tenant.setCredentialsEnd(appID: appID, end: harness.clock.now.addingTimeInterval(-86_400))
        reports = try await harness.engine(harness.config()).check()
        account = try #require(reports.report(.serviceAccount))
        #expect(account.status == .failed)
        #expect(account.steps.contains { $0.name == "credential" && $0.status == .failed && $0.detail.contains("expired") })
        #expect(account.fix?.contains("new credential") == true)

        // apply adds a new credential and the stage holds again.
        #expect(try await harness.apply(harness.config()) == .verified)
        reports = try await harness.engine(harness.config()).check()
        #expect(reports.report(.serviceAccount)?.status == .verified)
    }
}

@Suite("Simulator hold points and inventory", .serialized)
struct SurvivalSimulatorTests {
    @Test func theNthWriteIsAppliedAndItsAnswerHeld() async throws {
        let harness = try await Harness.start(SimulatorOptions(propagationDelay: .seconds(60), deviceCodeApprovalPolls: 1, hold: HoldPoints(afterWrite: 1)))
        defer { Task { await harness.stop() } }
        let engine = try harness.engine(harness.config())
        let run = Task { try await engine.apply { _ in true } }
        var held: String?
        for _ in 0..<400 {
            held = await harness.server.heldRequest
            if held != nil { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        run.cancel()
        #expect(held?.contains("applications(uniqueName=") == true)
        // Applied, though never answered: the app exists.
        #expect(await harness.tenant.applications().contains { $0.displayName == "workable_service" })
        let inventory = await harness.tenant.inventory()
        #expect(inventory["applications"].array?.contains { $0["name"].string == "workable_service" } == true)
    }
}
