import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// `ResolveNames` with the `SMTP:` routing type matches partially against every proxy address
/// (office-developer-exchange-docs `web-service-reference/resolvenames-operation.md`), and a
/// throttled EWS answers `ErrorServerBusy` with `BackOffMilliseconds`
/// (`exchange-web-services/ews-throttling-in-exchange.md`).
@Suite("Exchange Server EWS: partial name resolution and busy answers")
struct EWSNameResolutionTests {
    static func resolveNames(_ entry: String, full: Bool = true) -> String {
        "<m:ResolveNames ReturnFullContactData=\"\(full)\" SearchScope=\"ActiveDirectory\">"
            + "<m:UnresolvedEntry>\(entry)</m:UnresolvedEntry></m:ResolveNames>"
    }

    @Test("SMTP: matches every recipient whose proxy address begins with the entry, in directory order, with their addresses")
    func partialMatchOverProxyAddresses() async throws {
        try await EWSTests.withService(propagated: false) { sim, client in
            // Sam Rivera holds the alias sam@contoso.com.au and comes before Sam (sam@contoso.com).
            try await sim.tenant.addUser(nickname: "sam.rivera", displayName: "Sam Rivera", aliases: ["sam@contoso.com.au"])
            try await sim.tenant.addUser(nickname: "sam", displayName: "Sam")

            let both = try await client.call(Self.resolveNames("SMTP:sam@contoso.com"))
            #expect(both.status == 200)
            let message = try #require(both.xml.first("ResolveNamesResponseMessage"))
            #expect(message.attributes["ResponseClass"] == "Warning")
            #expect(message.first("ResponseCode")?.value == "ErrorNameResolutionMultipleResults")
            #expect(message.first("ResolutionSet")?.attributes["TotalItemsInView"] == "2")
            let resolutions = message.all("Resolution")
            #expect(resolutions.map { $0.first("Mailbox")?.first("EmailAddress")?.value } == ["sam.rivera@contoso.com", "sam@contoso.com"])
            let rivera = resolutions[0].first("Contact")?.first("EmailAddresses")?.all("Entry") ?? []
            #expect(rivera.map(\.value) == ["SMTP:sam.rivera@contoso.com", "smtp:sam.rivera@contoso.onmicrosoft.com", "smtp:sam@contoso.com.au"])
            #expect(rivera.map { $0.attributes["Key"] } == ["EmailAddress1", "EmailAddress2", "EmailAddress3"])
            #expect(resolutions[0].first("ContactSource")?.value == "ActiveDirectory")

            // A typo matches both as well; the alias alone matches one.
            let typo = try await client.call(Self.resolveNames("SMTP:sam@contoso.co"))
            #expect(typo.xml.first("ResolutionSet")?.attributes["TotalItemsInView"] == "2")
            let alias = try await client.call(Self.resolveNames("smtp:SAM@contoso.com.au"))
            let single = try #require(alias.xml.first("ResolveNamesResponseMessage"))
            #expect(single.attributes["ResponseClass"] == "Success")
            #expect(single.all("Resolution").map { $0.first("EmailAddress")?.value } == ["sam.rivera@contoso.com"])
            // Without full contact data there is no Contact.
            let bare = try await client.call(Self.resolveNames("SMTP:sam@contoso.com.au", full: false))
            #expect(bare.xml.first("Contact") == nil)
        }
    }

    @Test("answerEWSServerBusy: the next requests are ErrorServerBusy faults with BackOffMilliseconds, then EWS answers again")
    func serverBusy() async throws {
        try await EWSTests.withService(propagated: false) { sim, client in
            await sim.tenant.answerEWSServerBusy(times: 2, backOff: .milliseconds(2500))
            for _ in 0..<2 {
                let busy = try await client.call(EWSClient.getFolder())
                #expect(busy.status == 500)
                #expect(busy.xml.first("faultcode")?.value == "a:ErrorServerBusy")
                #expect(busy.xml.first("detail")?.first("ResponseCode")?.value == "ErrorServerBusy")
                let value = try #require(busy.xml.first("MessageXml")?.first("Value"))
                #expect(value.attributes["Name"] == "BackOffMilliseconds")
                #expect(value.value == "2500")
            }
            #expect(try await client.call(EWSClient.getFolder()).status == 200)
        }
    }
}
