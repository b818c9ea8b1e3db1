import Foundation
import MailscopeCore
import MailscopeEngine
import TenantSimulator
import Testing

/// Issue 14, part 4 (Exchange Online): an app limited years ago by an application access policy is
/// moved to RBAC for Applications as Microsoft's migration says: the scope from the policy's group,
/// the scoped assignments, the Entra grants removed, then the policy removed, last. A policy beside
/// RBAC assignments is a conflict `check` names.
@Suite("Application access policies replaced by RBAC", .serialized)
struct AccessPolicyMigrationTests {
    static let vendor = PublishedApp.exampleVendorBooking
    static let permission = "Calendars.ReadWrite"

    /// The tenant of years ago: the vendor's app consented tenant-wide, limited by a RestrictAccess
    /// policy to a mail-enabled security group of the configured members.
    func legacyTenant(_ harness: Harness, group: String = "WorkableUsers") async throws -> ApplicationAccessPolicy {
        try await harness.tenant.consentToPublishedApp(appID: Self.vendor.appId, permissions: [Self.permission])
        try await harness.tenant.addMailEnabledSecurityGroup(name: group, members: Harness.members)
        let policy = try await harness.tenant.addApplicationAccessPolicy(appID: Self.vendor.appId, group: group)
        await harness.tenant.settlePropagation()  // years ago: in force
        return policy
    }

    func config(_ harness: Harness) -> SetupConfig {
        harness.config {
            $0.vendorAppID = Self.vendor.appId
            $0.groupKind = .mailEnabledSecurity
        }
    }

    func outsider(_ harness: Harness) async throws -> String {
        let users = await harness.tenant.users()
        let outside = users.first {
            $0.recipientTypeDetails == "UserMailbox" && !Harness.members.contains($0.primarySmtpAddress ?? "")
        }
        return try #require(outside?.primarySmtpAddress)
    }

    func index(of write: (Write) -> Bool, in writes: [Write]) -> [Int] { writes.indices.filter { write(writes[$0]) } }

    @Test func thePolicyIsShownWithItsGroupAndRemovedLastThenItsReturnIsNamedAndRepaired() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let policy = try await legacyTenant(harness)
        let outside = try await outsider(harness)
        let member = Harness.members[0]
        #expect(await harness.tenant.canAccess(mailbox: member, appID: Self.vendor.appId, permission: Self.permission))
        #expect(
            !(await harness.tenant.canAccess(mailbox: outside, appID: Self.vendor.appId, permission: Self.permission))
        )

        // Detected in the plan: the policy with its group and right, its removal last.
        let planned = try await harness.engine(config(harness)).plan()
        let scope = try #require(planned.report(.scope))
        let step = try #require(scope.steps.first { $0.name == "access policy RestrictAccess WorkableUsers" })
        #expect(step.status == .needsChange)
        #expect(scope.evidence.contains { $0.contains("Get-ApplicationAccessPolicy → 1") })
        let summaries = scope.changes.map(\.summary)
        #expect(
            summaries.last?.contains("Remove the application access policy (RestrictAccess to WorkableUsers)") == true
        )
        #expect(
            scope.changes.last?.powershell
                == "Remove-ApplicationAccessPolicy -Identity '\(policy.identity)' -Confirm:$false"
        )

        // Applied: assignments, then the grants, then the policy.
        let engine = try harness.engine(config(harness))
        #expect(try await engine.apply { _ in true } == .verified)
        #expect(await harness.tenant.accessPolicies(appID: Self.vendor.appId).isEmpty)
        #expect(await harness.tenant.grants(appID: Self.vendor.appId).isEmpty)
        let order = await engine.currentJournal.completedWrites.map(\.write)
        let assignments = index(of: { if case .createRoleAssignment = $0 { true } else { false } }, in: order)
        let grants = index(of: { if case .removeTenantWideGrant = $0 { true } else { false } }, in: order)
        let removal = index(of: { if case .removeAccessPolicy = $0 { true } else { false } }, in: order)
        #expect(removal.count == 1)
        #expect((assignments + grants).allSatisfy { $0 < removal[0] }, "the policy goes last: \(order)")
        await harness.tenant.settlePropagation()
        #expect(await harness.tenant.canAccess(mailbox: member, appID: Self.vendor.appId, permission: Self.permission))
        #expect(
            !(await harness.tenant.canAccess(mailbox: outside, appID: Self.vendor.appId, permission: Self.permission))
        )

        let clean = try await harness.engine(config(harness)).check()
        for report in clean { #expect(report.status == .verified, "\(report.stage): \(report.detail)") }
        #expect(clean.report(.scope)?.evidence.contains { $0.contains("Get-ApplicationAccessPolicy → 0") } == true)

        // Drift: someone follows the old guide again. check names the conflict; apply removes it.
        try await harness.tenant.addApplicationAccessPolicy(appID: Self.vendor.appId, group: "WorkableUsers")
        let drifted = try await harness.engine(config(harness)).check()
        let again = try #require(drifted.report(.scope))
        #expect(again.status == .needsChange)
        #expect(
            again.warnings.contains {
                $0.hasPrefix("conflict:")
                    && $0.contains("constrains only the permissions granted in Microsoft Entra ID")
            }
        )
        #expect(
            again.steps.contains {
                $0.name.hasPrefix("access policy") && $0.detail.contains("conflict with the RBAC assignments")
            }
        )
        #expect(try await harness.apply(config(harness)) == .verified)
        #expect(await harness.tenant.accessPolicies(appID: Self.vendor.appId).isEmpty)
        for report in try await harness.engine(config(harness)).check() {
            #expect(report.status == .verified, "\(report.stage): \(report.detail)")
        }
    }

    @Test func aPolicyOnAnotherGroupStopsTheRunBeforeAnyWriteWithItsFix() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let policy = try await legacyTenant(harness, group: "LegacyCalendarUsers")
        let scopesBefore = await harness.tenant.managementScopes().count
        do {
            _ = try await harness.apply(config(harness))
            Issue.record("apply went ahead with a policy on another group")
        } catch let error as EngineError {
            #expect(error.stage == .scope)
            #expect(error.message.contains("limits it to LegacyCalendarUsers, not to WorkableUsers"))
            #expect(error.fix.contains("group.name = \"LegacyCalendarUsers\""))
            #expect(error.fix.contains(policy.identity))
        }
        #expect(harness.events.writes.isEmpty)
        #expect(await harness.tenant.managementScopes().count == scopesBefore)
        #expect(await harness.tenant.accessPolicies(appID: Self.vendor.appId).count == 1)

        // A rooms scope would reach every room instead of the policy's group: refused the same way.
        var rooms = config(harness)
        rooms.scopeKind = .rooms
        do {
            _ = try await harness.apply(rooms)
            Issue.record("apply went ahead with a rooms scope in place of the policy's group")
        } catch let error as EngineError {
            #expect(error.message.contains("the rooms scope would reach every room mailbox instead"))
            #expect(error.fix.contains("scope.kind = \"group\""))
        }
        #expect(harness.events.writes.isEmpty)

        // With the policy's group configured, the migration goes through.
        var moved = config(harness)
        moved.groupName = "LegacyCalendarUsers"
        moved.groupAlias = "LegacyCalendarUsers"
        #expect(try await harness.apply(moved) == .verified)
        #expect(await harness.tenant.accessPolicies(appID: Self.vendor.appId).isEmpty)
    }
}
