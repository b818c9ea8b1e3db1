import Foundation
import MailscopeCore
import MicrosoftClients

/// The organisation's EWS settings as `Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy`
/// shows them (office-docs-powershell `exchange/exchange-ps/ExchangePowerShell/Set-OrganizationConfig.md`,
/// -EwsAllowedAppIDs: "To retreive the list of configured apps, use the RetrieveEwsOperationAccessPolicy
/// switch on the Get-OrganizationConfig cmdlet").
struct EWSOrganization: Sendable, Equatable {
    /// `EwsEnabled`: `true` (all EWS enabled, or only the listed apps when a list is set), `false`
    /// (all EWS blocked whatever the list), nil (not configured).
    var enabled: Bool?
    /// `EwsAllowedAppIDs`, in the order Exchange keeps them; empty when no list is set.
    var allowedAppIDs: [String]

    /// Whether `appID` is on the list (GUIDs compared without case).
    func allows(_ appID: String) -> Bool {
        allowedAppIDs.contains { $0.caseInsensitiveCompare(appID) == .orderedSame }
    }

    /// Reads the first row of `Get-OrganizationConfig`. `EwsEnabled` is a Boolean (the cmdlet's
    /// type) or its PowerShell word; `EwsAllowedAppIDs` a list, or the comma-separated string the
    /// Set cmdlet takes (the Get cmdlet's output shape is not documented: both are read).
    init(row: JSONValue) {
        let raw = row["EwsEnabled"]
        if let flag = raw.bool {
            enabled = flag
        } else {
            switch raw.string?.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true": enabled = true
            case "false": enabled = false
            default: enabled = nil
            }
        }
        let list = row["EwsAllowedAppIDs"]
        let entries =
            list.array?.compactMap(\.string) ?? list.string.map { $0.split(separator: ",").map(String.init) } ?? []
        allowedAppIDs = entries.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    init(enabled: Bool?, allowedAppIDs: [String]) {
        self.enabled = enabled
        self.allowedAppIDs = allowedAppIDs
    }
}

/// The dates of EWS's end in Exchange Online (shared/reference/microsoft-contracts.md §2: MC1227454,
/// "Phased EWS disablement begins: October 1, 2026", "Full and permanent EWS retirement: April 1,
/// 2027"; tenants whose `EWSEnabled` was null were changed to `False` on 1 Oct 2026). mailscope
/// warns from 1 Jan 2027, a quarter before the end.
enum EWSRetirement {
    /// From this day an unset `EwsEnabled` counts as `False`.
    static let nullBecomesFalse = day(2026, 10, 1)
    /// From this day `check` warns of the end.
    static let warnFrom = day(2027, 1, 1)
    /// From this day EWS in Exchange Online is gone, with no exceptions.
    static let end = day(2027, 4, 1)
    /// How long a change of `EwsAllowedAppIDs` may take to take effect ("Changes to
    /// EwsAllowedAppIDs can take up to 24 hours", David Barrett, Microsoft, PowerShell-EWS-Scripts
    /// wiki "Testing EWS App Access", Aug 2026).
    static let allowListLag: Duration = .seconds(24 * 3600)

    static func day(_ year: Int, _ month: Int, _ day: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        return calendar.date(from: DateComponents(year: year, month: month, day: day)) ?? .distantFuture
    }

    /// The Graph roles that replace EWS for this integration: the configured Graph roles, or the
    /// calendar role when only EWS was asked for.
    static func graphAlternative(_ config: SetupConfig) -> String {
        let graph = config.roles.filter { $0.caseInsensitiveCompare(SetupConfig.ewsRole) != .orderedSame }
        let roles = graph.isEmpty ? ["Application Calendars.ReadWrite"] : graph
        return "move the integration to Microsoft Graph with the roles \(roles.joined(separator: ", ")) "
            + "(already scoped by this setup), then set service_account.uses_ews = false"
    }
}

extension ExchangeOnlineDriver {
    /// The `Get-OrganizationConfig` parameters that make it return the EWS allow list.
    static let ewsPolicyRead: [String: JSONValue] = ["RetrieveEwsOperationAccessPolicy": true]

    /// Reads the organisation's EWS settings.
    func readEWSOrganization(exchange: ExchangeAdminClient) async throws -> EWSOrganization {
        let rows = try await exchange.invoke("Get-OrganizationConfig", Self.ewsPolicyRead)
        return EWSOrganization(row: rows.first ?? [:])
    }

