import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

/// The engine read against Microsoft's documented contracts (issue 10 of the contract audit): each
/// test fails on the behaviour the audit found and passes now.
@Suite("Contract fidelity against the simulated tenant", .serialized)
struct ContractFidelityTests {
    // MARK: Test-ServicePrincipalAuthorization

    @Test func inScopeIsReadInTheDocumentedStringForm() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let connect = try #require(try await harness.engine(harness.config()).check().report(.connect))
        #expect(connect.status == .verified, "\(connect.detail)")
        let lines = connect.evidence.filter { $0.hasPrefix("Test-ServicePrincipalAuthorization") }
        #expect(lines.contains { $0.contains("InScope=True") }, "\(lines)")
        #expect(lines.contains { $0.hasSuffix("→ out of scope") }, "\(lines)")
    }

    @Test func anUndocumentedInScopeGivesNoVerdictAndShowsTheRawValue() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        for (value, shown) in [("Not Run", "\"Not Run\""), ("maybe", "\"maybe\"")] {
            let transport = RewritingTransport(base: CurlTransport()) { request, body in
                guard request.headers.contains(where: { $0.value == "Test-ServicePrincipalAuthorization" }) else {
                    return body
                }
                return body.replacingOccurrences(of: "\"InScope\":\"True\"", with: "\"InScope\":\"\(value)\"")
                    .replacingOccurrences(of: "\"InScope\":\"False\"", with: "\"InScope\":\"\(value)\"")
            }
            let connect = try #require(
                try await harness.engine(harness.config(), transport: transport).check().report(.connect))
            #expect(connect.status != .verified && connect.status != .failed, "\(connect.status): \(connect.detail)")
            let configured = try #require(connect.steps.first { $0.name == "configured: in-scope mailbox" })
            #expect(configured.status != .failed, "no verdict is not a denial")
            #expect(connect.evidence.contains { $0.contains("InScope=\(shown) (no verdict)") }, "\(connect.evidence)")
        }
    }

    // MARK: The admin's directory roles

    @Test func theAdminsRolesAreReadWithTheAdvancedQueryHeaders() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let reports = try await harness.engine(harness.config()).check()
        let signIn = try #require(reports.report(.signIn))
        #expect(signIn.status == .verified, "\(signIn.detail)")
        #expect(signIn.evidence.contains("directory roles: Global Administrator"), "\(signIn.evidence)")
    }

    @Test func aMissingAdminRoleSaysThatEligibleRolesMustBeActivated() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        await harness.tenant.setAdminRoles(["Exchange Administrator"])
        let error = await #expect(throws: EngineError.self) { try await harness.engine(harness.config()).check() }
        #expect(error?.stage == .signIn)
        #expect(error?.fix.contains("Privileged Identity Management") == true, "\(error?.fix ?? "")")
        #expect(error?.fix.contains("activate it in PIM, then run again") == true)
    }

    // MARK: A cmdlet refused for a missing Exchange role

    @Test func aRefusedCmdletStopsAndNamesTheMissingExchangeRole() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        await harness.tenant.setAdminExchangeRoleGroups(["Recipient Management"])
        let error = await #expect(throws: EngineError.self) { try await harness.apply(harness.config()) }
        #expect(error?.message.contains("User is not allowed to call") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("token refused twice") == false)
        #expect(error?.transient == false)
        #expect(error?.fix.contains("Organization Management") == true, "\(error?.fix ?? "")")
        #expect(error?.fix.contains("Get-ManagementRole -Cmdlet") == true)
        #expect(error?.fix.contains("not an expired token") == true)
    }

    // MARK: A creating POST answered 503 after it was applied

    @Test func aSecretAnswered503AfterItWasAddedIsNotAddedTwice() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let transport = BusyAfterApplyingTransport(base: CurlTransport()) {
            $0.method == "POST" && $0.url.path.hasSuffix("/addPassword")
        }
        let engine = try harness.engine(harness.config(), transport: transport)
        #expect(try await engine.apply { _ in true } == .verified)
        #expect(transport.busied == 1)
        let app = try #require(await harness.tenant.applications().first { $0.displayName == "workable_service" })
        // The secret whose answer was lost is removed, the one mailscope holds is the only one.
        #expect(app.passwordCredentials.count == 1, "\(app.passwordCredentials.map(\.keyId))")
        #expect(await harness.inventory().secrets == 1)
    }

    // MARK: Get-* answers are checked to be the object asked for

    @Test func aGetThatListsEveryObjectIsNotTakenForTheOneAskedFor() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        // Another app registered in Exchange, listed before mailscope's own.
        await harness.tenant.addExchangeServicePrincipal(
            appID: "0b0e0b0e-0000-4000-8000-000000000001", objectID: "0b0e0b0e-0000-4000-8000-000000000002",
            displayName: "Another app")
        // Exchange answering as with a $null identity: every object.
        let transport = RequestRewritingTransport(base: CurlTransport()) { request in
            let cmdlet = request.headers.first { $0.name == "X-CmdletName" }?.value ?? ""
            guard ["Get-ServicePrincipal", "Get-DistributionGroup"].contains(cmdlet), let body = request.body,
                case .object(var root)? = try? JSONValue.parse(body), case .object(var input)? = root["CmdletInput"],
                case .object(var parameters)? = input["Parameters"]
            else { return request }
            parameters["Identity"] = .null
            input["Parameters"] = .object(parameters)
            root["CmdletInput"] = .object(input)
            var rewritten = request
            rewritten.body = JSONValue.object(root).encoded()
            return rewritten
        }
        let engine = try harness.engine(harness.config(), transport: transport)
        #expect(try await engine.apply { _ in true } == .verified)
        let appID = try #require(
            await harness.tenant.applications().first { $0.displayName == "workable_service" }?.appId)
        #expect(await harness.tenant.exchangeServicePrincipals().contains { $0.appId == appID })
        let group = try #require(await harness.tenant.group("WorkableUsers"))
        let scope = try #require(await harness.tenant.managementScopes().first { $0.name == "WorkableUsersScope" })
        #expect(scope.recipientFilter.contains(group.distinguishedName ?? "?"), "\(scope.recipientFilter)")
    }

    // MARK: Exposure is reported at once

    @Test func aMailboxOutsideTheScopeThatAnswersIsAnExposureAtOnceWithItsCause() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let appID = try #require(
            await harness.tenant.applications().first { $0.displayName == "workable_service" }?.appId)
        // A tenant-wide grant made outside mailscope, minutes after its change: the app reaches every
        // mailbox now. Test-ServicePrincipalAuthorization does not see Entra grants.
        _ = try await harness.tenant.grantTenantWide(appID: appID, permission: "Calendars.ReadWrite")
        let connect = try #require(try await harness.engine(harness.config()).check().report(.connect))
        #expect(connect.status == .failed, "\(connect.status): \(connect.detail)")
        #expect(connect.detail.hasPrefix("EXPOSED"), "\(connect.detail)")
        #expect(connect.detail.contains("tenant-wide Entra grant of Calendars.ReadWrite"), "\(connect.detail)")
        #expect(connect.fix?.contains("run apply") == true)
    }

    // MARK: A Microsoft 365 group is created with an owner

    @Test func aMicrosoft365GroupCreatedAppOnlyIsOwnedByTheAppNotAnonymous() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let automation = try await harness.tenant.registerAutomationApp(
            graphPermissions: [
                "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "Directory.Read.All",
                "Group.ReadWrite.All", "User.Read.All", "RoleManagement.ReadWrite.Exchange",
            ])
        let config = harness.config { config in
            config.signIn = .clientSecret
            config.clientID = automation.appID
            config.adminSecret = .environmentVariable("AUTOMATION_SECRET")
            config.groupKind = .microsoft365
            config.groupName = "Integration Users"
            config.groupAlias = "integrationusers"
        }
        let environment = EngineEnvironment(
            transport: ContractCheckingTransport(
                TracingTransport(CurlTransport(), recorder: harness.recorder, clock: harness.clock),
                endpoints: harness.endpoints),
            clock: harness.clock, stateDirectory: harness.stateDirectory,
            variables: ["AUTOMATION_SECRET": automation.clientSecret])
        let engine = try SetupEngine(config: config, environment: environment) { harness.events.append($0) }
        #expect(try await engine.apply { _ in true } == .verified)
        let group = try #require(await harness.tenant.group("integrationusers"))
        #expect(group.owners == [automation.servicePrincipalID.lowercased()])
    }

    @Test func aMicrosoft365GroupCreatedByTheAdminIsOwnedByTheAdmin() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { config in
            config.groupKind = .microsoft365
            config.groupName = "Integration Users"
            config.groupAlias = "integrationusers"
        }
        #expect(try await harness.apply(config) == .verified)
        let group = try #require(await harness.tenant.group("integrationusers"))
        let admin = try #require(await harness.tenant.users().first { $0.userPrincipalName.hasPrefix("admin@") })
        #expect(group.owners == [admin.id])
    }
}

