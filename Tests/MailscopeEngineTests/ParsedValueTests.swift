import Foundation
import MailscopeCore
import MailscopeEngine
import MicrosoftClients
import Testing

/// Values read from a config or a form become typed values once (issue 13): a tenant, a secret's
/// source. Every URL with a tenant in it is built from the parsed tenant.
@Suite("Values parsed once at the edge")
struct ParsedValueTests {
    @Test func aTenantWithSpacesAroundItIsRefusedNotSentAsPercentTwenty() throws {
        #expect(throws: TenantID.Problem.surroundingSpace) { try TenantID(parsing: " contoso.onmicrosoft.com ") }
        do {
            _ = try ConfigLoader.parse("preset = \"workable\"\n[tenant]\nid = \" contoso.onmicrosoft.com \"\n")
            Issue.record("a tenant with spaces around it was accepted")
        } catch let error as ConfigError {
            #expect(error.problems.first { $0.field == "tenant.id" }?.message.contains("starts or ends with a space") == true)
        }
    }

    @Test func theTokenURLIsBuiltFromTheParsedTenant() throws {
        let sender = RequestSender(transport: NoTransport(), clock: .immediate())
        let tenant = try TenantID(parsing: "contoso.onmicrosoft.com")
        let identity = IdentityClient(endpoints: .global, tenant: tenant, sender: sender)
        #expect(identity.tokenURL.absoluteString == "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token")
        #expect(!identity.tokenURL.absoluteString.contains("%20"))
    }

    @Test func oneTenantSpelledTwoWaysKeysOneJournal() throws {
        let guid = try TenantID(parsing: "72F988BF-86F1-41AF-91AB-2D7CD011DB47")
        #expect(guid.rawValue == "72f988bf-86f1-41af-91ab-2d7cd011db47")
        #expect(guid.isGUID)
        var upper = SetupConfig(preset: Preset.named("workable")!, tenant: "Contoso.OnMicrosoft.com")
        var lower = upper
        lower.tenant = "contoso.onmicrosoft.com"
        upper.members = ["avery.adams@contoso.com"]
        lower.members = upper.members
        #expect(upper.organizationKey == lower.organizationKey)
    }

    @Test func aMalformedTenantIsNamedWithItsFix() {
        #expect(throws: TenantID.Problem.malformedGUID) { try TenantID(parsing: "72f988bf-86f1-41af-91ab-2d7cd011db4") }
        #expect(throws: TenantID.Problem.empty) { try TenantID(parsing: "") }
        #expect(FieldRules.tenant("contoso")?.message.contains("needs a dot") == true)
    }

    @Test func aSecretHasOneSource() throws {
        let text = """
            preset = "workable"
            [tenant]
            id = "contoso.onmicrosoft.com"
            [auth]
            method = "client-secret"
            client_id = "11111111-2222-3333-4444-555555555555"
            secret_env = "AUTOMATION_SECRET"
            secret_file = "/home/admin/secret"
            [group]
            members = ["avery.adams@contoso.com"]
            """
        do {
            _ = try ConfigLoader.parse(text)
            Issue.record("a config with two secret sources was accepted")
        } catch let error as ConfigError {
            #expect(error.problems.contains { $0.field == "auth.secret_env" && $0.message.contains("both set") })
        }
        let one = try ConfigLoader.parse(text.replacingOccurrences(of: "secret_file = \"/home/admin/secret\"\n", with: ""))
        #expect(one.adminSecret == .environmentVariable("AUTOMATION_SECRET"))
    }

    struct NoTransport: HTTPTransport {
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            throw TransportError.refusedURL(request.url.absoluteString, reason: "no network in this test")
        }
    }
}
