import Foundation
import MailscopeCore
import MicrosoftClients
import Testing

/// A transport that answers from a script and records what it was sent.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [(HTTPRequest) -> Result<HTTPResponse, TransportError>]
    private(set) var requests: [HTTPRequest] = []

    init(_ answers: [(HTTPRequest) -> Result<HTTPResponse, TransportError>]) { self.answers = answers }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let answer: ((HTTPRequest) -> Result<HTTPResponse, TransportError>)? = lock.withLock {
            requests.append(request)
            return answers.isEmpty ? nil : answers.removeFirst()
        }
        guard let answer else { return HTTPResponse(status: 599, body: Data("script ran out".utf8)) }
        return try answer(request).get()
    }

    var sent: [HTTPRequest] { lock.withLock { requests } }
}

func json(
    _ status: Int,
    _ value: JSONValue,
    headers: [String: String] = [:]
) -> (HTTPRequest) -> Result<HTTPResponse, TransportError> {
    { _ in .success(HTTPResponse(status: status, headers: headers, body: value.encoded())) }
}

/// Tokens that count how often they were asked for a fresh one.
actor CountingTokens: AccessTokenProvider {
    private(set) var refreshes = 0
    func token(for resource: Resource, forceRefresh: Bool) async throws -> AccessToken {
        if forceRefresh { refreshes += 1 }
        return AccessToken(value: Secret("token-\(refreshes)"), expiresAt: Date().addingTimeInterval(3600))
    }
}

@Suite("Graph and Exchange client behaviour")
struct ClientBehaviourTests {
    let base = URL(string: "http://127.0.0.1:9/graph")!

    func client(_ transport: ScriptedTransport, tokens: CountingTokens = CountingTokens()) -> GraphClient {
        GraphClient(base: base, tokens: tokens, sender: RequestSender(transport: transport, clock: .immediate()))
    }

    @Test func followsNextLinksUntilTheLastPage() async throws {
        let transport = ScriptedTransport([
            json(
                200,
                [
                    "value": [["id": "1"], ["id": "2"]],
                    "@odata.nextLink": "http://127.0.0.1:9/graph/v1.0/groups/g/members?$skiptoken=abc",
                ]
            ),
            json(200, ["value": [["id": "3"]]]),
        ])
        let items = try await client(transport).list("/v1.0/groups/g/members?$top=999")
        #expect(items.map { $0["id"].string } == ["1", "2", "3"])
        #expect(transport.sent.count == 2)
        #expect(transport.sent[1].url.absoluteString.contains("skiptoken=abc"))
    }

    @Test func refusesANextLinkToAnotherHost() async throws {
        let transport = ScriptedTransport([
            json(200, ["value": [], "@odata.nextLink": "https://evil.example.com/steal"])
        ])
        await #expect(throws: MicrosoftError.self) { try await client(transport).list("/v1.0/users") }
        #expect(transport.sent.count == 1)
    }

    @Test func honoursRetryAfterOn429() async throws {
        let clock = WallClock.immediate()
        let transport = ScriptedTransport([
            json(429, ["error": ["code": "TooManyRequests", "message": "slow down"]], headers: ["Retry-After": "7"]),
            json(200, ["id": "ok"]),
        ])
        let graph = GraphClient(
            base: base,
            tokens: CountingTokens(),
            sender: RequestSender(transport: transport, clock: clock)
        )
        let before = clock.now
        let answer = try await graph.get("/v1.0/organization")
        #expect(answer["id"].string == "ok")
        #expect(clock.now.timeIntervalSince(before) >= 7)
    }

    @Test func refreshesTheTokenOnceAfter401() async throws {
        let tokens = CountingTokens()
        let transport = ScriptedTransport([
            json(
                401,
                [
                    "error": [
                        "code": "InvalidAuthenticationToken",
                        "message": "Lifetime validation failed, the token is expired.",
                    ]
                ]
            ),
            json(200, ["id": "ok"]),
        ])
        _ = try await client(transport, tokens: tokens).get("/v1.0/organization")
        #expect(await tokens.refreshes == 1)
        #expect(transport.sent[1].header("Authorization") == "Bearer token-1")
    }

    @Test func parsesGraphErrorBodies() async throws {
        let transport = ScriptedTransport([
            json(404, ["error": ["code": "Request_ResourceNotFound", "message": "Resource 'x' does not exist"]])
        ])
        do {
            _ = try await client(transport).get("/v1.0/applications/x")
            Issue.record("expected an error")
        } catch let error as MicrosoftError {
            #expect(error.code == "Request_ResourceNotFound")
            #expect(error.isNotFound)
        }
        let again = ScriptedTransport([json(404, ["error": ["code": "Request_ResourceNotFound", "message": "x"]])])
        #expect(try await client(again).getIfPresent("/v1.0/applications/x") == nil)
    }

    @Test func malformedJSONIsResentForReadsThenAClearError() async throws {
        let malformed: (HTTPRequest) -> Result<HTTPResponse, TransportError> = { _ in
            .success(HTTPResponse(status: 200, body: Data("{\"value\": [".utf8)))
        }
        // A read whose answer is cut short is sent again, like one whose connection broke.
        let recovers = ScriptedTransport([malformed, json(200, ["id": "org"])])
        #expect(try await client(recovers).get("/v1.0/organization")["id"].string == "org")
        #expect(recovers.sent.count == 2)
        // Cut short every time: a clear error once the attempts run out.
        let attempts = RetryPolicy.standard.maximumAttempts
        let transport = ScriptedTransport(Array(repeating: malformed, count: attempts))
        do {
            _ = try await client(transport).get("/v1.0/organization")
            Issue.record("expected an error")
        } catch let error as MicrosoftError {
            #expect(error.code == "MalformedResponse")
        }
        #expect(transport.sent.count == attempts)
        // A write is not resent (it was applied): its malformed answer is the error.
        let write = ScriptedTransport([malformed, json(200, [:])])
        do {
            _ = try await client(write).write("POST", "/v1.0/applications/x/addPassword", body: [:])
            Issue.record("expected an error")
        } catch let error as MicrosoftError {
            #expect(error.code == "MalformedResponse")
        }
        #expect(write.sent.count == 1)
    }

