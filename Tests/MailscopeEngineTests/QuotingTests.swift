import Foundation
import MailscopeEngine
import Testing

@Suite("Filter and PowerShell quoting")
struct QuotingTests {
    @Test func opathDoublesSingleQuotes() {
        #expect(Quoting.opathLiteral("O'Brien") == "'O''Brien'")
        #expect(
            Quoting.memberOfGroupFilter(groupDN: "CN=O'Brien Users,OU=contoso")
                == "MemberOfGroup -eq 'CN=O''Brien Users,OU=contoso'"
        )
    }

    @Test func aQuoteCannotAddAnOperatorToTheFilter() {
        // A hostile group name tries to widen the scope to every mailbox.
        let hostile = "x' -or Name -like '*"
        let filter = Quoting.memberOfGroupFilter(groupDN: "CN=\(hostile),OU=contoso")
        // Parse the literal back: everything after "-eq " is one quoted string.
        let literal = String(filter.dropFirst("MemberOfGroup -eq ".count))
        #expect(literal.hasPrefix("'") && literal.hasSuffix("'"))
        let inner = literal.dropFirst().dropLast()
        // Inside, every quote is doubled, so no single quote ends the literal early.
        #expect(!inner.replacingOccurrences(of: "''", with: "").contains("'"))
    }

    @Test func powershellLiteralsDoubleEveryKindOfSingleQuote() {
        #expect(Quoting.powershellLiteral("it's") == "'it''s'")
        #expect(Quoting.powershellLiteral("it\u{2019}s") == "'it\u{2019}\u{2019}s'")
        // Nothing is interpolated inside single quotes.
        #expect(Quoting.powershellLiteral("$(Remove-Item /) `n") == "'$(Remove-Item /) `n'")
    }

    @Test func scriptQuotesEveryValue() throws {
        var config = try ConfigLoader.parse(ConfigTests.valid)
        config.groupName = "Team's $(whoami) `group`"
        config.scopeName = "Scope'; Remove-Mailbox -Identity *"
        let script = ScriptRenderer.render(config)
        #expect(script.contains("'Team''s $(whoami) `group`'"))
        #expect(script.contains("'Scope''; Remove-Mailbox -Identity *'"))
        #expect(!script.contains("\"Team"))
    }

    @Test func writesRenderTheirPowerShell() {
        let line = PowerShell.line(
            for: .createRoleAssignment(
                name: "svc - Calendars.ReadWrite",
                role: "Application Calendars.ReadWrite",
                scope: "S'1"
            ),
            servicePrincipalID: "sp-1"
        )
        #expect(
            line
                == "New-ManagementRoleAssignment -Name 'svc - Calendars.ReadWrite' -Role 'Application Calendars.ReadWrite' -App 'sp-1' -CustomResourceScope 'S''1' | Out-Null"
        )
    }
}
