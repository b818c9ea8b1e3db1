import FlyingFox
import FlyingSocks
import Foundation
import MailscopeCore

/// The base URLs a running simulator serves, for a `cloud = "custom"` configuration.
public struct SimulatorEndpoints: Sendable, Equatable {
    /// `http://127.0.0.1:PORT`.
    public let base: URL
    /// The identity platform: `<base>/login`.
    public let login: URL
    /// Microsoft Graph: `<base>/graph`.
    public let graph: URL
    /// Exchange Online: `<base>/exchange`.
    public let exchange: URL
    /// Exchange Server's EWS endpoint (NTLM or Basic sign-in): `<base>/EWS/Exchange.asmx`.
    public let ews: URL

    /// Endpoints under `base`.
    public init(base: URL) {
        let root = base.absoluteString.withoutTrailingSlash
        self.base = base
        login = URL(string: root + "/login") ?? base
        graph = URL(string: root + "/graph") ?? base
        exchange = URL(string: root + "/exchange") ?? base
        ews = URL(string: root + "/EWS/Exchange.asmx") ?? base
    }

    /// The token scope for Graph: `<base>/graph/.default`.
    public var graphScope: String { graph.absoluteString + "/.default" }
    /// The token scope for Exchange: `<base>/exchange/.default`.
    public var exchangeScope: String { exchange.absoluteString + "/.default" }

    /// The token endpoint for `tenant`.
    public func tokenURL(tenant: String = SimulatedTenant.tenantID) -> URL {
        URL(string: login.absoluteString + "/\(tenant)/oauth2/v2.0/token") ?? login
    }

    /// The device-code endpoint for `tenant`.
    public func deviceCodeURL(tenant: String = SimulatedTenant.tenantID) -> URL {
        URL(string: login.absoluteString + "/\(tenant)/oauth2/v2.0/devicecode") ?? login
    }

    /// The `InvokeCommand` URL for `tenant`.
    public func invokeCommandURL(tenant: String = SimulatedTenant.tenantID) -> URL {
        URL(string: exchange.absoluteString + "/adminapi/beta/\(tenant)/InvokeCommand") ?? exchange
    }

    /// Which resource a token audience or scope prefix names: the simulator's base URLs, the global
    /// cloud's hosts or the resource app ids.
    func resource(named name: String) -> ResourceKind? {
        let key = name.withoutTrailingSlash.lowercased()
        let graphNames = [
            graph.absoluteString, "https://graph.microsoft.com", "https://graph.microsoft.us",
            "https://microsoftgraph.chinacloudapi.cn", Catalog.graphAppID,
        ]
        let exchangeNames = [
            exchange.absoluteString, "https://outlook.office365.com", "https://outlook.office.com",
            "https://outlook.office365.us", "https://partner.outlook.cn", Catalog.exchangeAppID,
        ]
        if graphNames.contains(where: { $0.withoutTrailingSlash.lowercased() == key }) { return .graph }
        if exchangeNames.contains(where: { $0.withoutTrailingSlash.lowercased() == key }) { return .exchange }
        return nil
    }
}

