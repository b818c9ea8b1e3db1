import Foundation
import MailscopeCore
import MailscopeTestSupport
import TenantSimulator

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An HTTP answer as the tests see it.
struct Reply {
    var status: Int
    var headers: [String: String]
    var body: Data

    var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

enum TestFailure: Error, CustomStringConvertible {
    case unexpected(String)
    var description: String {
        switch self {
        case .unexpected(let text): text
        }
    }
}

/// A simulator on a loopback port with an immediate clock, and a minimal URLSession client.
struct Simulator {
    let tenant: SimulatedTenant
    let server: SimulatorServer
    let clock: WallClock
    let endpoints: SimulatorEndpoints
    private let session: URLSession

    static let graphCLI = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

    /// Runs `body` against a fresh simulator, stopping it afterwards.
    static func with<T>(
        _ options: SimulatorOptions = SimulatorOptions(propagationDelay: .seconds(3600)),
        _ body: (Simulator) async throws -> T
    ) async throws -> T {
        let clock = WallClock.immediate()
        return try await serving(SimulatedTenant(options: options, clock: clock), options: options, clock: clock, body)
    }

    /// Runs `body` against `tenant` served on a new port, stopping the server afterwards.
    static func serving<T>(
        _ tenant: SimulatedTenant, options: SimulatorOptions, clock: WallClock, _ body: (Simulator) async throws -> T
    ) async throws -> T {
        let fixture = try await SimulatorFixture.serve(tenant, options: options, clock: clock)
        let server = fixture.server
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        let simulator = Simulator(
            tenant: tenant, server: server, clock: clock, endpoints: fixture.endpoints,
            session: URLSession(configuration: configuration))
        do {
            let result = try await body(simulator)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Moves the simulated time forward.
    func advance(_ duration: Duration) async throws { try await clock.sleep(for: duration) }

    /// Sends a request; `url` is absolute or relative to the base URL, already percent-encoded.
    func send(
        _ method: String, _ url: String, headers: [String: String] = [:], json: JSONValue? = nil,
        form: [String: String]? = nil
    ) async throws -> Reply {
        let absolute = url.hasPrefix("http") ? url : endpoints.base.absoluteString + url
        guard let target = URL(string: absolute) else { throw TestFailure.unexpected("bad URL \(absolute)") }
        var request = URLRequest(url: target)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.httpBody = json.encoded()
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let form {
            request.httpBody = Data(
                form.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&").utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestFailure.unexpected("not HTTP") }
        var lowered: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { lowered[name.lowercased()] = value }
        }
        return Reply(status: http.statusCode, headers: lowered, body: data)
    }

    /// Percent-encodes everything but unreserved characters.
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    // MARK: Graph and Exchange

    /// A Graph call with `token`.
    func graph(_ method: String, _ path: String, token: String, json: JSONValue? = nil, headers: [String: String] = [:])
        async throws -> Reply
    {
        var all = headers
        all["Authorization"] = "Bearer \(token)"
        return try await send(method, "/graph/v1.0" + path, headers: all, json: json)
    }

    /// An `InvokeCommand` call with `token`.
    func invoke(
        _ cmdlet: String, _ parameters: JSONValue = [:], token: String, headerName: String? = nil, url: String? = nil,
        pageSize: Int = 1000
    ) async throws -> Reply {
        try await send(
            "POST", url ?? endpoints.invokeCommandURL().absoluteString,
            headers: [
                "Authorization": "Bearer \(token)", "X-CmdletName": headerName ?? cmdlet, "X-ResponseFormat": "json",
                "Prefer": "odata.maxpagesize=\(pageSize)", "X-AnchorMailbox": "UPN:admin@contoso.com",
            ],
            json: ["CmdletInput": ["CmdletName": .string(cmdlet), "Parameters": parameters]])
    }

    /// Runs a cmdlet and returns every row (following next links), failing on an error.
    func rows(_ cmdlet: String, _ parameters: JSONValue = [:], token: String, pageSize: Int = 1000) async throws
        -> [JSONValue]
    {
        var rows: [JSONValue] = []
        var next: String? = nil
        repeat {
            let reply = try await invoke(cmdlet, parameters, token: token, url: next, pageSize: pageSize)
            guard reply.status == 200 else { throw TestFailure.unexpected("\(cmdlet) → \(reply.status) \(reply.text)") }
            rows += reply.json["value"].array ?? []
            next = reply.json["@odata.nextLink"].string
        } while next != nil
        return rows
    }

    // MARK: Tokens

    /// The admin's delegated token for `scope` through the device-code flow.
    func adminToken(scope: String? = nil, clientID: String = Simulator.graphCLI) async throws -> String {
        let start = try await send(
            "POST", endpoints.deviceCodeURL().absoluteString,
            form: ["client_id": clientID, "scope": (scope ?? endpoints.graphScope) + " offline_access"])
        guard start.status == 200, let code = start.json["device_code"].string else {
            throw TestFailure.unexpected("devicecode → \(start.status) \(start.text)")
        }
        for _ in 0..<10 {
            let poll = try await send(
                "POST", endpoints.tokenURL().absoluteString,
                form: [
                    "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": clientID,
                    "device_code": code,
                ])
            if poll.status == 200, let token = poll.json["access_token"].string { return token }
            guard poll.json["error"].string == "authorization_pending" else {
                throw TestFailure.unexpected("token → \(poll.status) \(poll.text)")
            }
        }
        throw TestFailure.unexpected("never approved")
    }

    /// An app-only token through client credentials with a secret.
    func appToken(appID: String, secret: String, scope: String) async throws -> String {
        let reply = try await send(
            "POST", endpoints.tokenURL().absoluteString,
            form: ["grant_type": "client_credentials", "client_id": appID, "client_secret": secret, "scope": scope])
        guard reply.status == 200, let token = reply.json["access_token"].string else {
            throw TestFailure.unexpected("client_credentials → \(reply.status) \(reply.text)")
        }
        return token
    }

    /// An automation app (Exchange Administrator, Exchange.ManageAsApp, and `graph` permissions) and its tokens.
    func automation(graph permissions: [String] = ["Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "Group.ReadWrite.All", "User.Read.All"])
        async throws -> (app: AutomationApp, graph: String, exchange: String)
    {
        let app = try await tenant.registerAutomationApp(graphPermissions: permissions)
        let graph = try await appToken(appID: app.appID, secret: app.clientSecret, scope: endpoints.graphScope)
        let exchange = try await appToken(appID: app.appID, secret: app.clientSecret, scope: endpoints.exchangeScope)
        return (app, graph, exchange)
    }
}

extension String {
    /// An OData/OPATH single-quoted literal.
    var quoted: String { "'" + replacingOccurrences(of: "'", with: "''") + "'" }
}
