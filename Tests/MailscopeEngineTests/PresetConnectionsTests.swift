import Foundation
import MailscopeCore
import MailscopeEngine
import TenantSimulator
import Testing

/// Each preset's vendor guide against today's platform (issue 16): the table, the guide's names,
/// the vendor form's fields on the hand-off, and the refusal of a method that no longer works.
@Suite("presets tell the truth about their vendor's guide", .serialized)
struct PresetConnectionsTests {
    /// The vendor forms' fields, in the guides' words and order (issue 16; Workato's Outlook
    /// connector guide, docs.workato.com/connectors/outlook; Workable's alternate configuration).
    static let expectedForms: [String: [SetupTarget: [String]]] = [
        "workable": [.exchangeOnline: [], .exchangeServer: ["Primary email address", "Password"]],
        "workato": [.exchangeOnline: ["Tenant ID/Domain", "User ID", "Client ID", "Client secret"]],
        "eptura": [.exchangeOnline: [], .exchangeServer: []],
        "ioffice": [.exchangeOnline: [], .exchangeServer: []],
        "nylas": [.exchangeOnline: [], .exchangeServer: []],
        "custom": [.exchangeOnline: [], .exchangeServer: []],
    ]

    @Test func everyPresetHasATableAndTheFormsAreTheGuides() {
        #expect(PresetConnections.all.map(\.presetID) == Preset.all.map(\.id))
        for table in PresetConnections.all {
            let expected = try! #require(Self.expectedForms[table.presetID], "\(table.presetID)")
            for target in [SetupTarget.exchangeOnline, .exchangeServer] {
                let fields = table.lead(on: target)?.form.fields.map(\.label)
                #expect(fields == expected[target], "\(table.presetID) on \(target)")
                // A lead names a guide method only where the table says the method is usable there.
                if let id = table.lead(on: target)?.methodID {
                    #expect(table.method(id)?.verdict(on: target).isUsable == true, "\(table.presetID) \(id)")
                }
            }
            #expect((table.exchangeOnline == nil || table.exchangeServer == nil) == (table.noLead != nil))
        }
        // The facts the issue names.
        let workable = PresetConnections.of("workable")
        #expect(workable.method("alternate")?.exchangeOnline.word == "no longer possible")
        #expect(workable.method("alternate")?.exchangeServer.word == "works")
        #expect(workable.method("standard")?.exchangeOnline.detail?.contains("service_account.app_id") == true)
        #expect(PresetConnections.of("workato").exchangeServer == nil)
        #expect(PresetConnections.of("ioffice").exchangeServer?.proofNote?.label == "Remote Connectivity Analyzer")
    }

    /// The README's overview (issue 14): per vendor and target, which way it connects and what the
    /// hand-off gives, with the ways issue 14 adds (Workato's authorization code, iOFFICE's EWS as an app).
    @Test func everyVendorSaysHowItConnectsAndWhatTheHandOffGives() throws {
        let overview = PresetConnections.connectionMarkdown
        #expect(overview.count == 2 + Preset.all.count * 2)
        for table in PresetConnections.all {
            for target in [SetupTarget.exchangeOnline, .exchangeServer] {
                guard let lead = table.lead(on: target) else { continue }
                #expect(!lead.connectsBy.isEmpty && !lead.handOffGives.isEmpty, "\(table.presetID) on \(target)")
            }
        }
        let row = { (vendor: String, target: String) in overview.first { $0.hasPrefix("| \(vendor) | \(target) |") } ?? "" }
        #expect(row("Workato", "Exchange Online").contains("authorization-code grant"))
        #expect(row("Workato", "Exchange Online").contains("https://www.workato.com/oauth/callback"))
        #expect(row("Workato", "Exchange Online").contains("Tenant ID/Domain, User ID, Client ID, Client secret"))
        #expect(row("Workato", "Exchange Server").contains("nothing: "))
        #expect(row("iOFFICE", "Exchange Online").contains("EwsAllowedAppIDs"))
        #expect(row("iOFFICE", "Exchange Server").contains("EWS impersonation as the guide says"))
        #expect(row("Workable", "Exchange Online").contains("service_account.app_id"))
        #expect(row("Eptura Workplace", "Exchange Online").contains("licensed service account"))
        #expect(PresetConnections.markdown.hasPrefix(overview.joined(separator: "\n")))
        let plain = PresetConnections.of("nylas").plainLines(target: .exchangeServer)
        #expect(plain.contains { $0.hasPrefix("    connects by: EWS impersonation") })
    }

