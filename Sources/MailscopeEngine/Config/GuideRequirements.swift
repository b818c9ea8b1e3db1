import Foundation
import MicrosoftClients

// What a seed's guide asks beyond the stages (issue 14, part 5): Eptura's "End Event Early", the
// licensed service account of Eptura Workplace's guide, and Nylas's rules for the members'
// addresses. The config says which apply; both drivers read these rules from here.

/// Eptura's "End Event Early": a room panel ends a meeting early by changing the organizer's copy
/// of it (the room's copy follows), so the integration needs the organizer's mailbox, and any
/// person (or a shared mailbox, through a delegate) may organize a meeting in a room. The guide
/// says the feature needs access to every mailbox; a rooms-only scope cannot serve it. mailscope
/// does not make a second, unscoped assignment for it: the one scope is widened to the mailbox
/// types that can organize a meeting, and everything else (equipment, scheduling, discovery, group
/// mailboxes) stays outside. Chosen with `scope.end_event_early = true`, warned in `plan` and `check`.
public enum EndEventEarly {
    /// The recipient types the widened scope covers (`RecipientTypeDetails` values,
    /// office-docs-powershell `exchange/exchange-ps/ExchangeOnlineManagement/Get-Mailbox.md`).
    public static let recipientTypes = ["RoomMailbox", "UserMailbox", "SharedMailbox"]

    /// The widened scope's filter: the rooms and every mailbox that can organize a meeting there.
    public static let filter = recipientTypes.map { "RecipientTypeDetails -eq '\($0)'" }.joined(separator: " -or ")

    /// What becomes reachable, in words (named in `plan`, `check` and the connect proof).
    public static let reach =
        "every user mailbox and every shared mailbox (any meeting's organizer), besides every room mailbox; "
        + "only equipment, scheduling and other mailboxes stay outside"

    /// The loud warning `plan` and `check` show while it is on.
    public static let warning =
        "WIDER ACCESS, CHOSEN (scope.end_event_early = true): End Event Early changes the organizer's copy of a "
        + "meeting, so the scope covers \(reach). The integration can read and change the calendars of all of "
        + "them. Set scope.end_event_early = false to limit it to the rooms again (End Event Early then stops working)."

    /// The hand-off's line for the vendor, when it is on: what the integration may reach.
    public static func handOffItem(_ config: SetupConfig) -> HandOffItem? {
        widens(config) ? HandOffItem(label: "End Event Early", value: "on, as chosen: the scope covers \(reach)") : nil
    }

    /// Whether `config` widens its scope for End Event Early.
    public static func widens(_ config: SetupConfig) -> Bool { config.endEventEarly && config.scopeKind == .rooms }

    /// The config's problems with the choice: only the Eptura presets have the feature, and it
    /// widens a rooms scope (a group scope would cover neither the rooms nor the organizers).
    static func problems(of config: SetupConfig) -> [FieldError] {
        guard config.endEventEarly else { return [] }
        let offering = Preset.all.filter(\.offersEndEventEarly).map(\.id)
        guard Preset.named(config.preset)?.offersEndEventEarly == true else {
            return [
                FieldError(
                    field: "scope.end_event_early",
                    message:
                        "is a feature of Eptura's room booking (preset = \(offering.map { "\"\($0)\"" }.joined(separator: " or "))), not of preset \"\(FieldRules.printable(config.preset))\"; remove it"
                )
            ]
        }
        guard config.scopeKind == .rooms else {
            return [
                FieldError(
                    field: "scope.end_event_early",
                    message:
                        "needs scope.kind = \"rooms\": End Event Early widens the rooms scope to the meetings' organizers, which a group scope does not reach; set scope.kind = \"rooms\" or remove end_event_early"
                )
            ]
        }
        return []
    }
}

