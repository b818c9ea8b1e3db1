import FlyingFox
import FlyingSocks
import Foundation

/// What the echo route received, sent back as the JSON body of its response.
struct Echo: Codable, Sendable {
    /// The request method.
    var method: String
    /// The request path.
    var path: String
    /// The query items, `name=value`, in order.
    var query: [String]
    /// The request headers, names lower-cased (repeated fields joined with ", ").
    var headers: [String: String]
    /// The request body, base64-encoded so that any bytes survive.
    var bodyBase64: String

    /// The decoded body.
    var body: Data { Data(base64Encoded: bodyBase64) ?? Data() }
}

/// A FlyingFox HTTP server on an ephemeral loopback port with the routes the transport tests use:
///
/// - `/echo` (any method): 200 with an `Echo` of the request and `X-Echo-Method`.
/// - `/status/404`, `/status/429`: those statuses with a JSON error body (429 adds `Retry-After`).
/// - `/cookies`: two `Set-Cookie` fields, `a=1` then `b=2`, and `X-Mixed-Case`.
/// - `/gzip`: a gzip-compressed body with `Content-Encoding: gzip`.
/// - `/redirect`: 302 to `/echo`.
final class LoopbackServer: Sendable {
    /// The plain text that `/gzip` serves compressed.
    static let gzipText = "compressed hello from the server"
    /// `gzipText`, gzip-compressed (mtime 0), generated with Python's `gzip.compress`.
    private static let gzipBytes: [UInt8] = [
        31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 75, 206, 207, 45, 40, 74, 45, 46, 78, 77, 81, 200, 72, 205, 201, 201, 87,
        72, 43, 202, 207, 85, 40, 201, 72, 85, 40, 78, 45, 42, 75, 45, 2, 0, 96, 166, 211, 60, 32, 0, 0, 0,
    ]

    /// `http://127.0.0.1:<port>`.
    let baseURL: URL
    private let server: HTTPServer
    private let task: Task<Void, any Error>

    private init(baseURL: URL, server: HTTPServer, task: Task<Void, any Error>) {
        self.baseURL = baseURL
        self.server = server
        self.task = task
    }

    /// Starts a server and waits until it listens.
    static func start() async throws -> LoopbackServer {
        let server = HTTPServer(
            address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0),
            timeout: 15,
            logger: .disabled
        )
        await server.appendRoute("/echo", handler: Self.echo)
        await server.appendRoute("/status/404") { _ in
            HTTPResponse(
                statusCode: .notFound,
                headers: [.contentType: "application/json"],
                body: Data(#"{"error":"no such mailbox"}"#.utf8)
            )
        }
        await server.appendRoute("/status/429") { _ in
            HTTPResponse(
                statusCode: .tooManyRequests,
                headers: [.contentType: "application/json", HTTPHeader("Retry-After"): "7"],
                body: Data(#"{"error":"slow down"}"#.utf8)
            )
        }
        await server.appendRoute("/cookies") { _ in
            var headers = HTTPHeaders()
            headers.addValue("a=1", for: .setCookie)
            headers.addValue("b=2", for: .setCookie)
            headers[HTTPHeader("X-Mixed-Case")] = "Value"
            return HTTPResponse(statusCode: .ok, headers: headers, body: Data("cookies".utf8))
        }
        await server.appendRoute("/gzip") { _ in
            HTTPResponse(
                statusCode: .ok,
                headers: [HTTPHeader("Content-Encoding"): "gzip", .contentType: "text/plain"],
                body: Data(Self.gzipBytes)
            )
        }
        await server.appendRoute("/redirect") { _ in
            HTTPResponse(statusCode: .found, headers: [.location: "/echo"] as HTTPHeaders)
        }

        let task = Task { try await server.run() }
        try await server.waitUntilListening(timeout: 5)
        let address = await server.listeningAddress
        guard case .ip4(_, let port) = address,
            let url = URL(string: "http://127.0.0.1:\(port)")
        else {
            task.cancel()
            throw SocketError.unsupportedAddress
        }
        return LoopbackServer(baseURL: url, server: server, task: task)
    }

    /// Stops the server and closes its connections.
    func stop() async {
        await server.stop(timeout: 0)
        task.cancel()
    }

    @Sendable private static func echo(_ request: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse {
        var headers: [String: String] = [:]
        for (name, value) in request.headers {
            let key = name.rawValue.lowercased()
            headers[key] = headers[key].map { "\($0), \(value)" } ?? value
        }
        let echo = Echo(
            method: request.method.rawValue,
            path: request.path,
            query: request.query.map { "\($0.name)=\($0.value)" },
            headers: headers,
            bodyBase64: try await request.bodyData.base64EncodedString()
        )
        return HTTPResponse(
            statusCode: .ok,
            headers: [.contentType: "application/json", HTTPHeader("X-Echo-Method"): request.method.rawValue],
            body: try JSONEncoder().encode(echo)
        )
    }
}

/// Runs `body` with a fresh loopback server and stops the server afterwards.
func withLoopbackServer<T>(_ body: (LoopbackServer) async throws -> T) async throws -> T {
    let server = try await LoopbackServer.start()
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// A loopback TCP port whose connections the kernel accepts but nobody ever answers: a server
/// that stalls.
final class StallingListener: Sendable {
    /// The port.
    let port: UInt16
    private let socket: Socket

    /// Binds an ephemeral loopback port and listens, never accepting.
    init() throws {
        socket = try Socket(domain: AF_INET, type: .stream)
        try socket.bind(to: sockaddr_in.inet(ip4: "127.0.0.1", port: 0))
        try socket.listen(maxPendingConnection: 64)
        guard case .ip4(_, let port) = try socket.sockname() else { throw SocketError.unsupportedAddress }
        self.port = port
    }

    deinit { try? socket.close() }
}

/// A loopback TCP port that is bound but not listening, so connecting to it is refused
/// (deterministically: no other process can take the port while this holds it).
final class RefusingPort: Sendable {
    /// The port.
    let port: UInt16
    private let socket: Socket

    /// Binds an ephemeral loopback port without listening.
    init() throws {
        socket = try Socket(domain: AF_INET, type: .stream)
        try socket.bind(to: sockaddr_in.inet(ip4: "127.0.0.1", port: 0))
        guard case .ip4(_, let port) = try socket.sockname() else { throw SocketError.unsupportedAddress }
        self.port = port
    }

    deinit { try? socket.close() }
}
