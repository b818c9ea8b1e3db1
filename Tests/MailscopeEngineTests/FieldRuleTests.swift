import Foundation
import MailscopeEngine
import Testing

@Suite("Field rules")
struct FieldRuleTests {
    @Test(arguments: ["contoso.com", "contoso.onmicrosoft.com", "6c1a2f6e-8d5b-4c1e-9f00-1234567890ab"])
    func validTenants(_ value: String) { #expect(FieldRules.tenant(value) == nil) }

    @Test(arguments: ["", "contoso", "6c1a2f6e-8d5b-4c1e-9f00-12345678", "con toso.com", "-a.com", "a..com"])
    func invalidTenants(_ value: String) { #expect(FieldRules.tenant(value) != nil) }

    @Test(arguments: ["alex@contoso.com", "room.atlas@contoso.com", "a+b@contoso.co.uk"])
    func validAddresses(_ value: String) { #expect(FieldRules.address(value, field: "x") == nil) }

    @Test(arguments: [
        "alex", "@contoso.com", "a b@contoso.com", "a'b@contoso.com", "a`b@contoso.com", "a@contoso", "a@@contoso.com",
    ])
    func invalidAddresses(_ value: String) { #expect(FieldRules.address(value, field: "x") != nil) }

    @Test func scopeNamesAreLimitedTo64Characters() {
        #expect(FieldRules.exchangeName(String(repeating: "a", count: 64), field: "scope.name") == nil)
        #expect(FieldRules.exchangeName(String(repeating: "a", count: 65), field: "scope.name") != nil)
    }

    @Test func aliasesFollowMailNicknameRules() {
        #expect(FieldRules.alias("WorkableUsers", field: "a") == nil)
        #expect(FieldRules.alias("Workable Users", field: "a") != nil)
        #expect(FieldRules.alias("Räume", field: "a") != nil)
    }

    @Test func printableShowsControlCharacters() {
        #expect(FieldRules.printable("a\nb\u{7}") == "a\\nb\\u{7}")
    }
}
