import Foundation
import MailscopeCore
import MicrosoftClients
import Testing

/// Exchange's answers read as documented: a refused cmdlet told apart from an expired token, and a
/// `Get-*` answer taken only for the object asked for.
@Suite("Exchange answers")
struct ExchangeAnswerTests {
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

    @Test func findRefusesAnEmptyIdentityWithoutSending() async throws {
        let transport = ScriptedTransport([])
        for identity: JSONValue in ["", " ", .null] {
            await #expect(throws: MicrosoftError.self) {
                try await client(transport, tokens: CountingTokens()).find("Get-ServicePrincipal", ["Identity": identity])
            }
        }
        #expect(transport.sent.isEmpty)
    }

    @Test func findTakesOnlyTheObjectAskedFor() async throws {
        let all: JSONValue = [
            "value": [
                ["AppId": "aaaa", "ObjectId": "o1", "Identity": "o1"],
                ["AppId": "bbbb", "ObjectId": "o2", "Identity": "o2"],
            ]
        ]
        let transport = ScriptedTransport([json(200, all), json(200, all)])
        let exchange = client(transport, tokens: CountingTokens())
        #expect(try await exchange.find("Get-ServicePrincipal", ["Identity": "BBBB"])?["ObjectId"].string == "o2")
        #expect(try await exchange.find("Get-ServicePrincipal", ["Identity": "cccc"]) == nil)
        let group: JSONValue = [
            "Alias": "sales", "DistinguishedName": "CN=Sales,OU=contoso.onmicrosoft.com,DC=x",
            "EmailAddresses": ["SMTP:sales@contoso.com", "smtp:sales@contoso.onmicrosoft.com"],
        ]
        #expect(ExchangeAdminClient.answers(group, to: "sales@contoso.onmicrosoft.com"))
        #expect(ExchangeAdminClient.answers(group, to: "CN=Sales, OU=contoso.onmicrosoft.com, DC=x"))
        #expect(!ExchangeAdminClient.answers(group, to: "Sales Team"))
    }
}
