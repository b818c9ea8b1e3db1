// libFuzzer target: whole answers through the identity, Graph and Exchange clients, over a
// transport that gives the same fuzzed answer to every request (at most 12) and a clock that never
// waits: the status, Retry-After and body handling of device code, token, get, paging, $batch and
// cmdlet calls.
//
// Input: byte 0 picks the call, byte 1 the status; then an optional Retry-After value ending in a
// newline ("\n" alone for none... any text before the first newline); the rest is the body.
import Foundation
import FuzzDriver
import MailscopeCore
@testable import MicrosoftClients

final class FuzzTransport: HTTPTransport, @unchecked Sendable {
    private let answer: HTTPResponse
    private let lock = NSLock()
    private var sent = 0

    init(_ answer: HTTPResponse) { self.answer = answer }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let number = lock.withLock {
            sent += 1
            return sent
        }
        // Enough: a loop of answers (paging, polling) ends like a connection that broke.
        if number > 12 { throw TransportError.connectionFailed("fuzz: no more answers") }
        return answer
    }
}

struct FixedTokens: AccessTokenProvider {
    func token(for resource: Resource, forceRefresh: Bool) async throws -> AccessToken {
        AccessToken(value: Secret("token"), expiresAt: Date().addingTimeInterval(3600))
    }
}

let statuses = [200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 503, 504]
let base = URL(string: "http://127.0.0.1:9")!
let endpoints = CloudEndpoints(
    login: base.appendingPathComponent("login"), graph: base.appendingPathComponent("graph"),
    exchange: base.appendingPathComponent("exchange"))

func exercise(_ data: Data) async {
    guard data.count >= 2 else { return }
    let call = data[data.startIndex] % 8
    let status = statuses[Int(data[data.startIndex + 1]) % statuses.count]
    var rest = data.dropFirst(2)
    var headers = ["Content-Type": "application/json"]
    if let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
        let value = String(decoding: rest[..<newline], as: UTF8.self)
        if !value.isEmpty { headers["Retry-After"] = value }
        rest = rest[rest.index(after: newline)...]
    }
    let answer = HTTPResponse(status: status, headers: headers, body: Data(rest))
    let sender = RequestSender(transport: FuzzTransport(answer), clock: .immediate())
    let identity = IdentityClient(endpoints: endpoints, tenant: try! TenantID(parsing: "contoso.onmicrosoft.com"), sender: sender)
    let graph = GraphClient(base: endpoints.graph, tokens: FixedTokens(), sender: sender)
    let exchange = ExchangeAdminClient(
        base: endpoints.exchange, tenantID: "4a7c9e21-3b5d-4f68-8e1a-2c6b9d0f7e53", anchorMailbox: "UPN:admin@contoso.com",
        tokens: FixedTokens(), sender: sender)
    do {
        switch call {
        case 0:
            let grant = try await identity.startDeviceCode(clientID: "app", scopes: ["https://graph.microsoft.com/.default"])
            _ = (grant.message, grant.interval, grant.expiresAt)
        case 1:
            let grant = DeviceCodeGrant(
                deviceCode: Secret("code"), userCode: "ABC", verificationURI: "https://microsoft.com/devicelogin",
                expiresAt: sender.clock.now.addingTimeInterval(900), interval: .seconds(5), message: "")
            let tokens = try await identity.completeDeviceCode(grant, clientID: "app")
            _ = tokens.accessToken.claims
        case 2:
            let tokens = try await identity.refresh(clientID: "app", refreshToken: Secret("r"), scope: "https://outlook.office365.com/.default")
            _ = (tokens.accessToken.expiresAt, tokens.refreshToken)
        case 3:
            _ = try await graph.get("/v1.0/organization")
        case 4:
            _ = try await graph.list("/v1.0/groups/g/members?$top=999")
        case 5:
            let answers = try await graph.batch([
                BatchRequest(id: "1", url: "/users/a@contoso.com"), BatchRequest(id: "2", url: "/users/b@contoso.com"),
            ])
            for item in answers { _ = GraphClient.error(of: item, request: "GET /users").description }
        case 6:
            _ = try await exchange.invoke("Get-ManagementScope", ["Identity": "WorkableUsersScope"])
        default:
            _ = try await exchange.find("Get-Recipient", ["Identity": "alex@contoso.com"])
        }
    } catch {
        _ = String(describing: error)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponses(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    let done = DispatchSemaphore(value: 0)
    Task {
        await exercise(data)
        done.signal()
    }
    done.wait()
    return 0
}

@main
enum Main {
    static func main() { runLibFuzzer(fuzzResponses) }
}