    /// The EWS part of the impersonation role stage (`service_account.uses_ews`): EWS's end by
    /// date, the organisation switch, and the app on the allow list (a write adding it, keeping
    /// every entry). Returns the failure's detail and fix when EWS cannot work for the app.
    func observeEWSAccess(
        appID: String,
        exchange: ExchangeAdminClient,
        into findings: inout StageFindings
    ) async throws -> (detail: String, fix: String)? {
        let now = environment.clock.now
        if now >= EWSRetirement.end {
            findings.step("EWS", .failed, "EWS in Exchange Online ended on 1 Apr 2027")
            return (
                "EWS in Exchange Online ended on 1 Apr 2027 (no exceptions): the integration cannot use it",
                EWSRetirement.graphAlternative(config)
            )
        }
        if now >= EWSRetirement.warnFrom {
            findings.warnings.append(
                "EWS in Exchange Online ends on 1 Apr 2027, with no exceptions: \(EWSRetirement.graphAlternative(config))"
            )
        }
        let organization = try await readEWSOrganization(exchange: exchange)
        facts.ewsOrganization = organization
        let enabledWord = organization.enabled.map { $0 ? "True" : "False" } ?? "not set"
        findings.evidence.append(
            "Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy → EwsEnabled \(enabledWord), EwsAllowedAppIDs "
                + (organization.allowedAppIDs.isEmpty ? "not set" : organization.allowedAppIDs.joined(separator: ", "))
        )
        if let blocked = ewsSwitchFailure(organization, now: now, into: &findings) { return blocked }
        judgeAllowList(organization, appID: appID, into: &findings)
        return nil
    }

    /// The organisation switch: `False` blocks all EWS whatever the list; unset counts as `False`
    /// from 1 Oct 2026. mailscope never flips an organisation-wide switch: the fix names it.
    private func ewsSwitchFailure(
        _ organization: EWSOrganization,
        now: Date,
        into findings: inout StageFindings
    ) -> (detail: String, fix: String)? {
        let fix =
            "an Exchange administrator decides this for the whole organisation: Set-OrganizationConfig -EwsEnabled $true "
            + "(every app's EWS access then follows EwsAllowedAppIDs), or \(EWSRetirement.graphAlternative(config))"
        switch organization.enabled {
        case .some(false):
            findings.step("EWS in the organisation", .failed, "EwsEnabled is False: all EWS is blocked")
            return (
                "EWS is disabled for the whole organisation (EwsEnabled False): the integration cannot call EWS", fix
            )
        case .none where now >= EWSRetirement.nullBecomesFalse:
            findings.step("EWS in the organisation", .failed, "EwsEnabled is not set: blocked since 1 Oct 2026")
            return (
                "EWS is blocked: EwsEnabled is not set, which Exchange Online treats as False since 1 Oct 2026", fix
            )
        case .none:
            findings.step("EWS in the organisation", .verified, "EwsEnabled not set (the allow list has no effect)")
            findings.warnings.append(
                "EwsEnabled is not set: from 1 Oct 2026 Exchange Online treats that as False and blocks EWS; "
                    + "Set-OrganizationConfig -EwsEnabled $true keeps it for the apps on EwsAllowedAppIDs"
            )
            return nil
        case .some(true):
            findings.step("EWS in the organisation", .verified, "EwsEnabled True")
            return nil
        }
    }

    /// The allow list: no list lets every app through; a list without the app needs the app added,
    /// the whole list written back with every existing entry.
    private func judgeAllowList(_ organization: EWSOrganization, appID: String, into findings: inout StageFindings) {
        guard organization.enabled == true else { return }
        if organization.allowedAppIDs.isEmpty {
            // "To remove all allowed app IDs and stop restricting access by app ID, use the value $null."
            findings.step("EWS allow list", .verified, "no EwsAllowedAppIDs list: EWS is not restricted by app")
        } else if organization.allows(appID) {
            findings.step(
                "EWS allow list",
                .verified,
                "app \(appID) is one of \(organization.allowedAppIDs.count) listed app(s)"
            )
        } else {
            let list = organization.allowedAppIDs + [appID]
            findings.writes.append(.setEwsAllowedAppIDs(appIDs: list, adding: appID))
            findings.step(
                "EWS allow list",
                .needsChange,
                "app \(appID) is not on EwsAllowedAppIDs (\(organization.allowedAppIDs.count) other app(s)): EWS refuses it"
            )
        }
    }

    /// Adds `appID` to the allow list. The list is read again just before the write and written
    /// whole, every entry it holds then kept (another admin may have added one since the plan);
    /// then read back. The time is kept: the change takes up to 24 hours to take effect.
    func addToEWSAllowList(_ appID: String) async throws {
        let (_, exchange) = try clients()
        let current = try await readEWSOrganization(exchange: exchange)
        if !current.allows(appID) {
            let list = current.allowedAppIDs + [appID]
            try await exchange.invoke(
                "Set-OrganizationConfig",
                ["EwsAllowedAppIDs": .string(list.joined(separator: ","))]
            )
        }
        let after = try await readEWSOrganization(exchange: exchange)
        guard after.allows(appID), current.allowedAppIDs.allSatisfy(after.allows) else {
            throw EngineError(
                stage: .impersonationRole,
                message: "EwsAllowedAppIDs read back without app \(appID) or without an entry it held: "
                    + after.allowedAppIDs.joined(separator: ", "),
                fix: "run apply again; if it repeats, compare Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy"
            )
        }
        facts.ewsOrganization = after
        journal.ewsAllowListChangedAt = environment.clock.now
    }
}
