import Foundation
import MailscopeCore
import MicrosoftClients
import Testing

/// Redirects and next links (issue 10, item 10): followed on the service's own host as the Graph
/// SDKs' redirect handler does, refused with a clear error anywhere else, never silently dropped.
@Suite("redirects and next links")
struct RedirectAndPagingTests {
    let base = URL(string: "https://graph.microsoft.com")!

    static func redirect(_ status: Int, to location: String) -> (HTTPRequest) -> Result<HTTPResponse, TransportError> {
        { _ in .success(HTTPResponse(status: status, headers: ["Location": location], body: Data())) }
    }

    func graph(_ transport: ScriptedTransport) -> GraphClient {
        GraphClient(base: base, tokens: CountingTokens(), sender: RequestSender(transport: transport, clock: .immediate()))
    }

    @Test func aRedirectOnTheSameHostIsFollowedWithTheSameMethod() async throws {
        let transport = ScriptedTransport([
            Self.redirect(307, to: "/v1.0/organization?moved=1"), json(200, ["value": [["id": "t"]]]),
        ])
        let answer = try await graph(transport).get("/v1.0/organization")
        #expect(answer["value"].array?.count == 1)
        #expect(transport.sent.map(\.url.absoluteString) == [
            "https://graph.microsoft.com/v1.0/organization", "https://graph.microsoft.com/v1.0/organization?moved=1",
        ])
        #expect(transport.sent.last?.header("Authorization") != nil)
    }

    @Test func aRedirectToAnotherHostIsRefusedAndTheTokenStaysHome() async throws {
        let transport = ScriptedTransport([Self.redirect(302, to: "https://graph.example.net/v1.0/organization")])
        await #expect {
            try await graph(transport).get("/v1.0/organization")
        } throws: { error in
            "\(error)".contains("redirected (302) to another host")
        }
        #expect(transport.sent.count == 1)
    }

    @Test func moreThanFiveRedirectsAreRefused() async throws {
        let transport = ScriptedTransport((0..<7).map { Self.redirect(302, to: "/v1.0/organization?hop=\($0)") })
        await #expect(throws: TransportError.self) { try await graph(transport).get("/v1.0/organization") }
        #expect(transport.sent.count == RequestSender.maximumRedirects + 1)
    }

    @Test func anExchangeNextLinkToAnotherHostIsAnErrorNotATruncatedAnswer() async throws {
        let exchangeBase = URL(string: "https://outlook.office365.com")!
        let transport = ScriptedTransport([
            json(
                200,
                [
                    "value": [["Name": "a"]],
                    "@odata.nextLink": "https://elsewhere.example.net/adminapi/beta/t/InvokeCommand?$skiptoken=2",
                ])
        ])
        let exchange = ExchangeAdminClient(
            base: exchangeBase, tenantID: "t", anchorMailbox: "admin@contoso.com", tokens: CountingTokens(),
            sender: RequestSender(transport: transport, clock: .immediate()))
        await #expect {
            try await exchange.invoke("Get-Mailbox", ["ResultSize": "Unlimited"])
        } throws: { error in
            (error as? MicrosoftError)?.code == "UnexpectedNextLink"
        }
    }
}