    @Test func presetsUseTheGuidesOwnNames() throws {
        let workable = try #require(Preset.named("workable"))
        #expect(workable.serviceAccountName == "workable_service")
        #expect(workable.groupName == "WorkableUsers")
        #expect(workable.scopeName == "WorkableUsersScope")
        #expect(workable.impersonationAssignmentName == "WorkableImpersonation")
        let ioffice = try #require(Preset.named("ioffice"))
        #expect(ioffice.scopeKind == .rooms)
        #expect(ioffice.scopeName == "ResourceMailboxes")
        #expect(ioffice.impersonationAssignmentName == "ResourceImpersonation")
        var config = SetupConfig(preset: ioffice, tenant: "")
        config.target = .exchangeServer
        config.inScopeMailbox = "room-alder@contoso.com"
        #expect(ServerSteps.assignImpersonation(config).command.contains("-Name 'ResourceImpersonation'"))
        #expect(ServerSteps.assignImpersonation(config).command.contains("-CustomRecipientWriteScope 'ResourceMailboxes'"))
        // Without a guide's name the assignment is named after the service account, as before.
        #expect(SetupConfig(preset: try #require(Preset.named("nylas")), tenant: "").impersonationAssignmentName == "nylas_service - Impersonation")
    }

    @Test func theReadmeShowsTheTable() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let begin =
            "<!-- presets:begin (generated from PresetConnections.all; MAILSCOPE_RECORD_PRESETS=1 swift test --filter PresetConnectionsTests rewrites it) -->"
        let end = "<!-- presets:end -->"
        let expected = begin + "\n" + PresetConnections.markdown + "\n" + end
        if ProcessInfo.processInfo.environment["MAILSCOPE_RECORD_PRESETS"] == "1",
            let start = text.range(of: begin), let stop = text.range(of: end)
        {
            var updated = text
            updated.replaceSubrange(start.lowerBound..<stop.upperBound, with: expected)
            try updated.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(text.contains(expected), "README.md's preset section differs from PresetConnections.all: rerun with MAILSCOPE_RECORD_PRESETS=1")
    }

    @Test func aMethodNoLongerPossibleIsRefusedWithWhyAndTheAlternative() throws {
        let text = """
            preset = "workable"
            method = "alternate"
            [tenant]
            id = "contoso.com"
            [group]
            members = ["alex@contoso.com"]
            """
        #expect {
            try ConfigLoader.parse(text)
        } throws: { error in
            guard let problem = (error as? ConfigError)?.problems.first(where: { $0.field == "method" }) else { return false }
            return problem.message.contains("no longer possible") && problem.message.contains("Feb 2025")
                && problem.message.contains("Instead:") && problem.message.contains("target = \"exchange-server\"")
        }
        // The same method on Exchange Server is the one mailscope leads to.
        let server = try SetupConfig(preset: #require(Preset.named("workable")), tenant: "")
        #expect(PresetConnections.of("workable").problem(method: "alternate", on: .exchangeServer) == nil)
        #expect(PresetConnections.of("workable").problem(method: "standard", on: .exchangeServer)?.message.contains("does not apply") == true)
        #expect(server.guideMethod == nil)
        // A preset with no path on a target is refused on the target.
        #expect(PresetConnections.of("workato").problem(method: nil, on: .exchangeServer)?.field == "target")
    }

