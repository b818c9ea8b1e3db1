import EWSSchemaCheck
import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

/// Passes every request on, checking each SOAP request to EWS against Microsoft's EWS schema.
final class SchemaCheckingTransport: HTTPTransport, @unchecked Sendable {
    let inner: any HTTPTransport
    private let lock = NSLock()
    private var checked = 0
    private var found: [String] = []

    init(_ inner: any HTTPTransport) { self.inner = inner }

    var requestsChecked: Int { lock.withLock { checked } }
    var problems: [String] { lock.withLock { found } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if request.url.path.lowercased().hasSuffix("/ews/exchange.asmx"), let body = request.body {
            let problems = EWSSchema.shared.problems(in: String(decoding: body, as: UTF8.self))
            lock.withLock {
                checked += 1
                found += problems
            }
        }
        return try await inner.send(request)
    }
}

/// A shell that records the steps it is handed and passes them to the simulator's shell.
final class RecordingShell: ManagementShell, @unchecked Sendable {
    let inner: any ManagementShell
    private let lock = NSLock()
    private var seen: [ShellStep] = []

    init(_ inner: any ManagementShell) { self.inner = inner }

    var steps: [ShellStep] { lock.withLock { seen } }

    func run(_ step: ShellStep, password: Secret?) async throws -> ShellStepOutcome {
        lock.withLock { seen.append(step) }
        return try await inner.run(step, password: password)
    }
}

@Suite("Exchange Server target against the simulated server", .serialized)
struct ServerEngineTests {
    static let password = "Corr3ct-Horse-Battery!"
    static let members = [
        "avery.adams@contoso.com", "blake.adams@contoso.com", "casey.adams@contoso.com", "room-alder@contoso.com",
    ]

    struct Setup {
        let harness: Harness
        let transport: SchemaCheckingTransport
        let shell: RecordingShell

        func config(_ scheme: HTTPAuthentication.Scheme = .ntlm, _ edit: (inout SetupConfig) -> Void = { _ in })
            -> SetupConfig
        {
            var config = SetupConfig(preset: Preset.named("workable")!, tenant: "")
            config.target = .exchangeServer
            let base = harness.endpoints.base.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            config.ewsURL = base + "/EWS/Exchange.asmx"
            config.ewsAuthentication = scheme
            config.serviceAccountAddress = "svc-booking@contoso.com"
            config.serviceAccountLogon = scheme == .ntlm ? "CONTOSO\\svc-booking" : "svc-booking@contoso.com"
            config.servicePassword = .environmentVariable("SVC_PASSWORD")
            config.members = ServerEngineTests.members
            config.outOfScopeMailbox = "dana.adams@contoso.com"
            edit(&config)
            return config
        }

        func engine(_ config: SetupConfig, shell: (any ManagementShell)? = nil) throws -> SetupEngine {
            let environment = EngineEnvironment(
                transport: ContractCheckingTransport(
                    TracingTransport(transport, recorder: harness.recorder, clock: harness.clock), endpoints: harness.endpoints),
                clock: harness.clock,
                stateDirectory: harness.stateDirectory,
                variables: ["SVC_PASSWORD": ServerEngineTests.password],
                shell: shell ?? self.shell
            )
            return try SetupEngine(config: config, environment: environment) { event in harness.events.append(event) }
        }

        /// Runs `script` in the simulated Exchange Management Shell, as an admin at the server would.
        func runInShell(_ script: String) async throws {
            let step = ShellStep(id: "test", stage: .scope, summary: "test", command: script)
            let outcome = try await SimulatedShell(url: shellURL, transport: CurlTransport()).run(step, password: nil)
            guard case .ran = outcome else { throw TestFailure(message: "shell: \(outcome)") }
        }

        var shellURL: URL {
            URL(string: harness.endpoints.base.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/_sim/ems")!
        }
    }

    struct TestFailure: Error { var message: String }

    static func start() async throws -> Setup {
        let harness = try await Harness.start()
        let transport = SchemaCheckingTransport(CurlTransport())
        let base = harness.endpoints.base.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let shell = RecordingShell(SimulatedShell(url: URL(string: base + "/_sim/ems")!, transport: CurlTransport()))
        return Setup(harness: harness, transport: transport, shell: shell)
    }

