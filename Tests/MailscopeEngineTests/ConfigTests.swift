import Foundation
import MailscopeEngine
import Testing

@Suite("Config loading and validation")
struct ConfigTests {
    static let valid = """
        preset = "workable"
        [tenant]
        id = "contoso.com"
        [group]
        members = ["alex@contoso.com", "room-atlas@contoso.com"]
        """

    @Test func presetFillsDefaults() throws {
        let config = try ConfigLoader.parse(Self.valid)
        #expect(config.serviceAccountName == "workable_service")
        #expect(config.groupName == "WorkableUsers")
        #expect(config.scopeKind == .group)
        #expect(config.roles.contains("Application Calendars.ReadWrite"))
        #expect(config.members.count == 2)
    }

    @Test func explicitValuesOverrideThePreset() throws {
        let config = try ConfigLoader.parse(Self.valid + "\n[scope]\nname = \"MyScope\"\n")
        #expect(config.scopeName == "MyScope")
    }

    @Test func roomsPresetNeedsNoMembers() throws {
        let config = try ConfigLoader.parse("preset = \"eptura\"\n[tenant]\nid = \"contoso.com\"\n")
        #expect(config.scopeKind == .rooms)
        #expect(config.scopeName == "ResourceMailboxes")
    }

    /// Found by scripts/fuzz: each of these stopped the process inside the TOML parser (an assertion
    /// in toml++), instead of being reported.
    @Test(arguments: ["[+", "[\n", "[\u{1}\"\"\"", "[\u{612}", "[[ {x}]]\n", "\u{FEFF}[+", "l=[}", "a = [\n  1,\n  }\n]"])
    func invalidTOMLThatCrashedTheParserIsReported(_ text: String) {
        #expect {
            try ConfigLoader.parse(text)
        } throws: { error in
            (error as? ConfigError)?.problems.first?.message.hasPrefix("not valid TOML") == true
        }
    }

    @Test func tableHeadersAndListsThatAreFineStayFine() throws {
        // Brackets and braces inside strings and comments, a list of lists on its own lines.
        let text = Self.valid + """

            [roles] # a comment with [+ and }
            names = ["Application Calendars.ReadWrite"]
            [connect]
            out_of_scope_mailbox = "x[}@contoso.com"
            """
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(text) }  // x[}@… is no address; but TOML parsed
        do {
            _ = try ConfigLoader.parse(text)
        } catch let error as ConfigError {
            #expect(!error.problems.contains { $0.message.hasPrefix("not valid TOML") })
        }
        _ = try ConfigLoader.parse(Self.valid + "\n[roles]\nnames = [\n  \"Application Calendars.ReadWrite\", # [+ }\n]\n")
    }

    @Test func everyProblemIsReportedWithItsField() {
        let text = """
            preset = "workable"
            [tenant]
            id = "not a tenant"
            cloud = "mars"
            [group]
            members = ["bob at contoso.com"]
            [roles]
            names = ["ApplicationImpersonation"]
            [service_acount]
            name = "x"
            """
        do {
            _ = try ConfigLoader.parse(text)
            Issue.record("expected an error")
        } catch let error as ConfigError {
            let fields = Set(error.problems.map(\.field))
            #expect(fields.contains("tenant.id"))
            #expect(fields.contains("tenant.cloud"))
            #expect(fields.contains("group.members[0]"))
            #expect(fields.contains("roles.names"))
            #expect(fields.contains("service_acount"))
            #expect(error.description.contains("removed from Exchange Online"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func malformedTOMLNamesTheLine() {
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("preset = \"workable\"\n[tenant\nid = 1") }
        do {
            _ = try ConfigLoader.parse("preset = \"workable\"\n[tenant\nid = 1")
        } catch let error as ConfigError {
            #expect(error.problems.first?.field.hasPrefix("line") == true)
        } catch {}
    }

    @Test func plainHTTPIsOnlyForLoopback() {
        let text = """
            preset = "workable"
            [tenant]
            id = "contoso.com"
            cloud = "custom"
            login = "http://login.example.com"
            graph = "http://127.0.0.1:1/graph"
            exchange = "https://outlook.office365.com"
            [group]
            members = ["alex@contoso.com"]
            """
        do {
            _ = try ConfigLoader.parse(text)
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.problems.contains { $0.field == "tenant.login" && $0.message.contains("loopback") })
            #expect(!error.problems.contains { $0.field == "tenant.graph" })
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func secretsNeverLiveInTheConfig() {
        let text =
            Self.valid + "\n[auth]\nmethod = \"client-secret\"\nclient_id = \"11111111-2222-3333-4444-555555555555\"\n"
        do {
            _ = try ConfigLoader.parse(text)
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.problems.contains { $0.field == "auth.secret_env" })
        } catch {}
        // A literal secret key is not even a known setting.
        do {
            _ = try ConfigLoader.parse(text + "client_secret = \"abc\"\n")
        } catch let error as ConfigError {
            #expect(error.problems.contains { $0.field == "auth.client_secret" })
        } catch {}
    }

    @Test func hostileNamesAreRejectedBeforeAnythingIsSent() {
        let text = Self.valid + "\n[scope]\nname = \"a\\nb\"\n"
        do {
            _ = try ConfigLoader.parse(text)
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.problems.contains { $0.field == "scope.name" && $0.message.contains("line break") })
        } catch {}
    }

    @Test func usesEWSIsReadAndIOFFICETurnsItOnForExchangeOnlineOnly() throws {
        #expect(try ConfigLoader.parse(Self.valid).usesEWS == false)
        let on = try ConfigLoader.parse(Self.valid + "\n[service_account]\nuses_ews = true\n")
        #expect(on.usesEWS)
        #expect(on.assignedRoles == on.roles + ["Application EWS.AccessAsApp"])
        #expect(on.assignedRoles.filter { $0 == "Application EWS.AccessAsApp" }.count == 1)
        let ioffice = try ConfigLoader.parse("preset = \"ioffice\"\n[tenant]\nid = \"contoso.com\"\n")
        #expect(ioffice.usesEWS)
        let off = try ConfigLoader.parse(
            "preset = \"ioffice\"\n[tenant]\nid = \"contoso.com\"\n[service_account]\nuses_ews = false\n")
        #expect(!off.usesEWS)
        #expect(off.assignedRoles == off.roles)
    }

    @Test func usesEWSOnExchangeServerIsRefusedAndTheIOFFICEDefaultDoesNotApply() throws {
        let server = """
            target = "exchange-server"
            preset = "ioffice"
            [server]
            ews_url = "https://mail.contoso.com/EWS/Exchange.asmx"
            [service_account]
            address = "svc@contoso.com"
            password_env = "SVC_PASSWORD"
            """
        let probes = "\n[connect]\nin_scope_mailbox = \"room-atlas@contoso.com\"\nout_of_scope_mailbox = \"ceo@contoso.com\"\n"
        #expect(try ConfigLoader.parse(server + probes).usesEWS == false)
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(server + "\nuses_ews = true\n" + probes) }
        do {
            _ = try ConfigLoader.parse(server + "\nuses_ews = true\n" + probes)
        } catch let error as ConfigError {
            let problem = try #require(error.problems.first { $0.field == "service_account.uses_ews" })
            #expect(problem.message.contains("Exchange Online only"))
            #expect(problem.message.contains("remove uses_ews"))
        }
    }
}