/// The licensed service account some guides sign in with (Eptura Workplace's: "must have a 365
/// license assigned and also be an Admin account with the permission to consent").
public enum PresetMailbox {
    /// The UPN the preset's licensed mailbox gets by default: the service account's name at the
    /// tenant's domain; nil when the tenant is given by its GUID (no domain to take).
    public static func defaultUPN(for config: SetupConfig) -> String? {
        guard let tenant = try? TenantID(parsing: config.tenant), !tenant.isGUID else { return nil }
        let domain = tenant.key
        let local = config.serviceAccountName.filter {
            $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0))
        }
        return local.isEmpty ? nil : "\(local)@\(domain)"
    }

    /// Turns on the licensed mailbox when the preset asks for one on Exchange Online and the config
    /// names none: the default UPN when the tenant is a domain.
    static func fill(_ config: inout SetupConfig) {
        guard asked(by: config), config.mailboxUser == nil else { return }
        config.mailboxUser = defaultUPN(for: config)
    }

    /// Whether the preset asks for the licensed mailbox on the config's target.
    public static func asked(by config: SetupConfig) -> Bool {
        Preset.named(config.preset)?.licensedMailbox == true && config.target == .exchangeOnline
    }

    /// The preset asks for a licensed mailbox and none could be named (a tenant given by its GUID).
    static func problems(of config: SetupConfig) -> [FieldError] {
        guard asked(by: config), config.mailboxUser == nil else { return [] }
        let vendor = PresetConnections.of(config.preset).vendor
        return [
            FieldError(
                field: "service_account.mailbox",
                message:
                    "\(vendor)'s guide signs in as a licensed service account that consents to its app; give its user principal name, e.g. service_account.mailbox = \"\(config.serviceAccountName)@contoso.com\" (with tenant.id a GUID there is no domain to default to)"
            )
        ]
    }

    /// What the guide also asks of that account, which mailscope does not grant: the right to consent.
    public static func consentNote(_ config: SetupConfig) -> String? {
        guard asked(by: config), let upn = config.mailboxUser else { return nil }
        // Who may grant tenant-wide admin consent: Privileged Role Administrator (or Global
        // Administrator) for any permission; Cloud Application Administrator and Application
        // Administrator for any but Microsoft Graph application permissions (MicrosoftDocs/entra-docs
        // docs/identity/enterprise-apps/grant-admin-consent.md, "Prerequisites").
        return "\(PresetConnections.of(config.preset).vendor)'s guide: \(upn) must also be allowed to consent to the "
            + "vendor's app: Microsoft Graph application permissions need a Privileged Role Administrator (or Global "
            + "Administrator); Cloud Application Administrator suffices for delegated ones only. mailscope assigns no directory role"
    }
}

/// Nylas's rules for the mailboxes its service account connects (Nylas's "Office 365 service
/// accounts" guide, developer.nylas.com, "Aliases and Service Accounts"): a user is authenticated
/// by the original (primary) address, not an alias, and the service account's domain must match
/// the user's. Both are requirements of the guide, not advice: a member that breaks one cannot be
/// connected, so each is a failure of the group stage naming the member and its fix.
public enum NylasRules {
    /// Whether the config's preset carries these rules.
    public static func apply(to config: SetupConfig) -> Bool { config.preset.lowercased() == "nylas" }

    /// The service account's address whose domain the members must share: on Exchange Server the
    /// service account itself; on Exchange Online the licensed mailbox when there is one (an Entra
    /// app has no domain).
    public static func serviceAccountAddress(_ config: SetupConfig) -> String? {
        switch config.target {
        case .exchangeServer: config.serviceAccountAddress
        case .exchangeOnline: config.mailboxUser
        }
    }

    /// The domain after the last `@`, lower-cased.
    static func domain(of address: String) -> String? {
        address.split(separator: "@").last.map { $0.lowercased() }
    }

    /// The problems of one member: given by an alias of `primary`, or of another domain than the
    /// service account's. `index` is its place in `group.members`.
    public static func problems(
        configured: String,
        primary: String,
        index: Int,
        config: SetupConfig
    ) -> [String] {
        var problems: [String] = []
        if configured.caseInsensitiveCompare(primary) != .orderedSame {
            problems.append(
                "group.members[\(index)] '\(configured)' is an alias of '\(primary)': Nylas authenticates a user by the original (primary) address only; replace it with '\(primary)' in group.members and in Nylas"
            )
        }
        if let account = serviceAccountAddress(config), let accountDomain = domain(of: account),
            let memberDomain = domain(of: primary), memberDomain != accountDomain
        {
            problems.append(
                "group.members[\(index)] '\(primary)' is in the domain \(memberDomain), the service account \(account) in \(accountDomain): Nylas's service account connects users of its own domain only; remove the member, or use a service account in \(memberDomain) for those users"
            )
        }
        return problems
    }
}
