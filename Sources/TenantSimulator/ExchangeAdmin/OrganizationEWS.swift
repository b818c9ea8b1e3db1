import Foundation
import MailscopeCore

/// The organisation's EWS settings in Exchange Online, as `Set-OrganizationConfig` sets them
/// (office-docs-powershell `exchange/exchange-ps/ExchangePowerShell/Set-OrganizationConfig.md`):
/// - `-EwsEnabled`: "$true: All EWS access is enabled. $false: All EWS access is disabled. $null
///   (blank): The setting isn't configured." (the default);
/// - `-EwsAllowedAppIDs`: "When EwsEnabled is $true, only applications specified by this parameter can
///   access EWS. When EwsEnabled is $false, all EWS access is blocked regardless of this parameter.
///   When EwsEnabled is blank ($null; not configured), this parameter has no effect." A comma-separated
///   list of GUIDs; "To remove all allowed app IDs and stop restricting access by app ID, use the value
///   $null". Read back with `Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy` (same page).
/// Since 1 Oct 2026 a tenant whose EwsEnabled was null has it set to False (MC1227454, in
/// shared/reference/microsoft-contracts.md §2); a change of the list takes up to 24 hours to take
/// effect (David Barrett, Microsoft, PowerShell-EWS-Scripts wiki "Testing EWS App Access").
public struct OrganizationEWS: Codable, Sendable, Equatable {
    /// `EwsEnabled`; nil: not configured.
    public var enabled: Bool?
    /// `EwsAllowedAppIDs`; empty: no list.
    public var allowedAppIDs: [String]

    /// Settings.
    public init(enabled: Bool?, allowedAppIDs: [String]) {
        self.enabled = enabled
        self.allowedAppIDs = allowedAppIDs
    }

    /// A tenant that kept EWS by setting `EwsEnabled` before the cut-off, with the allow list
    /// Microsoft pre-populated in September 2026 from the apps it saw calling EWS: one app here.
    public static let populated = OrganizationEWS(enabled: true, allowedAppIDs: [prepopulatedAppID])

    /// The app on the pre-populated list (a backup tool's, say): mailscope must keep it.
    public static let prepopulatedAppID = "5c1e9a3d-7b2f-4e8a-a6d4-1f3b5c7e9a0d"

    /// The day an unset `EwsEnabled` became False.
    static let nullBecomesFalse = Date(timeIntervalSince1970: 1_790_812_800)  // 2026-10-01T00:00:00Z
    /// The day EWS in Exchange Online ends (MC1227454: "Full and permanent EWS retirement: April 1, 2027").
    static let end = Date(timeIntervalSince1970: 1_806_537_600)  // 2027-04-01T00:00:00Z

    /// `EwsEnabled` as Exchange holds it at `now`: unset became False on 1 Oct 2026.
    func enabled(at now: Date) -> Bool? {
        if enabled == nil, now >= Self.nullBecomesFalse { return false }
        return enabled
    }

    /// Whether EWS lets app `appID` through at `now` under these settings.
    func admits(appID: String, at now: Date) -> Bool {
        guard now < Self.end else { return false }
        switch enabled(at: now) {
        case .some(false): return false
        case .none: return true
        case .some(true):
            return allowedAppIDs.isEmpty || allowedAppIDs.contains { $0.equalsIgnoringCase(appID) }
        }
    }
}

/// The settings Exchange shows, and what EWS enforces while a list change takes effect.
struct OrganizationEWSState: Codable, Sendable {
    /// What `Get-OrganizationConfig` shows.
    var live: OrganizationEWS
    /// The list EWS still enforces, and until when (a change of `EwsAllowedAppIDs` in flight).
    var pendingList: PendingList?

    struct PendingList: Codable, Sendable {
        var allowedAppIDs: [String]
        var until: Date
    }

    /// What EWS enforces at `now`: the live switch; the list from before a change still in flight.
    func effective(at now: Date) -> OrganizationEWS {
        guard let pending = pendingList, now < pending.until else { return live }
        return OrganizationEWS(enabled: live.enabled, allowedAppIDs: pending.allowedAppIDs)
    }
}

