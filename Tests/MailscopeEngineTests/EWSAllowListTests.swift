import Foundation
import MailscopeCore
import MailscopeEngine
import TenantSimulator
import Testing

/// Issue 14, part 3: vendors that still call EWS in Exchange Online (`service_account.uses_ews`).
/// The role `Application EWS.AccessAsApp` within the scope, the organisation's `EwsEnabled` and
/// `EwsAllowedAppIDs` (the app added keeping every entry), the EWS proof as the app, the 24-hour
/// window of allow-list changes and the 2027 end, against the simulator on the test clock.
@Suite("EWS in Exchange Online", .serialized)
struct EWSAllowListTests {
    static let kept = OrganizationEWS.prepopulatedAppID

    static func start(listDelay: Duration = .seconds(6 * 3600), clock: WallClock = .immediate()) async throws -> Harness
    {
        try await Harness.start(
            SimulatorOptions(
                propagationDelay: .seconds(3600),
                deviceCodeApprovalPolls: 1,
                ewsAllowListDelay: listDelay
            ),
            clock: clock
        )
    }

    func ewsConfig(_ harness: Harness, _ edit: (inout SetupConfig) -> Void = { _ in }) -> SetupConfig {
        harness.config {
            $0.usesEWS = true
            edit(&$0)
        }
    }

    func appID(_ engine: SetupEngine) async -> String { await engine.currentJournal.ids["appID"] ?? "?" }

    @Test func applyAddsTheAppKeepingTheListWaitsForEWSAndARerunWritesNothing() async throws {
        let harness = try await Self.start()
        defer { Task { await harness.stop() } }
        let planned = try await harness.engine(ewsConfig(harness)).plan()
        let role = try #require(planned.report(.impersonationRole))
        let listChange = try #require(role.changes.first { $0.summary.contains("EWS allow list") })
        #expect(listChange.summary.contains(Self.kept), "the plan shows the whole new list: \(listChange.summary)")
        // The app does not exist yet: the script's $app.AppId joins every entry there is.
        #expect(
            listChange.powershell
                == "Set-OrganizationConfig -EwsAllowedAppIDs ((@('\(Self.kept)') + $app.AppId) -join ',')"
        )

        let engine = try harness.engine(ewsConfig(harness))
        #expect(try await engine.apply { _ in true } == .verified)
        let app = await appID(engine)
        #expect(await harness.tenant.organizationEWSSettings().allowedAppIDs == [Self.kept, app])
        let assignments = await harness.tenant.roleAssignments().filter { $0.role == SetupConfig.ewsRole }
        #expect(assignments.count == 1)
        #expect(assignments.first?.customResourceScope == harness.config().scopeName)
        // The wait lasted until EWS let the app through (the list's 6-hour lag), not 2 hours.
        let journal = await engine.currentJournal
        let listed = try #require(journal.ewsAllowListChangedAt)
        let verified = try #require(journal.verifiedAt)
        #expect(verified.timeIntervalSince(listed) >= 6 * 3600)
        #expect(verified.timeIntervalSince(listed) < 24 * 3600)