    @Test(arguments: [HTTPAuthentication.Scheme.ntlm, .basic])
    func applyRunsEveryStepProvesItOverEWSAndASecondRunChangesNothing(_ scheme: HTTPAuthentication.Scheme) async throws {
        let setup = try await Self.start()
        defer { Task { await setup.harness.stop() } }
        let config = setup.config(scheme)
        let start = setup.harness.clock.now
        let result = try await setup.engine(config).apply { _ in true }
        #expect(result == .verified)
        // The role took an hour on the simulated server: the wait polled through it on the test clock.
        #expect(setup.harness.clock.now.timeIntervalSince(start) >= 3600)
        #expect(setup.shell.steps.map(\.id) == ["create-mailbox", "create-group", "assign-impersonation"])
        let roleStep = try #require(setup.shell.steps.last)
        #expect(roleStep.warning?.contains("2 hours") == true)

        let reports = try await setup.engine(config).check()
        for report in reports { #expect(report.status == .verified, "\(report.stage): \(report.detail)") }
        #expect(reports.report(.connect)?.evidence.contains { $0.contains("dana.adams@contoso.com") && $0.contains("ErrorImpersonateUserDenied") } == true)

        // A second apply hands over no step.
        let before = setup.shell.steps.count
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        #expect(setup.shell.steps.count == before)

        // Every SOAP request sent was valid against Microsoft's EWS schema.
        #expect(setup.transport.requestsChecked > 10)
        #expect(setup.transport.problems == [])
        // The password never reached the trace.
        #expect(!String(describing: await setup.harness.recorder.entries).contains(Self.password))
    }

    @Test func checkNamesTheCauseWhenTheAccountLosesTheRole() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.harness.stop() } }
        let config = setup.config()
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        try await setup.runInShell(
            "Remove-ManagementRoleAssignment -Identity '\(config.impersonationAssignmentName)' -Confirm:$false")
        try await setup.harness.clock.sleep(for: .seconds(3 * 3600))
        let reports = try await setup.engine(config).check()
        let role = try #require(reports.report(.impersonationRole))
        #expect(role.status == .needsChange)
        #expect(role.detail.contains("ErrorImpersonationDenied"))
        #expect(reports.report(.connect)?.status == .failed)
        #expect(reports.report(.connect)?.detail.contains("no ApplicationImpersonation role") == true)
    }

    @Test func checkNamesTheCauseWhenTheScopeChanges() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.harness.stop() } }
        let config = setup.config()
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        try await setup.runInShell(
            "Set-ManagementScope -Identity '\(config.scopeName)' -RecipientRestrictionFilter \"RecipientTypeDetails -eq 'RoomMailbox'\"")
        try await setup.harness.clock.sleep(for: .seconds(3 * 3600))
        let reports = try await setup.engine(config).check()
        let scope = try #require(reports.report(.scope))
        #expect(scope.status == .needsChange)
        #expect(scope.detail.contains("does not cover avery.adams@contoso.com"))
        #expect(scope.changes.first?.powershell.contains("Set-ManagementScope") == true)

        // apply repairs it with one step, and the wait proves it.
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        #expect(setup.shell.steps.last?.id == "repair-scope")
    }

    @Test func aWiderScopeIsCaughtByTheOutOfScopeProbe() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.harness.stop() } }
        let config = setup.config()
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        try await setup.runInShell(
            "New-ManagementRoleAssignment -Name 'Helpdesk shortcut' -Role ApplicationImpersonation -User 'svc-booking@contoso.com'")
        try await setup.harness.clock.sleep(for: .seconds(3 * 3600))
        let reports = try await setup.engine(config).check()
        #expect(reports.report(.scope)?.status == .needsChange)
        #expect(reports.report(.scope)?.detail.contains("OUTSIDE the scope") == true)
        #expect(reports.report(.connect)?.detail.contains("dana.adams@contoso.com") == true)
    }

    @Test func anAliasIsNamedWithItsPrimaryAddress() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.harness.stop() } }
        #expect(try await setup.engine(setup.config()).apply { _ in true } == .verified)
        // blake.adams@contoso.com also answers to badams@contoso.com.
        let aliased = setup.config { $0.inScopeMailbox = "badams@contoso.com" }
        let reports = try await setup.engine(aliased).check()
        let connect = try #require(reports.report(.connect))
        #expect(connect.status == .failed)
        #expect(connect.detail.contains("'badams@contoso.com' is an alias of 'blake.adams@contoso.com'"))
        // In the group the alias is resolved to its primary address, named, and used (issue 12).
        let inGroup = setup.config { $0.members[1] = "badams@contoso.com" }
        let group = try #require(try await setup.engine(inGroup).check().report(.distributionGroup))
        #expect(group.status == .verified)
        #expect(group.warnings.contains { $0.contains("'badams@contoso.com' is an alias of 'blake.adams@contoso.com': the primary address is used") })
    }

    @Test func membersAreResolvedBeforeTheGroupStepIsHandedOver() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.harness.stop() } }
        // An alias, a case variant of it, a nested group and two mailboxes: the admin's command gets
        // each mailbox once, by its primary address, and no group.
        let config = setup.config {
            $0.members = [
                "avery.adams@contoso.com", "badams@contoso.com", "BLAKE.ADAMS@contoso.com", "allstaff@contoso.com",
                "room-alder@contoso.com",
            ]
        }
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        let step = try #require(setup.shell.steps.first { $0.id.contains("group") })
        #expect(step.command.contains("'blake.adams@contoso.com'"))
        #expect(!step.command.lowercased().contains("badams@"))
        #expect(step.command.lowercased().components(separatedBy: "blake.adams@contoso.com").count == 2)
        #expect(!step.command.lowercased().contains("allstaff"))
        let group = try await setup.harness.tenant.memberAddresses(ofGroup: config.effectiveGroupAddress)
        #expect(Set(group.map { $0.lowercased() }) == ["avery.adams@contoso.com", "blake.adams@contoso.com", "room-alder@contoso.com"])
    }

    /// The preflight only learns that EWS answers: while EWS refuses the service account (it does
    /// not exist yet), the sign-in stage is not "verified" beside "EWS refuses"; once it signs in, it is.
    @Test func theSignInStageIsVerifiedOnlyOnceEWSAcceptsTheServiceAccount() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.harness.stop() } }
        let reports = try await setup.engine(setup.config()).check()
        let account = try #require(reports.report(.serviceAccount))
        #expect(account.status == .needsChange)
        #expect(account.detail.contains("EWS refuses"))
        let signIn = try #require(reports.report(.signIn))
        #expect(signIn.status == .notVerified, "\(signIn.detail)")
        #expect(signIn.detail.contains("refuses CONTOSO\\svc-booking"))
        let signInEvents = setup.harness.events.all.compactMap { event -> StageReport? in
            if case .stage(let report) = event, report.stage == .signIn { return report } else { return nil }
        }
        #expect(signInEvents.last?.status == .notVerified)

        #expect(try await setup.engine(setup.config()).apply { _ in true } == .verified)
        let after = try await setup.engine(setup.config()).check()
        #expect(after.report(.signIn)?.status == .verified)
        #expect(after.report(.signIn)?.detail.contains("accepts CONTOSO\\svc-booking") == true)
    }

    @Test func withNoOneAtTheShellApplyStopsAtTheFirstStepAndSaysSo() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.harness.stop() } }
        let result = try await setup.engine(setup.config(), shell: UnattendedShell()).apply { _ in true }
        guard case .drift(let stages) = result else {
            Issue.record("expected drift, got \(result)")
            return
        }
        #expect(stages.contains(.serviceAccount))
        let journal = await (try setup.engine(setup.config())).currentJournal
        #expect(journal.pendingWrite == nil)
        #expect(journal.reports.report(.serviceAccount)?.detail.contains("waiting for the Exchange Management Shell") == true)
    }

    @Test func aWrongPasswordOrSchemeIsAClearError() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.harness.stop() } }
        #expect(try await setup.engine(setup.config()).apply { _ in true } == .verified)
        // The server has the account; mailscope holds another password.
        let environment = EngineEnvironment(
            transport: ContractCheckingTransport(CurlTransport(), endpoints: setup.harness.endpoints), clock: setup.harness.clock, stateDirectory: setup.harness.stateDirectory,
            variables: ["SVC_PASSWORD": "wrong"], shell: UnattendedShell())
        let engine = try SetupEngine(config: setup.config(), environment: environment) { _ in }
        let reports = try await engine.check()
        #expect(reports.report(.serviceAccount)?.status == .needsChange)
        #expect(reports.report(.serviceAccount)?.detail.contains("password") == true)
    }
}
