import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import MailscopeTestSupport
import MicrosoftClients
import TenantSimulator
import Testing

/// A simulated tenant served over loopback HTTP, and engines that reach it through the real
/// libcurl transport, all on one immediate clock: a two-hour wait runs in milliseconds.
struct Harness {
    let clock: WallClock
    let tenant: SimulatedTenant
    let server: SimulatorServer
    let endpoints: SimulatorEndpoints
    let stateDirectory: URL
    let recorder = TraceRecorder()
    let events = EventLog()

    static let members = [
        "avery.adams@contoso.com", "badams@contoso.com", "casey.adams@contoso.com", "room-alder@contoso.com",
    ]

    /// - Parameter latencyClock: the clock the server's added latency sleeps on (see `SimulatorFixture`).
    static func start(
        _ options: SimulatorOptions = SimulatorOptions(propagationDelay: .seconds(3600), deviceCodeApprovalPolls: 1),
        latencyClock: WallClock? = nil, clock: WallClock = .immediate()
    ) async throws -> Harness {
        let simulator = try await SimulatorFixture.start(options, clock: clock, latencyClock: latencyClock)
        let state = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mailscope-tests-\(UUID().uuidString)"
        )
        return Harness(
            clock: simulator.clock,
            tenant: simulator.tenant,
            server: simulator.server,
            endpoints: simulator.endpoints,
            stateDirectory: state
        )
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(at: stateDirectory)
    }

    /// A Workable-preset config pointed at the simulator, edited by `edit`.
    func config(_ edit: (inout SetupConfig) -> Void = { _ in }) -> SetupConfig {
        var config = SetupConfig(preset: Preset.named("workable")!, tenant: SimulatedTenant.defaultDomain)
        config.cloud = "custom"
        config.loginURL = endpoints.login.absoluteString
        config.graphURL = endpoints.graph.absoluteString
        config.exchangeURL = endpoints.exchange.absoluteString
        config.members = Self.members
        edit(&config)
        return config
    }

    func engine(
        _ config: SetupConfig, transport: (any HTTPTransport)? = nil, credentials: CredentialChoices = CredentialChoices(),
        stateDirectory: URL? = nil, variables: [String: String] = [:]
    ) throws -> SetupEngine {
        var environment = EngineEnvironment(
            transport: ContractCheckingTransport(
                TracingTransport(transport ?? CurlTransport(), recorder: recorder, clock: clock), endpoints: endpoints),
            clock: clock,
            stateDirectory: stateDirectory ?? self.stateDirectory,
            variables: variables
        )
        environment.credentials = credentials
        return try SetupEngine(config: config, environment: environment) { event in events.append(event) }
    }

    /// Applies `config`, accepting the plan.
    func apply(_ config: SetupConfig) async throws -> RunResult {
        try await engine(config).apply { _ in true }
    }

    /// Counts of what the setup creates, to prove a re-run duplicates nothing.
    func inventory() async -> Inventory {
        let apps = await tenant.applications()
        return Inventory(
            apps: apps.filter { $0.displayName == "workable_service" || $0.displayName.contains("svc") }.count,
            servicePrincipals: await tenant.servicePrincipals().count,
            groups: await tenant.groups().count,
            scopes: await tenant.managementScopes().count,
            assignments: await tenant.roleAssignments().count,
            exchangePointers: await tenant.exchangeServicePrincipals().count,
            secrets: apps.map(\.passwordCredentials.count).reduce(0, +)
        )
    }

    struct Inventory: Equatable {
        var apps: Int
        var servicePrincipals: Int
        var groups: Int
        var scopes: Int
        var assignments: Int
        var exchangePointers: Int
        var secrets: Int
    }
}

/// Collects engine events.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [EngineEvent] = []

    func append(_ event: EngineEvent) { lock.withLock { items.append(event) } }
    var all: [EngineEvent] { lock.withLock { items } }

    var handOff: [HandOffItem]? {
        all.compactMap { if case .handOff(let items) = $0 { return items } else { return nil } }.last
    }
    var writes: [LogEntry] {
        all.compactMap { if case .log(let entry) = $0, entry.level == .write { return entry } else { return nil } }
    }
}