        let reports = try await harness.engine(ewsConfig(harness)).check()
        for report in reports { #expect(report.status == .verified, "\(report.stage): \(report.detail)") }
        let connect = try #require(reports.report(.connect))
        #expect(connect.steps.contains { $0.name == "EWS: in-scope mailbox" && $0.status == .verified })
        #expect(connect.steps.contains { $0.name == "EWS: out-of-scope mailbox" && $0.status == .verified })
        #expect(
            connect.evidence.contains {
                $0.contains("EWS as the app: GetFolder calendar of") && $0.contains("ErrorAccessDenied")
            }
        )
        let writes = harness.events.writes.count
        #expect(try await harness.apply(ewsConfig(harness)) == .verified)
        #expect(harness.events.writes.count == writes)
    }

    @Test func theAppRemovedFromTheListIsNamedByCheckAndPutBackWithTheOtherEntries() async throws {
        let harness = try await Self.start()
        defer { Task { await harness.stop() } }
        let engine = try harness.engine(ewsConfig(harness))
        #expect(try await engine.apply { _ in true } == .verified)
        let app = await appID(engine)
        let added = "0b7d2e4f-6a8c-4e1d-9f3b-5c7a9e1d3f5b"
        await harness.tenant.setOrganizationEWS(OrganizationEWS(enabled: true, allowedAppIDs: [Self.kept, added]))

        let reports = try await harness.engine(ewsConfig(harness)).check()
        let role = try #require(reports.report(.impersonationRole))
        #expect(role.status == .needsChange)
        #expect(role.steps.contains { $0.name == "EWS allow list" && $0.detail.contains("not on EwsAllowedAppIDs") })
        #expect(role.changes.contains { $0.powershell.contains("'\(Self.kept),\(added),\(app)'") })

        #expect(try await harness.apply(ewsConfig(harness)) == .verified)
        #expect(await harness.tenant.organizationEWSSettings().allowedAppIDs == [Self.kept, added, app])
    }

    @Test func ewsDisabledForTheOrganisationFailsWithTheCmdletAndApplyWritesNothing() async throws {
        let harness = try await Self.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(ewsConfig(harness)) == .verified)
        await harness.tenant.setOrganizationEWS(OrganizationEWS(enabled: false, allowedAppIDs: [Self.kept]))
        let reports = try await harness.engine(ewsConfig(harness)).check()
        let role = try #require(reports.report(.impersonationRole))
        #expect(role.status == .failed)
        #expect(role.fix?.contains("Set-OrganizationConfig -EwsEnabled $true") == true)
        #expect(role.changes.isEmpty, "mailscope never flips the organisation's switch")
        let writes = harness.events.writes.count
        await #expect(throws: EngineError.self) { try await harness.apply(ewsConfig(harness)) }
        #expect(harness.events.writes.count == writes)
        #expect(await harness.tenant.organizationEWSSettings().enabled == false)

        // Unset counts as False since 1 Oct 2026 (the test clock is in November 2026).
        await harness.tenant.setOrganizationEWS(OrganizationEWS(enabled: nil, allowedAppIDs: []))
        let unset = try await harness.engine(ewsConfig(harness)).check()
        #expect(unset.report(.impersonationRole)?.status == .failed)
    }

    @Test func aListThatTakesLongerThan24HoursEndsTheWaitWithEvidence() async throws {
        let harness = try await Self.start(listDelay: .seconds(30 * 3600))
        defer { Task { await harness.stop() } }
        let engine = try harness.engine(ewsConfig(harness))
        #expect(try await engine.apply { _ in true } == .deadlineReached)
        let final = try #require(
            harness.events.all.compactMap { event -> StageReport? in
                if case .stage(let report) = event, report.stage == .connect { return report }
                return nil
            }.last
        )
        #expect(final.status == .failed)
        #expect(final.detail.contains("EWS refuses the app on the in-scope mailbox, 24 hours after"), "\(final.detail)")
        #expect(final.evidence.contains { $0.contains("HTTP 403") })
        // Before the 24 hours were up, the same refusal was "not verified yet", not a failure.
        let waiting = harness.events.all.compactMap { event -> StageReport? in
            if case .stage(let report) = event, report.stage == .connect, report.status == .waiting { return report }
            return nil
        }
        #expect(waiting.contains { $0.detail.contains("EWS not verified yet: the app was added to EwsAllowedAppIDs at") })
    }

    @Test func fullAccessAsAppReachesTheOutOfScopeMailboxOverEWS() async throws {
        let harness = try await Self.start()
        defer { Task { await harness.stop() } }
        let engine = try harness.engine(ewsConfig(harness))
        #expect(try await engine.apply { _ in true } == .verified)
        let app = await appID(engine)
        try await harness.tenant.grantTenantWide(appID: app, permission: "full_access_as_app")
        let reports = try await harness.engine(ewsConfig(harness)).check()
        let connect = try #require(reports.report(.connect))
        #expect(connect.status == .failed)
        #expect(connect.steps.contains { $0.name == "EWS: out-of-scope mailbox" && $0.detail == "ALLOWED" })
        #expect(
            reports.report(.impersonationRole)?.changes.contains { $0.summary.contains("full_access_as_app") } == true
        )
    }

    @Test func from2027CheckWarnsOfTheEndAndAfterIt() async throws {
        let january = WallClock.immediate(origin: Date(timeIntervalSince1970: 1_799_020_800))  // 2027-01-04
        let harness = try await Self.start(clock: january)
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(ewsConfig(harness)) == .verified)
        let reports = try await harness.engine(ewsConfig(harness)).check()
        let role = try #require(reports.report(.impersonationRole))
        #expect(role.status == .verified)
        #expect(
            role.warnings.contains {
                $0.contains("ends on 1 Apr 2027") && $0.contains("Microsoft Graph")
                    && $0.contains("Application Calendars.ReadWrite")
            }
        )

        let april = WallClock.immediate(origin: Date(timeIntervalSince1970: 1_806_710_400))  // 2027-04-03
        let after = try await Self.start(clock: april)
        defer { Task { await after.stop() } }
        let planned = try await after.engine(ewsConfig(after)).plan()
        let gone = try #require(planned.report(.impersonationRole))
        #expect(gone.status == .failed)
        #expect(gone.detail.contains("ended on 1 Apr 2027"))
        #expect(gone.fix?.contains("Microsoft Graph") == true)

        // November 2026: neither.
        let november = try await Self.start()
        defer { Task { await november.stop() } }
        #expect(try await november.apply(ewsConfig(november)) == .verified)
        let now = try await november.engine(ewsConfig(november)).check()
        #expect(now.report(.impersonationRole)?.warnings.contains { $0.contains("1 Apr 2027") } == false)
    }

    @Test func withoutEWSNothingOfItIsReadOrAssigned() async throws {
        let harness = try await Self.start()
        defer { Task { await harness.stop() } }
        let capture = CapturingTransport()
        #expect(try await harness.engine(harness.config(), transport: capture).apply { _ in true } == .verified)
        #expect(await harness.tenant.roleAssignments().allSatisfy { $0.role != SetupConfig.ewsRole })
        #expect(await harness.tenant.organizationEWSSettings().allowedAppIDs == [Self.kept])
        #expect(!capture.requests.contains { $0.header("X-CmdletName")?.hasSuffix("OrganizationConfig") == true })
        #expect(!capture.requests.contains { $0.url.path.hasSuffix("/EWS/Exchange.asmx") })
    }

    @Test func theVendorsOwnAppIsListedButItsEWSProofIsNamedImpossible() async throws {
        let harness = try await Self.start()
        defer { Task { await harness.stop() } }
        let vendor = PublishedApp.exampleVendorBooking.appId
        let config = ewsConfig(harness) { $0.vendorAppID = vendor }
        #expect(try await harness.apply(config) == .verified)
        #expect(await harness.tenant.organizationEWSSettings().allowedAppIDs == [Self.kept, vendor])
        let handOff = try #require(harness.events.handOff)
        #expect(handOff.contains { $0.label == "EWS URL" && $0.value.hasSuffix("/EWS/Exchange.asmx") })
        #expect(handOff.contains { $0.label == "EWS ends" && $0.value.contains("1 Apr 2027") })
        let reports = try await harness.engine(config).check()
        let connect = try #require(reports.report(.connect))
        #expect(connect.status == .verified)
        #expect(
            connect.steps.contains {
                $0.name == "EWS as the app" && $0.status == .skipped
                    && $0.detail.contains("not testable without the vendor's credential")
            }
        )
    }
}
