import Foundation
import MailscopeEngine
import Testing

/// Delegated access's settings and Workato's role sets, parsed once at the edge: each bad value
/// names its field and the fix, before anything is sent.
@Suite("Delegated access config")
struct DelegatedConfigTests {
    static let workato = """
        preset = "workato"
        [tenant]
        id = "contoso.com"
        [group]
        members = ["alex@contoso.com"]
        """

    static func delegated(_ account: String = "") -> String {
        workato.replacingOccurrences(
            of: "[group]",
            with: "[service_account]\naccess = \"delegated\"\n\(account)\n[group]"
        )
    }


    @Test func workatoDelegatedTakesTheGuidesRedirectURIAndScopes() throws {
        let config = try ConfigLoader.parse(Self.delegated())
        #expect(config.access == .delegated)
        #expect(config.redirectURI == URL(string: "https://www.workato.com/oauth/callback"))
        #expect(config.delegatedScopes == .defaultSet)
        #expect(config.delegatedScopeNames?.count == 7)
        let minimum = try ConfigLoader.parse(Self.delegated("scopes = \"minimum\""))
        #expect(minimum.delegatedScopeNames == ["User.Read", "offline_access"])
        let listed = try ConfigLoader.parse(Self.delegated("scopes = [\"User.Read\", \"Calendars.Read\"]"))
        #expect(listed.delegatedScopes == .list(["User.Read", "Calendars.Read"]))
        let local = try ConfigLoader.parse(Self.delegated("redirect_uri = \"http://localhost:8400/callback\""))
        #expect(local.redirectURI?.host == "localhost")
        // Delegated access needs no group members or roles.
        let noMembers = Self.delegated().replacingOccurrences(of: "members = [\"alex@contoso.com\"]", with: "")
        #expect(configProblems(noMembers).isEmpty)
        let method = try ConfigLoader.parse("method = \"authorization-code\"\n" + Self.delegated())
        #expect(method.guideMethod == "authorization-code")
    }

    @Test(arguments: [
        ("redirect_uri = \"http://evil.example.com/cb\"", "service_account.redirect_uri", "https://"),
        ("redirect_uri = \"https://*.example.com/cb\"", "service_account.redirect_uri", "wildcard"),
        ("redirect_uri = \"callback\"", "service_account.redirect_uri", "absolute URL"),
        ("scopes = [\"Mail.send\"]", "service_account.scopes[0]", "did you mean \"Mail.Send\""),
        (
            "scopes = [\"Directory.ReadWrite.All\"]", "service_account.scopes[0]",
            "not a Microsoft Graph delegated permission"
        ),
        ("scopes = \"all\"", "service_account.scopes", "\"default\" or \"minimum\""),
        ("app_id = \"7a0c3e5b-9d41-4f6e-b2a8-3c5d1e9f0b72\"", "service_account.app_id", "access = \"application\""),
        ("access = \"delegate\"", "service_account.access", "application, delegated"),
    ])
    func aBadDelegatedValueNamesItsFieldAndFix(line: String, field: String, fix: String) {
        let text =
            line.hasPrefix("access")
            ? Self.delegated().replacingOccurrences(of: "access = \"delegated\"", with: line) : Self.delegated(line)
        let found = configProblems(text)
        #expect(found.contains { $0.field == field && $0.message.contains(fix) }, "\(found)")
    }

    @Test func delegatedSettingsWithApplicationAccessAreRefused() {
        let account = Self.workato.replacingOccurrences(of: "[group]", with: "[service_account]\nPLACE\n[group]")
        let redirect = configProblems(
            account.replacingOccurrences(of: "PLACE", with: "redirect_uri = \"https://www.workato.com/oauth/callback\"")
        )
        #expect(
            redirect.contains {
                $0.field == "service_account.redirect_uri" && $0.message.contains("access = \"delegated\"")
            }
        )
        let scopes = configProblems(account.replacingOccurrences(of: "PLACE", with: "scopes = \"minimum\""))
        #expect(
            scopes.contains { $0.field == "service_account.scopes" && $0.message.contains("delegated access only") }
        )
        let method = configProblems("method = \"authorization-code\"\n" + Self.workato)
        #expect(
            method.contains { $0.field == "method" && $0.message.contains("service_account.access = \"delegated\"") }
        )
        let server = configProblems("target = \"exchange-server\"\n" + Self.delegated())
        #expect(server.contains { $0.field == "service_account.access" })
        let custom = configProblems(Self.delegated().replacingOccurrences(of: "workato", with: "custom"))
        #expect(custom.contains { $0.field == "service_account.redirect_uri" && $0.message.contains("required") })
        #expect(custom.contains { $0.field == "service_account.scopes" && $0.message.contains("list them") })
        let workable = configProblems(Self.delegated().replacingOccurrences(of: "workato", with: "workable"))
        #expect(workable.contains { $0.field == "service_account.access" })
    }

    @Test func workatosRoleSetsAreTheGuidesApplicationPermissionsAsRBACRoles() throws {
        let withRoles = { (set: String) in Self.workato + "\n[scope]\nroles = \"\(set)\"\n" }
        let minimum = try ConfigLoader.parse(withRoles("minimum"))
        #expect(minimum.roles == ["Application Mail.Read"])
        let standard = try ConfigLoader.parse(withRoles("default"))
        #expect(
            Set(standard.roles)
                == Set(
                    [
                        "Calendars.Read", "Calendars.ReadWrite", "Contacts.Read", "Contacts.ReadWrite", "Mail.Read",
                        "Mail.ReadWrite", "Mail.Send",
                    ]
                    .map { "Application \($0)" }
                )
        )
        #expect(standard.roles.allSatisfy(ApplicationRole.known.contains))
        #expect(
            configProblems(withRoles("all")).contains { $0.field == "scope.roles" && $0.message.contains("default, minimum") }
        )
        let workable = configProblems(withRoles("minimum").replacingOccurrences(of: "workato", with: "workable"))
        #expect(workable.contains { $0.field == "scope.roles" && $0.message.contains("roles.names") })
        let both = configProblems(withRoles("minimum") + "[roles]\nnames = [\"Application Mail.Read\"]\n")
        #expect(both.contains { $0.field == "scope.roles" && $0.message.contains("both set") })
    }
}
