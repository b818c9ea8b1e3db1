import Foundation
import MailscopeCore
import MailscopeEngine
import TenantSimulator
import Testing

/// What Eptura's guides ask that the rooms scope alone does not give (issue 14, part 5): "End
/// Event Early" as an explicit, warned widening of the one scope, and the licensed service account
/// of Eptura Workplace's guide.
@Suite("Eptura's guides: End Event Early and the licensed service account", .serialized)
struct EpturaGuideTests {
    /// An Eptura-preset config against the simulator; `organizer` is the user mailbox outside the rooms.
    static func config(_ harness: Harness, preset: String = "ioffice", endEventEarly: Bool) -> SetupConfig {
        harness.config { config in
            config = SetupConfig(preset: Preset.named(preset)!, tenant: SimulatedTenant.defaultDomain)
            config.cloud = "custom"
            config.loginURL = harness.endpoints.login.absoluteString
            config.graphURL = harness.endpoints.graph.absoluteString
            config.exchangeURL = harness.endpoints.exchange.absoluteString
            config.outOfScopeMailbox = "dana.adams@contoso.com"
            config.endEventEarly = endEventEarly
        }
    }

    @Test(
        "off: the rooms alone, the user outside refused; on: the scope widened, the user reachable and named, not a failure"
    )
    func endEventEarlyWidensTheOneScopeAndSaysSo() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let off = Self.config(harness, endEventEarly: false)
        #expect(try await harness.apply(off) == .verified)
        #expect(
            await harness.tenant.managementScopes().first?.recipientFilter == "RecipientTypeDetails -eq 'RoomMailbox'"
        )
        #expect(
            !(await harness.tenant.canAccess(
                mailbox: "dana.adams@contoso.com",
                appID: try appID(harness),
                permission: "Calendars.ReadWrite"
            ))
        )

        let on = Self.config(harness, endEventEarly: true)
        let plan = try await harness.engine(on).plan()
        let scope = try #require(plan.report(.scope))
        #expect(scope.status == .needsChange)
        #expect(scope.warnings.first?.hasPrefix("WIDER ACCESS, CHOSEN (scope.end_event_early = true)") == true)
        #expect(scope.warnings.first?.contains("every user mailbox and every shared mailbox") == true)
        #expect(scope.changes.map(\.summary).contains { $0.contains("RecipientTypeDetails -eq 'UserMailbox'") })
        #expect(try await harness.apply(on) == .verified)
        let widened = try #require(await harness.tenant.managementScopes().first { $0.name == "ResourceMailboxes" })
        #expect(widened.recipientFilter == EndEventEarly.filter)
        // One assignment per role (ioffice's Graph role and, as it calls EWS, Application EWS.AccessAsApp),
        // each bound to the one scope: never a second, wider one.
        let assignments = await harness.tenant.roleAssignments()
        #expect(assignments.count == on.assignedRoles.count, "one assignment per role")
        #expect(assignments.allSatisfy { $0.customResourceScope == "ResourceMailboxes" }, "all bound to the one scope")
        #expect(
            harness.events.handOff?.contains {
                $0.label == "End Event Early" && $0.value.contains("every user mailbox")
            } == true
        )

        let check = try await harness.engine(on).check()
        for report in check {
            #expect(report.status == .verified || report.status == .skipped, "\(report.stage): \(report.detail)")
        }
        let connect = try #require(check.report(.connect))
        #expect(connect.detail.contains("dana.adams@contoso.com"), "\(connect.detail)")
        #expect(
            connect.steps.contains {
                $0.name.contains("organizer dana.adams@contoso.com") && $0.detail == "200, as chosen"
            }
        )
        #expect(connect.warnings == [EndEventEarly.warning])

        // Off again: the widened filter is drift, and apply narrows it back to the rooms.
        let drift = try await harness.engine(off).check()
        #expect(drift.report(.scope)?.status == .needsChange)
        #expect(try await harness.apply(off) == .verified)
        #expect(
            await harness.tenant.managementScopes().first { $0.name == "ResourceMailboxes" }?.recipientFilter
                == "RecipientTypeDetails -eq 'RoomMailbox'"
        )
    }

    @Test(
        "Exchange Server: the one assignment's scope is widened (never a second, unscoped one); the organizer answers, as chosen"
    )
    func endEventEarlyOnExchangeServer() async throws {
        let setup = try await ServerEngineTests.start()
        defer { Task { await setup.harness.stop() } }
        func config(_ on: Bool) -> SetupConfig {
            var config = setup.config { $0.preset = "ioffice" }
            config.scopeKind = .rooms
            config.scopeName = "ResourceMailboxes"
            config.members = []
            config.inScopeMailbox = "room-alder@contoso.com"
            config.endEventEarly = on
            return config
        }
        #expect(try await setup.engine(config(false)).apply { _ in true } == .verified)
        let narrow = try await setup.engine(config(false)).check()
        #expect(
            narrow.report(.connect)?.evidence.contains {
                $0.contains("dana.adams@contoso.com") && $0.contains("ErrorImpersonateUserDenied")
            } == true
        )

        try await setup.harness.clock.sleep(for: .seconds(60))  // the admin turns it on later
        // On: dana (a user, outside the rooms) is refused, so the scope is not widened yet: the repair step widens it.
        let plan = try await setup.engine(config(true)).plan()
        let scope = try #require(plan.report(.scope))
        #expect(scope.status == .needsChange, "\(scope.detail)")
        #expect(scope.warnings == [EndEventEarly.warning])
        #expect(
            scope.changes.first?.powershell.contains("''UserMailbox'' -or RecipientTypeDetails -eq ''SharedMailbox''")
                == true
        )
        #expect(try await setup.engine(config(true)).apply { _ in true } == .verified)
        let repair = try #require(setup.shell.steps.last)
        #expect(repair.id == "repair-scope")
        #expect(repair.warning?.hasPrefix("WIDER ACCESS, CHOSEN") == true)
        // The repair puts back the one named assignment when it is gone, always with the scope: never
        // a second, unscoped one.
        let creations = repair.command.split(separator: "\n").filter { $0.contains("-Role ApplicationImpersonation -User") }
        #expect(creations.allSatisfy { $0.contains("-CustomRecipientWriteScope 'ResourceMailboxes'") }, "no unscoped assignment")
        #expect(
            creations.allSatisfy { $0.contains("if (Get-ManagementRoleAssignment -Identity 'ResourceImpersonation'") },
            "only in place of the one assignment, when it is missing")
        let check = try await setup.engine(config(true)).check()
        for report in check {
            #expect(report.status == .verified || report.status == .skipped, "\(report.stage): \(report.detail)")
        }
        let connect = try #require(check.report(.connect))
        #expect(
            connect.detail.contains("as chosen for End Event Early, for dana.adams@contoso.com"),
            "\(connect.detail)"
        )
        #expect(connect.warnings == [EndEventEarly.warning])
        // Off again: dana answering is an exposure once more, named and repaired.
        let drift = try await setup.engine(config(false)).check()
        #expect(drift.report(.scope)?.status == .needsChange)
        #expect(drift.report(.scope)?.detail.contains("OUTSIDE the scope") == true)
    }

    @Test("End Event Early on, but a real exposure (a tenant-wide grant) is still named beside the chosen widening")
    func aRealExposureBesideTheWideningIsStillNamed() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let on = Self.config(harness, endEventEarly: true)
        #expect(try await harness.apply(on) == .verified)
        _ = try await harness.tenant.grantTenantWide(appID: try appID(harness), permission: "Calendars.ReadWrite")
        let check = try await harness.engine(on).check()
        // Both are said: the chosen widening (a warning) and the grant that voids the scope (a change).
        #expect(check.report(.scope)?.warnings.first == EndEventEarly.warning)
        let role = try #require(check.report(.impersonationRole))
        #expect(role.status == .needsChange, "\(role.detail)")
        #expect(role.changes.contains { $0.summary.contains("Calendars.ReadWrite") })
    }

    @Test(
        "only the Eptura presets have it, and only with a rooms scope: refused with the field before anything is sent"
    )
    func theChoiceIsRefusedWhereItDoesNotApply() throws {
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(
                "preset = \"nylas\"\n[tenant]\nid = \"contoso.com\"\n[group]\nmembers = [\"a@contoso.com\"]\n[scope]\nend_event_early = true\n"
            )
        }
        do {
            _ = try ConfigLoader.parse(
                "preset = \"eptura\"\n[tenant]\nid = \"contoso.com\"\n[scope]\nkind = \"group\"\nend_event_early = true\n[group]\nmembers = [\"a@contoso.com\"]\n"
            )
            Issue.record("a group scope with End Event Early was accepted")
        } catch let error as ConfigError {
            #expect(
                error.problems.contains {
                    $0.field == "scope.end_event_early" && $0.message.contains("scope.kind = \"rooms\"")
                }
            )
        }
        let config = try ConfigLoader.parse(
            "preset = \"ioffice\"\n[tenant]\nid = \"contoso.com\"\n[scope]\nend_event_early = true\n"
        )
        #expect(config.endEventEarly)
        #expect(
            ServerSteps.assignImpersonation(withTarget(config, .exchangeServer)).command.contains("''SharedMailbox''")
        )
        // The printed script sets the same widened filter, with the warning above it.
        let script = ScriptRenderer.render(config)
        #expect(
            script.contains(
                "$filter = 'RecipientTypeDetails -eq ''RoomMailbox'' -or RecipientTypeDetails -eq ''UserMailbox''"
            )
        )
        #expect(script.contains("# WIDER ACCESS, CHOSEN"))
    }

    @Test(
        "Eptura Workplace's preset turns on the licensed mailbox: made and licensed with the tenant's country, consent named"
    )
    func epturaWorkplaceGetsItsLicensedServiceAccount() async throws {
        let loaded = try ConfigLoader.parse("preset = \"eptura\"\n[tenant]\nid = \"contoso.com\"\n")
        #expect(loaded.mailboxUser == "eptura_service@contoso.com")
        do {
            _ = try ConfigLoader.parse("preset = \"eptura\"\n[tenant]\nid = \"8c1f3a4e-2b6d-4f1a-9e0c-5d7b3a2f1e90\"\n")
            Issue.record("a GUID tenant without service_account.mailbox was accepted")
        } catch let error as ConfigError {
            #expect(error.problems.contains { $0.field == "service_account.mailbox" })
        }
        #expect(try ConfigLoader.parse("preset = \"ioffice\"\n[tenant]\nid = \"contoso.com\"\n").mailboxUser == nil)

        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = Self.config(harness, preset: "eptura", endEventEarly: false)
        #expect(config.mailboxUser == "eptura_service@contoso.com")
        let plan = try await harness.engine(config).plan()
        let account = try #require(plan.report(.serviceAccount))
        #expect(
            account.steps.contains {
                $0.name == "mailbox user" && $0.detail.contains("usage location US (the tenant's country")
            }
        )
        #expect(account.warnings.contains { $0.contains("must also be allowed to consent") })
        #expect(try await harness.apply(config) == .verified)
        let user = try #require(await harness.tenant.user("eptura_service@contoso.com"))
        #expect(user.recipientTypeDetails == "UserMailbox")
        #expect(user.assignedLicenses?.isEmpty == false)
        #expect(
            harness.events.handOff?.contains {
                $0.label == "Service-account mailbox" && $0.value == "eptura_service@contoso.com"
            } == true
        )
    }

    private func appID(_ harness: Harness) async throws -> String {
        try #require(await harness.tenant.applications().first { $0.displayName == "ioffice_service" }?.appId)
    }

    private func withTarget(_ config: SetupConfig, _ target: SetupTarget) -> SetupConfig {
        var config = config
        config.target = target
        return config
    }
}
