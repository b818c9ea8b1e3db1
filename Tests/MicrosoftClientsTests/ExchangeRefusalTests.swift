import Foundation
import MailscopeCore
import MicrosoftClients
import Testing

/// Exchange's 401 answers: a refused cmdlet is told apart from an expired token.
@Suite("Exchange refusals")
struct ExchangeRefusalTests {
    func client(_ transport: ScriptedTransport, tokens: CountingTokens) -> ExchangeAdminClient {
        ExchangeAdminClient(
            base: URL(string: "http://127.0.0.1:9/exchange")!, tenantID: "contoso.com", anchorMailbox: "UPN:admin@contoso.com",
            tokens: tokens, sender: RequestSender(transport: transport, clock: .immediate()))
    }

    /// The answer quoted in MicrosoftDocs/office-docs-powershell issue #7970.
    static let refusal: JSONValue = [
        "error": [
            "code": "Unauthorized", "message": "User is not allowed to call Get-Mailbox",
            "innererror": [
                "message": "User is not allowed to call Get-Mailbox",
                "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
            ],
        ]
    ]

    @Test func aRefusedCmdletIsNotRetriedWithAFreshToken() async throws {
        let transport = ScriptedTransport([json(401, Self.refusal), json(200, ["value": []])])
        let tokens = CountingTokens()
        let error = await #expect(throws: MicrosoftError.self) {
            try await client(transport, tokens: tokens).invoke("Get-Mailbox")
        }
        #expect(error?.isCmdletRefused == true)
        #expect(error?.message == "User is not allowed to call Get-Mailbox")
        #expect(transport.sent.count == 1)
        #expect(await tokens.refreshes == 0)
    }

    @Test func anExpiredTokenIsRefreshedOnce() async throws {
        let expired = json(
            401, ["error": ["code": "Unauthorized", "message": "The token has expired."]],
            headers: ["WWW-Authenticate": "Bearer error=\"invalid_token\""])
        let transport = ScriptedTransport([expired, json(200, ["value": [["Name": "x"]]])])
        let tokens = CountingTokens()
        let rows = try await client(transport, tokens: tokens).invoke("Get-Mailbox")
        #expect(rows.count == 1)
        #expect(await tokens.refreshes == 1)
        let error = MicrosoftError(service: .exchange, status: 401, code: "Unauthorized", message: "token refused twice", request: "x")
        #expect(!error.isCmdletRefused)
    }
}