/// Serves a `SimulatedTenant` over real HTTP on 127.0.0.1: the identity platform under `/login`,
/// Graph under `/graph`, the Exchange admin endpoint under `/exchange` and Exchange Server's EWS
/// at `/EWS/Exchange.asmx`. Clients talk to it exactly as to Microsoft.
///
/// ```swift
/// let clock = WallClock.immediate()            // or .system for the demo
/// let options = SimulatorOptions(propagationDelay: .seconds(3600))
/// let tenant = SimulatedTenant(options: options, clock: clock)
/// let server = SimulatorServer(tenant: tenant, options: options, clock: clock)
/// try await server.start()                     // http://127.0.0.1:PORT
/// let endpoints = await server.endpoints       // .login, .graph, .exchange for cloud = "custom"
/// // … sign in with the device code (approved on the 2nd poll) or registerAutomationApp …
/// try await clock.sleep(for: .seconds(3601))   // let an RBAC change propagate
/// await server.stop()
/// ```
public actor SimulatorServer {
    /// The default tenant: the only one of a one-tenant simulator, the first of several. It answers
    /// what names no tenant (`/_sim/` without `?tenant=`, EWS, `common`, an unknown tenant's refusal).
    public nonisolated let tenant: SimulatedTenant
    /// Every tenant served, the default first. Several tenants share the port as Microsoft's
    /// services share their hosts (see `tenant(for:)`).
    public nonisolated let tenants: [SimulatedTenant]
    /// The tenants by lower-cased id and verified domain.
    nonisolated let tenantsByName: [String: SimulatedTenant]
    /// The per-request options (faults, latency, paging, token lifetime, device-code approval).
    public nonisolated let options: SimulatorOptions
    /// The clock latency sleeps on (use the tenant's clock).
    public nonisolated let clock: WallClock

    private var server: HTTPServer?
    private var task: Task<Void, any Error>?
    private var baseURL: URL?
    /// The latency added to each tenant request; starts as `options.latency`, changed by
    /// `setLatency(_:)` or `POST /_sim/latency?ms=N`.
    public internal(set) var latency: Duration

    // Statistics for benchmarks (simulator-only, see `SimulatorControl.swift`). Requests to `/_sim/`
    // are not counted.
    /// How many tenant requests (`/login`, `/graph`, `/exchange`, `/EWS`, anything but `/_sim/`) were
    /// received since the start or the last `resetStatistics()`, answered or still being answered.
    public internal(set) var requestCount = 0
    /// Tenant requests being answered now.
    public internal(set) var inFlight = 0
    /// The most tenant requests answered at once since the start or the last reset.
    public internal(set) var maxInFlight = 0
    /// Tenant requests by service (`login`, `graph`, `exchange`, `ews`, `other`) since the start or the last reset.
    public internal(set) var requestsByService: [String: Int] = [:]
    /// The answered tenant requests since the start or the last reset, oldest first (at most
    /// `requestLogLimit`; later ones are counted in `unloggedRequests`).
    public internal(set) var requestLog: [RequestRecord] = []
    /// Answered requests left out of `requestLog` because it was full.
    public internal(set) var unloggedRequests = 0
    /// The most records `requestLog` keeps.
    public static let requestLogLimit = 100_000
    /// When the statistics were last reset (real time, whatever the tenant's clock).
    var statisticsEpoch = ContinuousClock.now

    // Crash and fault tests (simulator-only, see `SimulatorSurvival.swift`).
    /// Writes received since the start (hold points count from the start, not from a reset).
    public internal(set) var writeCount = 0
    /// Probes received since the start.
    public internal(set) var probeCount = 0
    /// The requests whose answers are held; starts as `options.hold`.
    public internal(set) var holdPoints: HoldPoints
    /// The request whose answer is being held, once one is.
    public internal(set) var heldRequest: String?
    /// Transport faults injected since the start or the last reset, by kind.
    public internal(set) var faultCounts: [String: Int] = [:]
    /// Answers by status since the start or the last reset (429 and 503 are the injected ones).
    public internal(set) var statusCounts: [Int: Int] = [:]
    var transportFaultGenerator: SeededGenerator

    /// Creates a server for `tenant`; call `start` to listen.
    public init(tenant: SimulatedTenant, options: SimulatorOptions, clock: WallClock) {
        self.init(tenants: [tenant], options: options, clock: clock)
    }

    /// Creates a server for several tenants on one port (the first is the default); each must have
    /// its own identity (`TenantIdentity.numbered(_:)`). `options` are the per-request ones
    /// (latency, faults, holds), shared by all.
    public init(tenants: [SimulatedTenant], options: SimulatorOptions, clock: WallClock) {
        precondition(!tenants.isEmpty, "a simulator serves at least one tenant")
        self.tenant = tenants[0]
        self.tenants = tenants
        var names: [String: SimulatedTenant] = [:]
        for served in tenants {
            let identity = served.identity
            for name in [identity.tenantID, identity.defaultDomain, identity.initialDomain] {
                precondition(names[name.lowercased()] == nil, "two simulated tenants are named \(name)")
                names[name.lowercased()] = served
            }
        }
        tenantsByName = names
        self.options = options
        self.clock = clock
        latency = options.latency
        holdPoints = options.hold
        transportFaultGenerator = SeededGenerator(seed: options.seed, stream: 7)
    }

    // A literal, so the unwrap cannot fail.
    private static let unstarted = URL(string: "http://127.0.0.1:0")!

    /// The base URLs; before `start`, they name port 0.
    public var endpoints: SimulatorEndpoints {
        SimulatorEndpoints(base: baseURL ?? Self.unstarted)
    }

    /// Starts listening on 127.0.0.1:`port` (0 picks a free port) and returns `http://127.0.0.1:PORT`.
    @discardableResult
    public func start(port: UInt16 = 0) async throws -> URL {
        if let baseURL { return baseURL }
        let http = HTTPServer(
            address: try .inet(ip4: "127.0.0.1", port: port), timeout: 600, logger: .disabled)
        await http.appendRoute("*") { [weak self] request in
            guard let self else { return FlyingFox.HTTPResponse(statusCode: .serviceUnavailable) }
            return await self.handle(request)
        }
        let task = Task { try await http.run() }
        do {
            try await http.waitUntilListening(timeout: 10)
        } catch {
            task.cancel()
            throw error
        }
        guard case .ip4(_, let actualPort) = await http.listeningAddress,
            let url = URL(string: "http://127.0.0.1:\(actualPort)")
        else {
            await http.stop()
            task.cancel()
            throw SocketError.unsupportedAddress
        }
        server = http
        self.task = task
        baseURL = url
        return url
    }

    /// Stops listening and closes connections.
    public func stop() async {
        if let server { await server.stop(timeout: 0) }
        task?.cancel()
        server = nil
        task = nil
        baseURL = nil
    }

    private func handle(_ request: FlyingFox.HTTPRequest) async -> FlyingFox.HTTPResponse {
        let path = request.target.path()
        if path == "/_sim/ems" && request.method.rawValue.uppercased() == "POST" {
            guard let body = try? await request.bodyData else { return Self.json(400, ["error": "no body"]) }
            let answer = await runManagementShell(body: body)
            await countAndHoldIfDue(.write, label: "POST /_sim/ems")
            return answer
        }
        if path == "/_sim" || path.hasPrefix("/_sim/") {
            return await control(method: request.method.rawValue.uppercased(), path: path, query: request.target.query())
        }
        let method = request.method.rawValue.uppercased()
        let started = ContinuousClock.now
        let epoch = statisticsEpoch
        requestCount += 1
        let service = Self.service(ofPath: path)
        requestsByService[service, default: 0] += 1
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        var status = 0
        defer {
            inFlight -= 1
            // A reset while this request ran starts a new log without it.
            if epoch == statisticsEpoch {
                record(
                    RequestRecord(
                        method: method, target: Self.target(path, request.target.query()), service: service,
                        status: status, started: started - epoch, finished: ContinuousClock.now - epoch))
            }
        }
        let body: Data
        do {
            body = try await request.bodyData
        } catch {
            status = 400
            return FlyingFox.HTTPResponse(statusCode: .badRequest)
        }
        var headers: [String: String] = [:]
        for (name, value) in request.headers {
            let key = name.rawValue.lowercased()
            headers[key] = headers[key].map { "\($0), \(value)" } ?? value
        }
        var connection = ""
        switch request.remoteAddress {
        case .ip4(let ip, let port), .ip6(let ip, let port): connection = "\(ip):\(port)"
        case .unix(let path): connection = path
        case nil: break
        }
        let wire = WireRequest(
            method: request.method.rawValue.uppercased(), rawPath: request.target.path(),
            rawQuery: request.target.query(), headers: headers, body: body, connection: connection)
        let context = RequestContext(
            options: options, endpoints: endpoints, requestID: "", clientRequestID: headers["client-request-id"] ?? "")
        if latency > .zero {
            try? await clock.sleep(for: latency)
        }
        let answer = await tenant(for: wire).respond(to: wire, context: context)
        status = answer.status
        countStatus(answer.status)
        await countAndHoldIfDue(Self.kind(of: wire), label: Self.label(of: wire))
        var responseHeaders = HTTPHeaders()
        for (name, value) in answer.headers { responseHeaders[HTTPHeader(name)] = value }
        // FlyingFox writes the head and the body in two writes; on a kept-alive connection the
        // body then waits for the client's delayed ACK (Nagle), 40 ms a request. A new loopback
        // connection per request costs a fraction of a millisecond instead. An NTLM challenge keeps
        // the connection: the handshake is bound to it.
        if !answer.keepsConnectionOpen { responseHeaders[.connection] = "close" }
        let response = FlyingFox.HTTPResponse(
            statusCode: HTTPStatusCode(answer.status, phrase: Self.phrase(answer.status)), headers: responseHeaders,
            body: answer.body)
        if let fault = drawTransportFault() {
            return await broken(response, body: answer.body, by: fault)
        }
        return response
    }

    /// The tenant a request is for, found as Microsoft's services find it:
    /// - the identity platform, `{login}/{tenant}/oauth2/v2.0/…`: "{tenant} … in GUID or domain-name
    ///   format" (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow);
    /// - the Exchange admin API, `{exchange}/adminapi/beta/{tenant}/InvokeCommand`: the tenant id or a
    ///   domain in the path (https://learn.microsoft.com/exchange/reference/admin-api-overview);
    /// - Graph, which has no tenant in its path: the access token's `tid` claim, "the tenant that the
    ///   user is signing in to" (https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference).
    ///   The claim is only read here; the tenant it names verifies the token (signature, expiry, `tid`).
    /// Anything else (EWS, `/login/devicelogin`, `common`/`organizations`, no token) goes to the
    /// default tenant, and so does a tenant the simulator does not serve: the default tenant's own
    /// check then refuses it as Microsoft does (the identity platform: 400 `invalid_request`,
    /// AADSTS90002 "Tenant … not found", https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes;
    /// Graph: 401, the token is not for this tenant).
    nonisolated func tenant(for request: WireRequest) -> SimulatedTenant {
        guard tenants.count > 1 else { return tenant }
        let segments = request.segments
        var name: String?
        switch segments.first {
        case "login" where segments.count > 1:
            name = segments[1]
        case "exchange" where segments.count > 3 && segments[1].equalsIgnoringCase("adminapi"):
            name = segments[3]
        case "graph", "exchange":
            // Exchange Online's EWS (`/exchange/EWS/Exchange.asmx`) has no tenant in its path either.
            name = Self.tenantClaim(ofAuthorization: request.header("authorization"))
        default:
            break
        }
        return name.flatMap { tenantsByName[$0.lowercased()] } ?? tenant
    }

    /// The `tid` claim of a bearer token, unverified (the tenant verifies it), or nil.
    static func tenantClaim(ofAuthorization header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let parts = header.dropFirst(7).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(String(parts[1])),
            let claims = try? MailscopeCore.JSONValue.parse(payload)
        else { return nil }
        return claims["tid"].string
    }

    static func target(_ path: String, _ query: String) -> String {
        query.isEmpty ? path : path + "?" + query
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 424: "Failed Dependency"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