extension SimulatedTenant {
    /// `Get-OrganizationConfig` and `Set-OrganizationConfig`; nil for another cmdlet.
    func runOrganizationConfig(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput? {
        switch cmdlet.name {
        case "Get-OrganizationConfig": getOrganizationConfig(cmdlet)
        case "Set-OrganizationConfig": try setOrganizationConfig(cmdlet)
        default: nil
        }
    }

    /// `Get-OrganizationConfig`: the organisation's name and `EwsEnabled`; `EwsAllowedAppIDs` only
    /// with `-RetrieveEwsOperationAccessPolicy` (Set-OrganizationConfig.md: "To retreive the list of
    /// configured apps, use the RetrieveEwsOperationAccessPolicy switch").
    func getOrganizationConfig(_ cmdlet: CmdletInvocation) -> CmdletOutput {
        let live = organizationEWS.live
        var row: [String: JSONValue] = [
            "Name": .string(identity.initialDomain), "Identity": .string(identity.initialDomain),
            "DisplayName": .string(identity.organizationName),
            "EwsEnabled": live.enabled(at: now).map(JSONValue.bool) ?? .null,
        ]
        if cmdlet.bool("RetrieveEwsOperationAccessPolicy") == true {
            row["EwsAllowedAppIDs"] =
                live.allowedAppIDs.isEmpty ? .null : .array(live.allowedAppIDs.map(JSONValue.string))
        }
        return .rows([.object(row)])
    }

    /// `Set-OrganizationConfig -EwsEnabled` and `-EwsAllowedAppIDs` (the whole list, comma-separated
    /// GUIDs, or `$null` to clear it). A list change opens its lag: EWS keeps the old list until it ends.
    func setOrganizationConfig(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput {
        var next = organizationEWS.live
        if let value = cmdlet.value("EwsEnabled") {
            if value.isNull {
                next.enabled = nil
            } else if let flag = cmdlet.bool("EwsEnabled") {
                next.enabled = flag
            }
        }
        if let value = cmdlet.value("EwsAllowedAppIDs") {
            next.allowedAppIDs = try Self.appIDList(value)
        }
        changeOrganizationEWS(to: next)
        return .rows([])
    }

    /// Sets the live settings; a changed list keeps the old one in force for the lag.
    func changeOrganizationEWS(to next: OrganizationEWS) {
        let before = organizationEWS.effective(at: now)
        if next.allowedAppIDs != organizationEWS.live.allowedAppIDs {
            let lag = options.ewsAllowListDelay ?? .seconds(24 * 3600)
            organizationEWS.pendingList = .init(
                allowedAppIDs: before.allowedAppIDs,
                until: now.addingTimeInterval(lag.timeInterval)
            )
        }
        organizationEWS.live = next
    }

    /// The list a `-EwsAllowedAppIDs` value names: `$null` clears it; otherwise comma-separated GUIDs.
    static func appIDList(_ value: JSONValue) throws(ExchangeFailure) -> [String] {
        if value.isNull { return [] }
        let text = value.string ?? value.strings.joined(separator: ",")
        var list: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let id = part.trimmingCharacters(in: .whitespaces)
            guard UUID(uuidString: id) != nil else {
                throw .invalid(
                    "Cannot bind parameter 'EwsAllowedAppIDs'. '\(id)' is not a valid application ID (GUID).",
                    type: ExchangeFailure.parameterType
                )
            }
            if !list.contains(where: { $0.equalsIgnoringCase(id) }) { list.append(id) }
        }
        return list
    }

    // MARK: Test helpers

    /// The organisation's EWS settings as `Get-OrganizationConfig` shows them.
    public func organizationEWSSettings() -> OrganizationEWS { organizationEWS.live }

    /// What EWS enforces now (the list from before a change still taking effect).
    public func effectiveOrganizationEWS() -> OrganizationEWS { organizationEWS.effective(at: now) }

    /// Changes the settings as an admin's `Set-OrganizationConfig` would (drift), with the same lag.
    public func setOrganizationEWS(_ settings: OrganizationEWS) { changeOrganizationEWS(to: settings) }
}
