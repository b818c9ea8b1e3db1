import Foundation
import MailscopeCore
import MicrosoftClients
import Testing

/// A POST that creates something is never sent twice unless the service said it was not applied.
@Suite("Non-idempotent requests")
struct NonIdempotentRetryTests {
    let base = URL(string: "http://127.0.0.1:9/graph")!

    func client(_ transport: ScriptedTransport) -> GraphClient {
        GraphClient(base: base, tokens: CountingTokens(), sender: RequestSender(transport: transport, clock: .immediate()))
    }

    @Test(arguments: [503, 504])
    func aBusyAnswerToACreatingPostIsReturnedNotResent(status: Int) async throws {
        let transport = ScriptedTransport([
            json(status, ["error": ["code": "serviceNotAvailable", "message": "busy"]], headers: ["Retry-After": "1"]),
            json(201, ["keyId": "k2", "secretText": "second"]),
        ])
        let error = await #expect(throws: MicrosoftError.self) {
            try await client(transport).write("POST", "/v1.0/applications/a/addPassword", body: ["passwordCredential": [:]])
        }
        #expect(error?.status == status)
        #expect(transport.sent.count == 1, "a POST that may have been applied was sent again")
    }

    @Test func aThrottledCreatingPostIsResent() async throws {
        let transport = ScriptedTransport([
            json(429, ["error": ["code": "TooManyRequests", "message": "slow down"]], headers: ["Retry-After": "1"]),
            json(201, ["id": "g1"]),
        ])
        let result = try await client(transport).write("POST", "/v1.0/groups", body: ["displayName": "x"])
        #expect(result.status == 201)
        #expect(transport.sent.count == 2)
    }

    @Test func aBusyAnswerToAnIdempotentRequestIsStillRetried() async throws {
        let transport = ScriptedTransport([
            json(503, ["error": ["code": "serviceNotAvailable", "message": "busy"]], headers: ["Retry-After": "1"]),
            json(200, ["id": "u1"]),
        ])
        #expect(try await client(transport).get("/v1.0/users/u1")["id"].string == "u1")
        #expect(transport.sent.count == 2)
    }
}