/// Passes requests through after rewriting each with `rewrite`.
final class RequestRewritingTransport: HTTPTransport, @unchecked Sendable {
    private let base: any HTTPTransport
    private let rewrite: @Sendable (HTTPRequest) -> HTTPRequest

    init(base: any HTTPTransport, rewrite: @escaping @Sendable (HTTPRequest) -> HTTPRequest) {
        self.base = base
        self.rewrite = rewrite
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse { try await base.send(rewrite(request)) }
}

/// Passes requests through; the first answer to a request that `matches` becomes a 503 (the
/// service applied the request, then failed before answering).
final class BusyAfterApplyingTransport: HTTPTransport, @unchecked Sendable {
    private let base: any HTTPTransport
    private let matches: @Sendable (HTTPRequest) -> Bool
    private let lock = NSLock()
    private var count = 0

    /// How many answers were replaced.
    var busied: Int { lock.withLock { count } }

    init(base: any HTTPTransport, matches: @escaping @Sendable (HTTPRequest) -> Bool) {
        self.base = base
        self.matches = matches
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await base.send(request)
        let busy = lock.withLock { () -> Bool in
            guard count == 0, matches(request) else { return false }
            count += 1
            return true
        }
        guard busy else { return response }
        return HTTPResponse(
            status: 503, headers: ["Content-Type": "application/json", "Retry-After": "1"],
            body: Data(#"{"error":{"code":"serviceNotAvailable","message":"The service is temporarily unavailable."}}"#.utf8))
    }
}

/// Passes requests through and rewrites the text of each answer's body with `rewrite`.
final class RewritingTransport: HTTPTransport, @unchecked Sendable {
    private let base: any HTTPTransport
    private let rewrite: @Sendable (HTTPRequest, String) -> String

    init(base: any HTTPTransport, rewrite: @escaping @Sendable (HTTPRequest, String) -> String) {
        self.base = base
        self.rewrite = rewrite
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var response = try await base.send(request)
        response.body = Data(rewrite(request, response.text).utf8)
        return response
    }
}
