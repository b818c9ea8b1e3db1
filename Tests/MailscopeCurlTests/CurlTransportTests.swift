import Foundation
import MailscopeCore
import Testing

@testable import MailscopeCurl

/// The libcurl transport against real servers on loopback.
@Suite("CurlTransport")
struct CurlTransportTests {
    private let transport = CurlTransport()

    // MARK: Methods, headers and bodies

    @Test("GET sends the request headers and reads status, headers and body back")
    func getRoundTrip() async throws {
        try await withLoopbackServer { server in
            let request = HTTPRequest(
                method: "GET",
                url: server.baseURL.appending(path: "echo").appending(queryItems: [URLQueryItem(name: "q", value: "1")]
                ),
                headers: [
                    HTTPHeader(name: "Authorization", value: "Bearer token-123"),
                    HTTPHeader(name: "X-Custom", value: "value with spaces"),
                    HTTPHeader(name: "Accept", value: "application/json"),
                ]
            )
            let response = try await transport.send(request)

            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.headers["x-echo-method"] == "GET")
            let echo = try JSONDecoder().decode(Echo.self, from: response.body)
            #expect(echo.method == "GET")
            #expect(echo.path == "/echo")
            #expect(echo.query == ["q=1"])
            #expect(echo.headers["authorization"] == "Bearer token-123")
            #expect(echo.headers["x-custom"] == "value with spaces")
            #expect(echo.headers["accept"] == "application/json")
            #expect(echo.headers["user-agent"] == "mailscope/0.1")
            #expect(echo.headers["accept-encoding"]?.contains("gzip") == true)
            #expect(echo.headers["expect"] == nil)
            #expect(echo.body.isEmpty)
        }
    }

    @Test(
        "Methods with bodies send the body, its length and the caller's headers",
        arguments: ["POST", "PATCH", "PUT", "DELETE"]
    )
    func bodyRoundTrip(method: String) async throws {
        try await withLoopbackServer { server in
            let body = Data(#"{"displayName":"Room 1","note":"ünïcødé"}"#.utf8)
            let request = HTTPRequest(
                method: method,
                url: server.baseURL.appending(path: "echo"),
                headers: [
                    HTTPHeader(name: "Content-Type", value: "application/json"),
                    HTTPHeader(name: "If-Match", value: "*"),
                ],
                body: body
            )
            let response = try await transport.send(request)

            #expect(response.status == 200)
            let echo = try JSONDecoder().decode(Echo.self, from: response.body)
            #expect(echo.method == method)
            #expect(echo.body == body)
            #expect(echo.headers["content-type"] == "application/json")
            #expect(echo.headers["content-length"] == String(body.count))
            #expect(echo.headers["if-match"] == "*")
            #expect(echo.headers["expect"] == nil)
        }
    }

    @Test("Binary bodies with NUL bytes arrive intact, without an invented Content-Type")
    func binaryBody() async throws {
        try await withLoopbackServer { server in
            let body = Data([0, 1, 2, 0, 255, 254, 0])
            let response = try await transport.send(
                HTTPRequest(method: "POST", url: server.baseURL.appending(path: "echo"), body: body)
            )
            let echo = try JSONDecoder().decode(Echo.self, from: response.body)
            #expect(echo.body == body)
            #expect(echo.headers["content-type"] == nil)
        }
    }

    @Test("POST without a body sends Content-Length: 0; DELETE without a body sends none")
    func emptyBodies() async throws {
        try await withLoopbackServer { server in
            let url = server.baseURL.appending(path: "echo")
            let post = try JSONDecoder().decode(
                Echo.self,
                from: try await transport.send(HTTPRequest(method: "POST", url: url)).body
            )
            #expect(post.method == "POST")
            #expect(post.headers["content-length"] == "0")

            let delete = try JSONDecoder().decode(
                Echo.self,
                from: try await transport.send(HTTPRequest(method: "DELETE", url: url)).body
            )
            #expect(delete.method == "DELETE")
            #expect(delete.body.isEmpty)
        }
    }

    @Test("A request's own User-Agent replaces the transport's")
    func userAgentOverride() async throws {
        try await withLoopbackServer { server in
            let custom = CurlTransport(userAgent: "custom-agent/2")
            let plain = try await custom.send(HTTPRequest(method: "GET", url: server.baseURL.appending(path: "echo")))
            #expect(try JSONDecoder().decode(Echo.self, from: plain.body).headers["user-agent"] == "custom-agent/2")

            let overridden = try await custom.send(
                HTTPRequest(
                    method: "GET",
                    url: server.baseURL.appending(path: "echo"),
                    headers: [HTTPHeader(name: "User-Agent", value: "per-request/3")]
                )
            )
            #expect(try JSONDecoder().decode(Echo.self, from: overridden.body).headers["user-agent"] == "per-request/3")
        }
    }

    @Test("Header values cannot inject extra header lines")
    func headerInjection() async throws {
        try await withLoopbackServer { server in
            let response = try await transport.send(
                HTTPRequest(
                    method: "GET",
                    url: server.baseURL.appending(path: "echo"),
                    headers: [HTTPHeader(name: "X-Note", value: "a\r\nX-Injected: yes")]
                )
            )
            let echo = try JSONDecoder().decode(Echo.self, from: response.body)
            #expect(echo.headers["x-injected"] == nil)
            #expect(echo.headers["x-note"] == "a X-Injected: yes")
        }
    }

    // MARK: Responses

    @Test("Error statuses come back as responses with their bodies", arguments: [404, 429])
    func errorStatuses(status: Int) async throws {
        try await withLoopbackServer { server in
            let response = try await transport.send(
                HTTPRequest(method: "GET", url: server.baseURL.appending(path: "status/\(status)"))
            )
            #expect(response.status == status)
            #expect(response.header("content-type") == "application/json")
            #expect(response.text.contains("\"error\""))
            if status == 429 { #expect(response.header("Retry-After") == "7") }
        }
    }

    @Test("Header names are lower-cased and the last of repeated fields wins")
    func responseHeaders() async throws {
        try await withLoopbackServer { server in
            let response = try await transport.send(
                HTTPRequest(method: "GET", url: server.baseURL.appending(path: "cookies"))
            )
            #expect(response.headers["x-mixed-case"] == "Value")
            #expect(response.headers["set-cookie"] == "b=2")
            #expect(response.headers.keys.allSatisfy { $0 == $0.lowercased() })
            #expect(response.text == "cookies")
        }
    }

    @Test("gzip bodies are decoded")
    func gzip() async throws {
        try await withLoopbackServer { server in
            let response = try await transport.send(
                HTTPRequest(method: "GET", url: server.baseURL.appending(path: "gzip"))
            )
            #expect(response.status == 200)
            #expect(response.text == LoopbackServer.gzipText)
        }
    }

    @Test("Redirects are returned, not followed")
    func redirectsNotFollowed() async throws {
        try await withLoopbackServer { server in
            let response = try await transport.send(
                HTTPRequest(method: "GET", url: server.baseURL.appending(path: "redirect"))
            )
            #expect(response.status == 302)
            #expect(response.header("location") == "/echo")
        }
    }

    // MARK: Failures

    @Test(
        "Plain http:// to a non-loopback host is refused before any I/O",
        arguments: [
            "http://example.com/", "http://10.0.0.1:8080/x", "ftp://127.0.0.1/file",
        ]
    )
    func refusedURL(address: String) async throws {
        let url = try #require(URL(string: address))
        let refusing = CurlTransport()
        await #expect {
            _ = try await refusing.send(HTTPRequest(method: "GET", url: url))
        } throws: { error in
            guard case TransportError.refusedURL(let refused, _) = error else { return false }
            return refused == address
        }
        #expect(refusing.engine.statistics == CurlStatistics(), "no transfer may have started")
    }

    @Test("A method that is not an HTTP token is rejected before any I/O")
    func invalidMethod() async throws {
        let url = try #require(URL(string: "http://127.0.0.1:9/"))
        let checking = CurlTransport()
        await #expect(throws: TransportError.self) {
            _ = try await checking.send(HTTPRequest(method: "GET / HTTP/1.1\r\nX:", url: url))
        }
        #expect(checking.engine.statistics.transfersStarted == 0)
    }

    @Test("A refused connection throws connectionFailed with curl's explanation")
    func connectionRefused() async throws {
        let port = try RefusingPort()
        let url = try #require(URL(string: "http://127.0.0.1:\(port.port)/"))
        await #expect {
            _ = try await transport.send(HTTPRequest(method: "GET", url: url, timeout: .seconds(5)))
        } throws: { error in
            guard case TransportError.connectionFailed(let detail) = error else { return false }
            return detail.contains("\(port.port)")
        }
    }

    @Test("A server that never answers times out within the request's timeout")
    func stallingServerTimesOut() async throws {
        let listener = try StallingListener()
        let url = try #require(URL(string: "http://127.0.0.1:\(listener.port)/slow"))
        let clock = ContinuousClock()
        let start = clock.now
        await #expect {
            _ = try await transport.send(HTTPRequest(method: "GET", url: url, timeout: .milliseconds(300)))
        } throws: { error in
            guard case TransportError.timedOut = error else { return false }
            return true
        }
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(250))
        #expect(elapsed < .seconds(15))
    }

    // MARK: Cancellation

    @Test("Cancelling the task aborts a transfer in flight at once")
    func cancellationAbortsTransfer() async throws {
        let listener = try StallingListener()
        let url = try #require(URL(string: "http://127.0.0.1:\(listener.port)/slow"))
        let transport = transport
        let clock = ContinuousClock()
        let start = clock.now
        let task = Task {
            try await transport.send(HTTPRequest(method: "GET", url: url, timeout: .seconds(30)))
        }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        // Far below the 30 s timeout: the transfer was aborted, not waited out (a loose bound, so
        // a loaded machine cannot fail it).
        #expect(clock.now - start < .seconds(15))
    }

    @Test("A task cancelled before sending never starts a transfer")
    func cancelledBeforeSending() async throws {
        let fresh = CurlTransport()
        let url = try #require(URL(string: "http://127.0.0.1:9/"))
        let task = Task {
            while !Task.isCancelled { await Task.yield() }
            return try await fresh.send(HTTPRequest(method: "GET", url: url))
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(fresh.engine.statistics.transfersStarted == 0)
    }

    // MARK: Concurrency and connection reuse

    @Test("200 concurrent requests with maxConcurrent 8 all succeed over at most 8 connections")
    func manyConcurrentRequests() async throws {
        try await withLoopbackServer { server in
            let pooled = CurlTransport(maxConcurrent: 8)
            let count = 200
            let url = server.baseURL.appending(path: "echo")
            let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let response = try await pooled.send(
                            HTTPRequest(
                                method: "POST",
                                url: url.appending(queryItems: [URLQueryItem(name: "i", value: "\(index)")]),
                                body: Data("request \(index)".utf8)
                            )
                        )
                        let echo = try JSONDecoder().decode(Echo.self, from: response.body)
                        return response.status == 200 && echo.query == ["i=\(index)"]
                            && echo.body == Data("request \(index)".utf8)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(answered == count)

            let statistics = pooled.engine.statistics
            #expect(statistics.transfersStarted == count)
            #expect(statistics.peakConcurrentTransfers <= 8)
            #expect(statistics.connectionsOpened <= 8, "connections must be reused")
        }
    }

    @Test("Sequential requests reuse one connection")
    func sequentialReuse() async throws {
        try await withLoopbackServer { server in
            let sequential = CurlTransport()
            for _ in 0..<5 {
                let response = try await sequential.send(
                    HTTPRequest(method: "GET", url: server.baseURL.appending(path: "echo"))
                )
                #expect(response.status == 200)
            }
            #expect(sequential.engine.statistics.connectionsOpened == 1)
        }
    }
}
