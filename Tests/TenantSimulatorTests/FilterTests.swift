import Foundation
import Testing

@testable import TenantSimulator

@Suite("Filter parsers")
struct FilterTests {
    @Test("OData: the supported shapes parse, others are refused with the right kind of error")
    func odata() throws {
        #expect(try ODataFilter.parse("proxyAddresses/any(p:p eq 'smtp:a@b.com')") == .anyEquals(collection: "proxyAddresses", value: "smtp:a@b.com"))
        #expect(try ODataFilter.parse("displayName eq 'O''Brien'") == .equals(property: "displayName", value: "O'Brien"))
        #expect(
            try ODataFilter.parse("(appId eq 'a' or appId eq 'b') and startswith(displayName,'M')")
                == .and(.or(.equals(property: "appId", value: "a"), .equals(property: "appId", value: "b")), .startsWith(property: "displayName", prefix: "M")))
        #expect(throws: ODataFilterError.self) { try ODataFilter.parse("displayName ne 'x'") }
        #expect(throws: ODataFilterError.self) { try ODataFilter.parse("displayName eq 'unterminated") }
        #expect(throws: ODataFilterError.self) { try ODataFilter.parse("displayName eq") }
        #expect(throws: ODataFilterError.self) { try ODataFilter.parse("accountEnabled eq true") }
    }

    @Test("OPATH: MemberOfGroup and RecipientTypeDetails with quotes, -and/-or/-not and parentheses")
    func opath() throws {
        let dn = "CN=O'Brien,OU=contoso.onmicrosoft.com"
        #expect(try RecipientFilter.parse("MemberOfGroup -eq 'CN=O''Brien,OU=contoso.onmicrosoft.com'") == .memberOfGroup(dn))
        #expect(try RecipientFilter.parse("MemberOfGroup -eq \"CN=O'Brien,OU=contoso.onmicrosoft.com\"") == .memberOfGroup(dn))
        #expect(try RecipientFilter.parse("recipienttypedetails -EQ 'roommailbox'") == .recipientTypeDetails("RoomMailbox"))
        #expect(
            try RecipientFilter.parse("(RecipientTypeDetails -eq 'RoomMailbox') -or -not (MemberOfGroup -ne 'CN=x')")
                == .or(.recipientTypeDetails("RoomMailbox"), .not(.not(.memberOfGroup("CN=x")))))
        for bad in [
            "MemberOfGroup -eq 'CN=O'Brien'", "MemberOfGroup -like 'x*'", "City -eq 'Paris'", "MemberOfGroup -eq CN",
            "RecipientTypeDetails -eq 'Room'", "(RecipientTypeDetails -eq 'RoomMailbox'", "",
        ] {
            #expect(throws: RecipientFilterError.self, "\(bad)") { try RecipientFilter.parse(bad) }
        }
        let error = #expect(throws: RecipientFilterError.self) { try RecipientFilter.parse("MemberOfGroup -eq 'CN=O'Brien'") }
        #expect(error?.message.hasPrefix("Invalid filter syntax.") == true)
    }
}
