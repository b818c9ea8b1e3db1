import Foundation
import MailscopeEngine
import Testing

@Suite("Exchange Server configuration, steps and script")
struct ServerConfigTests {
    static let valid = """
        target = "exchange-server"
        preset = "workable"
        [server]
        ews_url = "https://mail.contoso.com/EWS/Exchange.asmx"
        auth = "ntlm"
        [service_account]
        address = "svc-booking@contoso.com"
        logon = "CONTOSO\\\\svc-booking"
        password_env = "MAILSCOPE_SVC_PASSWORD"
        [group]
        members = ["alex@contoso.com", "room-atlas@contoso.com"]
        [connect]
        out_of_scope_mailbox = "ceo@contoso.com"
        """

    @Test func aServerConfigLoads() throws {
        let config = try ConfigLoader.parse(Self.valid)
        #expect(config.target == .exchangeServer)
        #expect(config.ewsAuthentication == .ntlm)
        #expect(config.serviceAccountLogon == "CONTOSO\\svc-booking")
        #expect(config.effectiveGroupAddress == "workableusers@contoso.com")
        #expect(config.organizationKey == "mail.contoso.com")
        #expect(config.impersonationAssignmentName == "WorkableImpersonation")  // the guide's own name
    }

    @Test func everyMissingServerValueIsNamedWithItsFix() {
        let text = """
            target = "exchange-server"
            preset = "workable"
            [server]
            ews_url = "http://mail.contoso.com/EWS/Exchange.asmx"
            simulated_shell = "http://10.0.0.5/_sim/ems"
            [group]
            kind = "microsoft-365"
            members = ["alex@contoso.com"]
            """
        #expect {
            try ConfigLoader.parse(text)
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            let fields = Set(error.problems.map(\.field))
            return fields.isSuperset(of: [
                "server.ews_url", "server.simulated_shell", "service_account.address", "service_account.password_env",
                "group.kind", "connect.out_of_scope_mailbox",
            ]) && error.problems.first { $0.field == "server.ews_url" }!.message.contains("https://")
        }
    }

    @Test func theEWSPathAndTheOutOfScopeMailboxAreChecked() {
        let text = Self.valid
            .replacingOccurrences(of: "/EWS/Exchange.asmx", with: "/owa")
            .replacingOccurrences(of: "ceo@contoso.com", with: "alex@contoso.com")
        #expect {
            try ConfigLoader.parse(text)
        } throws: { error in
            let fields = (error as? ConfigError)?.problems.map(\.field) ?? []
            return fields.contains("server.ews_url") && fields.contains("connect.out_of_scope_mailbox")
        }
    }

    @Test func aRoomsScopeNeedsAnInScopeRoom() {
        let text = Self.valid + "\n[scope]\nkind = \"rooms\"\n"
        #expect {
            try ConfigLoader.parse(text)
        } throws: { error in
            (error as? ConfigError)?.problems.contains { $0.field == "connect.in_scope_mailbox" } ?? false
        }
    }

    @Test func stepsQuoteEveryValueAsALiteral() throws {
        var config = try ConfigLoader.parse(Self.valid)
        config.groupName = "Rooms"
        config.scopeName = "O'Brien $(Stop-Computer) `scope"
        config.preset = "custom"  // no guide's name: the assignment is named after the account
        config.serviceAccountName = "svc'; Remove-Mailbox -Identity ceo; '"
        let role = ServerSteps.assignImpersonation(config)
        #expect(role.command.contains("-CustomRecipientWriteScope 'O''Brien $(Stop-Computer) `scope'"))
        #expect(role.command.contains("-Name 'svc''; Remove-Mailbox -Identity ceo; '' - Impersonation'"))
        // The group's DN is read on the server and its quotes doubled for OPATH.
        #expect(role.command.contains("-replace \"'\", \"''\""))
        #expect(role.warning?.contains("2 hours") == true)
        let mailbox = ServerSteps.createMailbox(config)
        #expect(mailbox.readsPassword)
        #expect(mailbox.command.contains("Read-Host -AsSecureString"))
        #expect(!mailbox.command.contains("Password ="))
    }

    @Test func theScriptHoldsEveryStepAndNoSecret() throws {
        let config = try ConfigLoader.parse(Self.valid)
        let script = ScriptRenderer.render(config)
        for needle in [
            "New-Mailbox", "New-DistributionGroup", "Add-DistributionGroupMember", "New-ManagementScope",
            "New-ManagementRoleAssignment -Name 'WorkableImpersonation' -Role ApplicationImpersonation -User 'svc-booking@contoso.com' -CustomRecipientWriteScope",
            "MemberOfGroup -eq '{0}'",
        ] {
            #expect(script.contains(needle), "missing \(needle)")
        }
        #expect(!script.contains("Connect-MgGraph"))
        #expect(!script.contains("MAILSCOPE_SVC_PASSWORD"))
    }
}
