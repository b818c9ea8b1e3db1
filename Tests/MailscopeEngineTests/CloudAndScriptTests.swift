import Foundation
import MailscopeEngine
import MicrosoftClients
import Testing

/// National clouds and the printed PowerShell's sign-in lines (issue 10, item 14 and "the printed
/// PowerShell must run as it is").
@Suite("clouds and the script's sign-in")
struct CloudAndScriptTests {
    static func config(cloud: String, edit: (inout SetupConfig) -> Void = { _ in }) -> SetupConfig {
        var config = SetupConfig(preset: Preset.named("workable")!, tenant: "contoso.onmicrosoft.us")
        config.cloud = cloud
        config.members = ["avery.adams@contoso.com"]
        edit(&config)
        return config
    }

    @Test func theWireContractsHostTableIsCloudSwift() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/wire-contract.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        for cloud in ["global", "usgov", "dod", "china"] {
            let endpoints = try Self.config(cloud: cloud).endpoints()
            let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("| `\(cloud)`") })
            for url in [endpoints.login, endpoints.graph, endpoints.exchange] {
                #expect(row.contains("`\(url.absoluteString)`"), "\(cloud): \(url)")
            }
        }
        #expect(try Self.config(cloud: "dod").endpoints().exchange.host == "outlook-dod.office365.us")
        #expect(try Self.config(cloud: "china").endpoints().exchange.host == "outlook.office365.cn")
    }

    @Test(arguments: [
        ("global", nil, nil), ("usgov", "USGov", "O365USGovGCCHigh"), ("dod", "USGovDoD", "O365USGovDoD"),
        ("china", "China", "O365China"),
    ] as [(String, String?, String?)])
    func theScriptNamesTheCloudToBothModules(_ cloud: String, _ graph: String?, _ exchange: String?) throws {
        let script = ScriptRenderer.render(Self.config(cloud: cloud))
        let lines = script.split(separator: "\n")
        let mg = try #require(lines.first { $0.hasPrefix("Connect-MgGraph") })
        let exo = try #require(lines.first { $0.hasPrefix("Connect-ExchangeOnline") })
        #expect(mg.contains("-Environment") == (graph != nil))
        if let graph { #expect(mg.contains("-Environment \(graph) ")) }
        #expect(exo.contains("-ExchangeEnvironmentName") == (exchange != nil))
        if let exchange { #expect(exo.contains("-ExchangeEnvironmentName \(exchange) ")) }
        // -Organization is for app-only sign-in, not -Device.
        #expect(!exo.contains("-Organization"))
    }

    @Test func theScriptAsksForTheSameScopesAsTheSignIn() throws {
        let config = Self.config(cloud: "global") { $0.mailboxUser = "svc@contoso.com" }
        let mg = try #require(ScriptRenderer.render(config).split(separator: "\n").first { $0.hasPrefix("Connect-MgGraph") })
        for scope in config.delegatedGraphScopes { #expect(mg.contains("'\(scope)'"), "\(scope)") }
        #expect(mg.contains("'User.ReadWrite.All'"))
        #expect(mg.contains("'LicenseAssignment.ReadWrite.All'"))
    }
}