extension Array where Element == StageReport {
    func report(_ stage: StageID) -> StageReport? { first { $0.stage == stage } }
}

/// Keeps every request sent through it (method, URL, headers and body), for tests that check what
/// goes on the wire.
final class CapturingTransport: HTTPTransport, @unchecked Sendable {
    private let base: any HTTPTransport
    private let lock = NSLock()
    private var captured: [HTTPRequest] = []

    init(_ base: any HTTPTransport = CurlTransport()) { self.base = base }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock { captured.append(request) }
        return try await base.send(request)
    }

    var requests: [HTTPRequest] { lock.withLock { captured } }
}

/// Checks every request an engine sends against mailscope's wire contract before it goes out: a
/// request the contract has no row for, or one without the headers or query its row requires, is
/// an issue in the test that sent it (the engine suites all send through here), and the inner
/// requests of a `$batch` are checked like the others.
struct ContractCheckingTransport: HTTPTransport {
    let base: any HTTPTransport
    let endpoints: SimulatorEndpoints

    init(_ base: any HTTPTransport, endpoints: SimulatorEndpoints) {
        self.base = base
        self.endpoints = endpoints
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        for problem in Self.violations(of: request, endpoints: endpoints) {
            Issue.record(Comment(rawValue: "wire contract: " + problem))
        }
        ContractLedger.shared.count(request)
        return try await base.send(request)
    }

    /// The service and path below its base of `url`.
    static func locate(_ url: URL, endpoints: SimulatorEndpoints) -> (WireContract.Service, String)? {
        let text = url.absoluteString.components(separatedBy: "?")[0]
        let bases: [(WireContract.Service, URL)] = [
            (.identity, endpoints.login), (.graph, endpoints.graph), (.exchange, endpoints.exchange), (.ews, endpoints.ews),
        ]
        for (service, base) in bases {
            let prefix = base.absoluteString
            if service == .ews, text == prefix { return (.ews, "/EWS/Exchange.asmx") }
            if text.hasPrefix(prefix + "/") {
                return (service, String(text.dropFirst(prefix.count)).removingPercentEncoding ?? "")
            }
        }
        return nil
    }

    static func violations(of request: HTTPRequest, endpoints: SimulatorEndpoints) -> [String] {
        guard let (service, path) = locate(request.url, endpoints: endpoints) else {
            return ["\(request.method) \(request.url.absoluteString) goes to no Microsoft service"]
        }
        var problems = [WireContract.violation(of: request, service: service, path: path)].compactMap { $0 }
        if service == .graph, path.hasSuffix("/$batch"), let body = try? JSONValue.parse(request.body ?? Data()) {
            let version = path.hasPrefix("/beta/") ? "/beta" : "/v1.0"
            for item in body["requests"].array ?? [] {
                guard let method = item["method"].string, let url = item["url"].string,
                    let inner = URL(string: endpoints.graph.absoluteString + version + url)
                else { continue }
                var innerRequest = HTTPRequest(method: method, url: inner, headers: request.headers)
                innerRequest.body = item["body"] == .null ? nil : Data("{}".utf8)
                if let problem = WireContract.violation(
                    of: innerRequest, service: .graph,
                    path: (version + url.components(separatedBy: "?")[0]).removingPercentEncoding ?? "")
                {
                    problems.append("inside $batch: " + problem)
                }
            }
        }
        return problems
    }
}

/// How many requests the contract check saw (printed by the wire-contract suite).
final class ContractLedger: @unchecked Sendable {
    static let shared = ContractLedger()
    private let lock = NSLock()
    private var requests = 0

    func count(_ request: HTTPRequest) { lock.withLock { requests += 1 } }
    var checked: Int { lock.withLock { requests } }
}