    @Test func nothingIsCreatedForARefusedMethod() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let before = await harness.inventory()
        let config = harness.config { $0.guideMethod = "alternate" }
        #expect(throws: ConfigError.self) { try harness.engine(config) }
        #expect(await harness.inventory() == before)
        #expect(await harness.recorder.count == 0)
        #expect(harness.events.writes.isEmpty)
    }

    @Test func workatosHandOffIsItsFormInItsOrder() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config { $0.preset = "workato" }
        #expect(try await harness.apply(config) == .verified)
        let handOff = try #require(harness.events.handOff)
        #expect(
            handOff.prefix(5).map(\.label)
                == ["Tenant ID/Domain", "User ID", "Client ID", "Client secret (shown once)", "Enter them in"])
        #expect(handOff[0].value == SimulatedTenant.tenantID)
        #expect(handOff[1].value == Harness.members[0])
        #expect(handOff[3].isSecret)
        #expect(handOff[4].value.contains("Outlook connection"))
        // Nothing the form takes is repeated, and mailscope's other values follow.
        #expect(!handOff.dropFirst(5).contains { $0.label == "Client (application) ID" || $0.label == "Tenant ID" || $0.isSecret })
        #expect(handOff.contains { $0.label == "Token endpoint" })
    }

    @Test func workablesHandOffOnExchangeServerIsItsForm() async throws {
        let setup = try await ServerEngineTests.start()
        defer { Task { await setup.harness.stop() } }
        let config = setup.config()
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        let handOff = try #require(setup.harness.events.handOff)
        #expect(
            handOff.prefix(3).map(\.label)
                == ["Primary email address", "Password", "Enter them in"])
        #expect(handOff[0].value == "svc-booking@contoso.com")
        #expect(handOff[1].value == "in $SVC_PASSWORD (not shown)")
        #expect(handOff[2].value.hasPrefix("Workable: Settings > Integrations"))
        #expect(handOff.contains { $0.label == "Role assignment" && $0.value == "WorkableImpersonation" })
        #expect(!String(describing: handOff).contains(ServerEngineTests.password))
    }

    /// Every preset, on Exchange Online: apply, check, and a hand-off that starts with its form.
    @Test(arguments: Preset.all.map(\.id))
    func everyPresetAppliesChecksAndHandsOffOnExchangeOnline(_ id: String) async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let preset = try #require(Preset.named(id))
        let config = harness.config {
            $0 = SetupConfig(preset: preset, tenant: $0.tenant)
            $0.cloud = "custom"
            $0.loginURL = harness.endpoints.login.absoluteString
            $0.graphURL = harness.endpoints.graph.absoluteString
            $0.exchangeURL = harness.endpoints.exchange.absoluteString
            if preset.scopeKind == .group { $0.members = Harness.members }
            // Nylas's guide connects users by their primary address only (NylasGuideTests).
            if id == "nylas" { $0.members = $0.members.map { $0 == "badams@contoso.com" ? "blake.adams@contoso.com" : $0 } }
        }
        #expect(try await harness.apply(config) == .verified, "\(id)")
        let reports = try await harness.engine(config).check()
        for report in reports {
            // A rooms-only scope has no group: that stage is skipped.
            let expected: StageStatus = report.stage == .distributionGroup && preset.scopeKind == .rooms ? .skipped : .verified
            #expect(report.status == expected, "\(id) \(report.stage): \(report.detail)")
        }
        let handOff = try #require(harness.events.handOff)
        let lead = try #require(PresetConnections.of(id).lead(on: .exchangeOnline))
        let labels = lead.form.fields.map(\.label).map { $0 == "Client secret" ? "Client secret (shown once)" : $0 }
        #expect(Array(handOff.prefix(labels.count).map(\.label)) == labels, "\(id)")
        #expect(handOff.contains { $0.label == "Tenant ID" || $0.label == "Tenant ID/Domain" })
    }

    /// Every preset the table leads somewhere on Exchange Server: apply (its EMS steps run on the
    /// simulated server), check, and a hand-off that starts with its form.
    @Test(arguments: Preset.all.map(\.id).filter { PresetConnections.of($0).exchangeServer != nil })
    func everyPresetAppliesChecksAndHandsOffOnExchangeServer(_ id: String) async throws {
        let setup = try await ServerEngineTests.start()
        defer { Task { await setup.harness.stop() } }
        let preset = try #require(Preset.named(id))
        let base = setup.config()
        var config = SetupConfig(preset: preset, tenant: "")
        config.target = .exchangeServer
        config.ewsURL = base.ewsURL
        config.ewsAuthentication = base.ewsAuthentication
        config.serviceAccountAddress = base.serviceAccountAddress
        config.serviceAccountLogon = base.serviceAccountLogon
        config.servicePassword = base.servicePassword
        config.outOfScopeMailbox = base.outOfScopeMailbox
        if preset.scopeKind == .group {
            config.members = base.members
        } else {
            config.inScopeMailbox = "room-alder@contoso.com"
        }
        #expect(try await setup.engine(config).apply { _ in true } == .verified, "\(id)")
        let reports = try await setup.engine(config).check()
        for report in reports {
            // A rooms-only scope has no group: that stage is skipped.
            let expected: StageStatus = report.stage == .distributionGroup && preset.scopeKind == .rooms ? .skipped : .verified
            #expect(report.status == expected, "\(id) \(report.stage): \(report.detail)")
        }
        let handOff = try #require(setup.harness.events.handOff)
        let labels = try #require(PresetConnections.of(id).exchangeServer).form.fields.map(\.label)
        #expect(Array(handOff.prefix(labels.count).map(\.label)) == labels, "\(id)")
        #expect(handOff.contains { $0.label == "Role assignment" && $0.value == config.impersonationAssignmentName })
        if id == "ioffice" { #expect(handOff.contains { $0.label == "Remote Connectivity Analyzer" }) }
    }

    /// The guides' "users added to the group later work after about 30 minutes".
    @Test func aReCheckNamesAMemberAddedSinceTheLastRunWithItsWait() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config()
        #expect(try await harness.apply(config) == .verified)
        let quiet = try await harness.engine(config).check()
        #expect(quiet.report(.distributionGroup)?.warnings.contains { $0.contains("since the last run") } == false)

        try await harness.clock.sleep(for: .seconds(600))  // the immediate clock moves on at once
        try await harness.tenant.addGroupMember(group: "WorkableUsers", member: "dana.adams@contoso.com")
        let reports = try await harness.engine(config).check()
        let warnings = reports.report(.distributionGroup)?.warnings ?? []
        let note = try #require(warnings.first { $0.contains("dana.adams@contoso.com joined") }, "\(warnings)")
        #expect(note.contains("joined the group since the last run (10 min ago)"))
        #expect(note.contains("Workable's guide says about 30 minutes"))
        // Told once: the next re-check knows the member.
        let again = try await harness.engine(config).check()
        #expect(again.report(.distributionGroup)?.warnings.contains { $0.contains("dana.adams@contoso.com joined") } == false)
    }

    @Test func onExchangeServerTooAReCheckNamesAMemberAddedSinceTheLastRun() async throws {
        let setup = try await ServerEngineTests.start()
        defer { Task { await setup.harness.stop() } }
        let config = setup.config { $0.members = $0.members.filter { $0 != "casey.adams@contoso.com" } }
        #expect(try await setup.engine(config).apply { _ in true } == .verified)
        try await setup.runInShell("Add-DistributionGroupMember -Identity 'WorkableUsers' -Member 'casey.adams@contoso.com'")
        let reports = try await setup.engine(config).check()
        let warnings = reports.report(.distributionGroup)?.warnings ?? []
        let note = try #require(warnings.first { $0.contains("casey.adams@contoso.com joined") }, "\(warnings)")
        #expect(note.contains("Workable's guide says about 30 minutes; Exchange Server's cache can take up to 2 hours"))
        let again = try await setup.engine(config).check()
        #expect(again.report(.distributionGroup)?.warnings.contains { $0.contains("joined the group") } == false)
    }

    @Test func iofficesHandOffSaysTheEWSProofStandsInForTheAnalyzer() {
        var config = SetupConfig(preset: Preset.named("ioffice")!, tenant: "")
        config.target = .exchangeServer
        config.serviceAccountAddress = "svc@contoso.com"
        let items = [
            HandOffItem(label: "EWS URL", value: "https://mail.contoso.com/EWS/Exchange.asmx"),
            HandOffItem(label: "Service account", value: "svc@contoso.com"),
        ]
        let arranged = PresetConnections.arrangedHandOff(items, config: config)
        #expect(arranged.prefix(2) == items[...])
        #expect(arranged.contains { $0.label == "Remote Connectivity Analyzer" && $0.value.contains("EWS proof stands in") })
        #expect(arranged.last?.label == "iOFFICE's form")
    }
}