    @Test func doesNotResendAWriteAfterABrokenConnection() async throws {
        let transport = ScriptedTransport([{ _ in .failure(.connectionFailed("reset by peer")) }, json(200, [:])])
        await #expect(throws: TransportError.self) {
            try await client(transport).write("POST", "/v1.0/applications/a/addPassword", body: [:])
        }
        #expect(transport.sent.count == 1)
    }

    @Test func resendsAReadAfterABrokenConnection() async throws {
        let transport = ScriptedTransport([{ _ in .failure(.connectionFailed("reset")) }, json(200, ["id": "ok"])])
        #expect(try await client(transport).get("/v1.0/organization")["id"].string == "ok")
    }

    @Test func batchesTwentyAtATimeAndRetriesInnerThrottling() async throws {
        let requests = (0..<25).map { BatchRequest(id: "\($0)", url: "/users?$filter=x\($0)") }
        // Batches go out concurrently (four in flight): each answer is made from the batch it
        // answers, whatever order they arrive in. Request 3 is throttled once, then answered.
        let throttled = ThrottleOnce()
        let answer: (HTTPRequest) -> Result<HTTPResponse, TransportError> = { request in
            let body = (try? JSONValue.parse(request.body ?? Data())) ?? .null
            let responses: [JSONValue] = (body["requests"].array ?? []).map { inner in
                let id = inner["id"].string ?? "?"
                if id == "3" && throttled.first() {
                    return [
                        "id": "3", "status": 429, "headers": ["Retry-After": "2"],
                        "body": ["error": ["code": "TooManyRequests"]],
                    ]
                }
                let value: JSONValue = id == "3" ? [["id": "u3"]] : []
                return ["id": .string(id), "status": 200, "body": ["value": value]]
            }
            return .success(HTTPResponse(status: 200, body: JSONValue.object(["responses": .array(responses)]).encoded()))
        }
        let transport = ScriptedTransport([answer, answer, answer])
        let answers = try await client(transport).batch(requests)
        #expect(answers.count == 25)
        #expect(answers.allSatisfy { $0.status == 200 })
        #expect(answers[3].body["value"].array?.first?["id"].string == "u3")
        let sizes = transport.sent.prefix(2).map { (try? JSONValue.parse($0.body ?? Data()))?["requests"].array?.count ?? 0 }
        #expect(sizes.sorted() == [5, 20])
        #expect(transport.sent.count == 3)
    }

    /// Says yes once.
    final class ThrottleOnce: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        func first() -> Bool { lock.withLock { defer { done = true }; return !done } }
    }

    /// Found by scripts/fuzz: numbers out of Int's range in an answer stopped the process.
    @Test func answersWithAbsurdNumbersFailOrAreClampedWithoutCrashing() async throws {
        let throttled = ScriptedTransport([
            json(429, ["error": ["code": "TooManyRequests", "message": "slow down"]], headers: ["Retry-After": "1e300"])
        ])
        await #expect(throws: MicrosoftError.self) { try await client(throttled).get("/v1.0/organization") }
        let batch = ScriptedTransport([json(200, ["responses": [["id": "1", "status": 1e300, "body": [:]]]])])
        let answers = try await client(batch).batch([BatchRequest(id: "1", url: "/users/a")])
        #expect(answers.first?.status == 0)
        #expect(Duration.interval(.nan) == .zero)
        #expect(Duration.interval(1e300) == .seconds(100 * 365 * 86_400))
    }

    @Test func exchangeErrorsCarryTheExceptionType() async throws {
        let transport = ScriptedTransport([
            json(
                404,
                [
                    "error": [
                        "code": "InternalServerError", "message": "Error executing cmdlet",
                        "details": [
                            [
                                "code": "Client", "target": "",
                                "message":
                                    "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object 'x' couldn't be found.",
                            ]
                        ],
                    ]
                ]
            )
        ])
        let exchange = ExchangeAdminClient(
            base: URL(string: "http://127.0.0.1:9/exchange")!,
            tenantID: "t",
            anchorMailbox: "UPN:a@b.c",
            tokens: CountingTokens(),
            sender: RequestSender(transport: transport, clock: .immediate())
        )
        #expect(try await exchange.find("Get-ManagementScope", ["Identity": "x"]) == nil)
        let request = transport.sent[0]
        #expect(request.header("X-CmdletName") == "Get-ManagementScope")
        #expect(request.url.path.hasSuffix("/adminapi/beta/t/InvokeCommand"))
    }

    @Test func tokenClaimsAreRead() {
        let payload = Base64URL.encode(Data(#"{"tid":"t-1","upn":"admin@contoso.com","scp":"a b"}"#.utf8))
        let claims = TokenClaims(jwt: "eyJhbGciOiJub25lIn0.\(payload).")
        #expect(claims?.tenantID == "t-1")
        #expect(claims?.user == "admin@contoso.com")
        #expect(claims?.scopes == ["a", "b"])
        #expect(claims?.isAppOnly == false)
    }
}
