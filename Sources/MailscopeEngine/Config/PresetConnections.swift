import Foundation

// Each preset's vendor guide, read against the platform as it is today (issue 16): the guide's
// connection methods × target with a verdict, the one mailscope leads to, and the vendor form's
// fields in the guide's words and order. One table: `mailscope presets`, the README's preset
// section, the wizard's start screen, `plan`, the config's validation and the hand-off all read it.

/// What one of a vendor guide's connection methods is on one target today.
public enum ConnectionVerdict: Sendable, Equatable {
    /// Works as the guide says (with a note, if any).
    case works(String?)
    /// Works, but differently from the guide today: how.
    case worksDifferently(String)
    /// The platform took it away: why.
    case noLongerPossible(String)
    /// The method never reached this target: why.
    case doesNotApply(String)

    /// The verdict in words.
    public var word: String {
        switch self {
        case .works: "works"
        case .worksDifferently: "works differently today"
        case .noLongerPossible: "no longer possible"
        case .doesNotApply: "does not apply"
        }
    }

    /// How, why, or the note.
    public var detail: String? {
        switch self {
        case .works(let note): note
        case .worksDifferently(let text), .noLongerPossible(let text), .doesNotApply(let text): text
        }
    }

    /// The verdict with its detail: `no longer possible: ApplicationImpersonation …`.
    public var sentence: String { detail.map { "\(word): \($0)" } ?? word }

    /// Whether the method can be used on the target today (as the guide says or differently).
    public var isUsable: Bool {
        switch self {
        case .works, .worksDifferently: true
        case .noLongerPossible, .doesNotApply: false
        }
    }
}

/// One connection method a vendor guide documents.
public struct GuideMethod: Sendable, Equatable, Identifiable {
    /// Its key in configs (`method = "alternate"`).
    public var id: String
    /// The method, in the guide's words: its name, a colon, what it takes.
    public var name: String
    /// Its verdict on Exchange Online.
    public var exchangeOnline: ConnectionVerdict
    /// Its verdict on Exchange Server.
    public var exchangeServer: ConnectionVerdict

    /// The method's name alone (before the colon).
    public var shortName: String { name.components(separatedBy: ": ").first ?? name }

    /// Its verdict on `target`.
    public func verdict(on target: SetupTarget) -> ConnectionVerdict {
        switch target {
        case .exchangeOnline: exchangeOnline
        case .exchangeServer: exchangeServer
        }
    }
}

/// A value of the hand-off that a vendor form asks for.
public enum FormValue: Sendable, Equatable {
    /// The tenant's ID (or verified domain).
    case tenantID
    /// The app's client (application) ID.
    case clientID
    /// The app's client secret (shown once).
    case clientSecret
    /// A user principal name inside the scope.
    case userInScope
    /// The service account's primary SMTP address.
    case serviceAccountAddress
    /// Where the service account's password is (never the password).
    case passwordLocation
}

/// One field of a vendor's form: its label in the guide's words and the value that fills it.
public struct FormFieldSpec: Sendable, Equatable {
    /// The label, as the guide words it.
    public var label: String
    /// The value that fills it.
    public var value: FormValue
}

/// What the vendor's form asks for on the path mailscope leads to, and where it is.
public struct VendorForm: Sendable, Equatable {
    /// The form's fields in the guide's words and order; empty when the guide lists none (the
    /// hand-off then says so in `whereToEnter` and shows mailscope's values).
    public var fields: [FormFieldSpec]
    /// Where to enter them (the menu path the guide gives); without fields, what the form takes,
    /// said after "<vendor>'s form" ("takes no app ID or secret: …").
    public var whereToEnter: String
}

/// Where mailscope leads on one target.
public struct ConnectionLead: Sendable, Equatable {
    /// The guide's method mailscope follows there, or `nil` when it follows none of them (it makes
    /// what it can today, described in `path`).
    public var methodID: String?
    /// What mailscope sets up there, in a line.
    public var path: String
    /// Which way the integration connects there (the README's overview): whose app or account,
    /// which grant, limited by what.
    public var connectsBy: String = ""
    /// What the hand-off gives there, in a line.
    public var handOffGives: String = ""
    /// What the vendor's form asks for afterwards.
    public var form: VendorForm
    /// A test of the guide's that mailscope's own proof stands in for, said on the hand-off.
    public var proofNote: HandOffItem? = nil
}

/// One preset's vendor guide read against today's platform.
public struct PresetConnections: Sendable, Equatable {
    /// The preset's key.
    public var presetID: String
    /// The vendor's name as the hand-off names it.
    public var vendor: String
    /// The guide the presets were built from, and where it is.
    public var guide: String
    /// The guide's connection methods, in the guide's order.
    public var methods: [GuideMethod]
    /// Where mailscope leads on Exchange Online; `nil`: nowhere (the config is refused).
    public var exchangeOnline: ConnectionLead?
    /// Where mailscope leads on Exchange Server; `nil`: nowhere (the config is refused).
    public var exchangeServer: ConnectionLead?
    /// Why a target without a lead has none, and what to choose instead.
    public var noLead: String?
    /// What else the guide promises or warns about, with what mailscope does with it.
    public var notes: [String]
    /// Where mailscope leads on Exchange Online with delegated access
    /// (`service_account.access = "delegated"`); `nil`: the guide has no delegated method.
    public var delegatedLead: ConnectionLead? = nil

    /// Where mailscope leads on `target`.
    public func lead(on target: SetupTarget) -> ConnectionLead? {
        switch target {
        case .exchangeOnline: exchangeOnline
        case .exchangeServer: exchangeServer
        }
    }

    /// Where mailscope leads on `target` for `access`: delegated access has its own lead (the
    /// guide's authorization-code method and its form), where the guide has one.
    public func lead(on target: SetupTarget, access: AppAccess) -> ConnectionLead? {
        switch access {
        case .application: lead(on: target)
        case .delegated: target == .exchangeOnline ? delegatedLead : nil
        }
    }

    /// The method with key `id`.
    public func method(_ id: String) -> GuideMethod? { methods.first { $0.id == id.lowercased() } }

    /// The table of `presetID` (the `custom` table for an unknown one).
    public static func of(_ presetID: String) -> PresetConnections {
        all.first { $0.presetID == presetID.lowercased() } ?? all[all.count - 1]
    }

    // MARK: The table

    static let impersonationRemoved =
        "ApplicationImpersonation was removed from Exchange Online in Feb 2025, and password sign-in to EWS there is off"
    static let ewsBlocked =
        "EWS in Exchange Online is blocked since 1 Oct 2026 unless allow-listed (EwsAllowedAppIDs) and ends 1 Apr 2027"
    static let graphOnly = "an Entra app reaches Exchange Online mailboxes, not those on Exchange Server"
    static let tenantAppGives = "Tenant ID, Client ID, Client secret (shown once) or the certificate's key file, the group, scope and roles"
    static let vendorAppGives = "with app_id: the app ID, the group, scope and roles, and how the vendor confirms (mailscope holds no credential)"
    static let ewsGives =
        "EWS URL, the service account's primary address, sign-in name and scheme, where the password is (never the password), scope and assignment"

    /// Every preset's table, in the order of `Preset.all`.
    public static let all: [PresetConnections] = [
        PresetConnections(
            presetID: "workable",
            vendor: "Workable",
            guide: "Workable's Exchange integration guide (help.workable.com)",
            methods: [
                GuideMethod(
                    id: "standard",
                    name: "Standard configuration: Workable's own app, whole organisation",
                    exchangeOnline: .worksDifferently(
                        "Workable's own app limited by an RBAC scope to WorkableUsers: mailscope sets that up with Workable's app ID (service_account.app_id; in the wizard, the vendor gives me an app ID)"
                    ),
                    exchangeServer: .doesNotApply(graphOnly)
                ),
                GuideMethod(
                    id: "alternate",
                    name: "Alternate configuration: workable_service, WorkableUsers, WorkableImpersonation",
                    exchangeOnline: .noLongerPossible(impersonationRemoved),
                    exchangeServer: .works("as the guide says, with its names")
                ),
            ],
            exchangeOnline: ConnectionLead(
                methodID: nil,
                path:
                    "today: the group WorkableUsers and the scope WorkableUsersScope, with Application roles on an app of the tenant's own",
                connectsBy:
                    "Workable's own multi-tenant app (the guide's standard configuration), limited by WorkableUsersScope with service_account.app_id (the vendor's own app); without app_id, an app of the tenant's own with a client secret",
                handOffGives:
                    vendorAppGives + "; without it: " + tenantAppGives,
                form: VendorForm(
                    fields: [],
                    whereToEnter:
                        "takes no app ID or secret: Workable connects Exchange Online through its own app (Settings > Integrations); mailscope scopes that app to WorkableUsers when given its app ID (service_account.app_id)"
                )
            ),
            exchangeServer: ConnectionLead(
                methodID: "alternate",
                path: "the alternate configuration as the guide says, with its names",
                connectsBy:
                    "EWS impersonation: workable_service with a mailbox and ApplicationImpersonation (WorkableImpersonation) limited to WorkableUsers, NTLM or Basic sign-in",
                handOffGives:
                    "Primary email address, Password (where it is), then the EWS URL, sign-in name and scheme",
                form: VendorForm(
                    fields: [
                        FormFieldSpec(label: "Primary email address", value: .serviceAccountAddress),
                        FormFieldSpec(label: "Password", value: .passwordLocation),
                    ],
                    whereToEnter: "Workable: Settings > Integrations (the service account's primary address: an alias will not work)"
                )
            ),
            noLead: nil,
            notes: [
                "Users added to WorkableUsers later work after about 30 minutes (the guide); a re-check names each member added since the last run, with its own wait."
            ]
        ),
        PresetConnections(
            presetID: "eptura",
            vendor: "Eptura Workplace",
            guide: "Eptura Workplace's Microsoft 365 calendar guide (knowledge.eptura.com)",
            methods: [
                GuideMethod(
                    id: "microsoft-365",
                    name: "Microsoft 365 calendar: a licensed service account consents to Eptura's app",
                    exchangeOnline: .worksDifferently(
                        "Eptura's app limited to room mailboxes by an RBAC scope: mailscope sets that up with Eptura's app ID (service_account.app_id; in the wizard, the vendor gives me an app ID)"
                    ),
                    exchangeServer: .doesNotApply(graphOnly)
                ),
                GuideMethod(
                    id: "impersonation",
                    name: "Rooms-only impersonation: limited to conference rooms, recommended over delegate access",
                    exchangeOnline: .noLongerPossible(impersonationRemoved),
                    exchangeServer: .works("ApplicationImpersonation over EWS, limited to room mailboxes")
                ),
            ],
            exchangeOnline: ConnectionLead(
                methodID: nil,
                path: "today: Application Calendars.ReadWrite limited to room mailboxes, on an app of the tenant's own",
                connectsBy:
                    "Eptura's own app (its calendar service), consented by the licensed service account eptura_service (a Privileged Role or Global Administrator for Graph application permissions): limited to room mailboxes with service_account.app_id, or an app of the tenant's own with a client secret; End Event Early widens the scope to every user and shared mailbox",
                handOffGives:
                    "the licensed service account (its password shown once) and, with app_id, the app ID, scope and roles; otherwise Tenant ID, Client ID, Client secret (shown once)",
                form: VendorForm(
                    fields: [],
                    whereToEnter:
                        "takes no app ID or secret: the guide signs in as the licensed service account and consents to Eptura's app"
                )
            ),
            exchangeServer: ConnectionLead(
                methodID: "impersonation",
                path: "impersonation limited to room mailboxes, proven over EWS",
                connectsBy:
                    "EWS impersonation: the service account with ApplicationImpersonation limited to room mailboxes (with End Event Early also every user and shared mailbox), NTLM or Basic sign-in",
                handOffGives:
                    ewsGives,
                form: VendorForm(
                    fields: [],
                    whereToEnter: "is not listed field by field in the guide: give it mailscope's EWS values as the guide asks"
                )
            ),
            noLead: nil,
            notes: [
                "\"End Event Early\" still needs access to every mailbox (it changes the organizer's copy of a meeting): a rooms-only scope cannot serve it. scope.end_event_early = true is an explicit, warned choice that widens the one scope to every user and shared mailbox besides the rooms (never a second, unscoped assignment); plan and check name that access.",
                "The guide's service account needs a Microsoft 365 licence and the right to consent to Eptura's app: the preset turns on the licensed mailbox (service_account.mailbox, by default eptura_service at the tenant's domain); the consent right (Privileged Role or Global Administrator for Graph application permissions) is the admin's to give, and named in the plan.",
                "The guide recommends impersonation limited to rooms over delegate access (throttling, errors); mailscope sets up no delegate access.",
            ]
        ),
        PresetConnections(
            presetID: "ioffice",
            vendor: "iOFFICE",
            guide: "iOFFICE's Impersonation Rights in Exchange (EWS) guide (knowledge.eptura.com)",
            methods: [
                GuideMethod(
                    id: "impersonation",
                    name: "EWS impersonation: a service account with ApplicationImpersonation limited to ResourceMailboxes",
                    exchangeOnline: .noLongerPossible(impersonationRemoved + "; " + ewsBlocked),
                    exchangeServer: .works("as the guide says, with its names (ResourceImpersonation)")
                )
            ],
            exchangeOnline: ConnectionLead(
                methodID: nil,
                path:
                    "today: Application Calendars.ReadWrite limited to room mailboxes (Graph), and Application EWS.AccessAsApp in the same scope with the app on the organisation's EWS allow list (service_account.uses_ews, on by default; EWS ends 1 Apr 2027), on an app of the tenant's own",
                connectsBy:
                    "Graph and EWS as an app of the tenant's own with a client secret: Application Calendars.ReadWrite and Application EWS.AccessAsApp within ResourceMailboxes, the app's ID added to the tenant's EwsAllowedAppIDs list (up to 24 hours; service_account.uses_ews, on by default), until EWS ends on 1 Apr 2027",
                handOffGives:
                    "Tenant ID, Client ID, Client secret (shown once), scope and roles, and the EWS URL, token scope and impersonation",
                form: VendorForm(
                    fields: [],
                    whereToEnter:
                        "takes a service account and its password over EWS, which Exchange Online no longer accepts: give iOFFICE the app's values for app-only EWS (the hand-off's EWS URL, token scope and impersonation)"
                )
            ),
            exchangeServer: ConnectionLead(
                methodID: "impersonation",
                path: "the guide's rooms-only scope ResourceMailboxes and assignment ResourceImpersonation",
                connectsBy:
                    "EWS impersonation as the guide says: a service account with a mailbox and ApplicationImpersonation (ResourceImpersonation) limited to ResourceMailboxes, NTLM or Basic sign-in",
                handOffGives:
                    ewsGives + "; the Remote Connectivity Analyzer is not needed",
                form: VendorForm(
                    fields: [],
                    whereToEnter: "is not listed field by field in the guide: give it mailscope's EWS values as the guide asks"
                ),
                proofNote: HandOffItem(
                    label: "Remote Connectivity Analyzer",
                    value:
                        "not needed: mailscope's own EWS proof stands in for the guide's test (a room inside the scope answers, a mailbox outside is refused)"
                )
            ),
            noLead: nil,
            notes: [
                "The guide tests with the Remote Connectivity Analyzer; mailscope's own EWS proof stands in for it.",
                "\"End Event Early\" needs access to every mailbox (it changes the organizer's copy of a meeting): scope.end_event_early = true is an explicit, warned choice that widens ResourceMailboxes to every user and shared mailbox besides the rooms; plan and check name that access.",
                "A rooms-only scope takes rooms added later without a group to maintain.",
            ]
        ),
        PresetConnections(
            presetID: "nylas",
            vendor: "Nylas",
            guide: "Nylas's Office 365 service accounts guide (developer.nylas.com)",
            methods: [
                GuideMethod(
                    id: "impersonation",
                    name: "Impersonation role group: a service account with ApplicationImpersonation",
                    exchangeOnline: .noLongerPossible(impersonationRemoved + " (Nylas's guide says so too)"),
                    exchangeServer: .worksDifferently(
                        "ApplicationImpersonation over EWS limited to NylasUsers, not the role group's whole organisation")
                )
            ],
            exchangeOnline: ConnectionLead(
                methodID: nil,
                path: "today: Application Calendars.ReadWrite limited by NylasUsersScope, on an app of the tenant's own",
                connectsBy:
                    "an app of the tenant's own with a client secret (Nylas v3's service-account connector credential), Application Calendars.ReadWrite limited by NylasUsersScope; members by primary address, in the domain of the service account's licensed mailbox when it has one",
                handOffGives:
                    tenantAppGives,
                form: VendorForm(
                    fields: [],
                    whereToEnter:
                        "is not listed field by field in the guide, which points to Nylas v3's service-account connector credential"
                )
            ),
            exchangeServer: ConnectionLead(
                methodID: "impersonation",
                path: "the service account with ApplicationImpersonation limited to NylasUsers",
                connectsBy:
                    "EWS impersonation: nylas_service with a mailbox and ApplicationImpersonation limited to NylasUsers (members by primary address, in nylas_service's domain), NTLM or Basic sign-in",
                handOffGives:
                    ewsGives,
                form: VendorForm(
                    fields: [],
                    whereToEnter: "is not listed field by field in the guide: give it mailscope's EWS values as the guide asks"
                )
            ),
            noLead: nil,
            notes: [
                "Up to two hours of propagation (the guide): mailscope waits for it with a timer.",
                "The service account's domain must match the users' domain, and users are connected by their primary address, not an alias (the guide's requirements): a member given by an alias, or in another domain than the service account (its licensed mailbox on Exchange Online), fails the group stage, naming each member and its fix.",
            ]
        ),
        PresetConnections(
            presetID: "workato",
            vendor: "Workato",
            guide: "Workato's Outlook connector guide (docs.workato.com)",
            methods: [
                GuideMethod(
                    id: "authorization-code",
                    name: "Authorization code grant (OAuth 2.0): Web redirect URI, delegated permissions",
                    exchangeOnline: .works(
                        "each user's own rights limit it, not a scope; mailscope sets it up with service_account.access = \"delegated\""
                    ),
                    exchangeServer: .doesNotApply("the Outlook connector uses Microsoft Graph; " + graphOnly)
                ),
                GuideMethod(
                    id: "client-credentials",
                    name: "Client credentials (OAuth 2.0): application permissions, client secret",
                    exchangeOnline: .worksDifferently(
                        "RBAC roles limited by WorkatoUsersScope instead of the guide's tenant-wide application permissions"
                    ),
                    exchangeServer: .doesNotApply("the Outlook connector uses Microsoft Graph; " + graphOnly)
                ),
            ],
            exchangeOnline: ConnectionLead(
                methodID: "client-credentials",
                path: "client credentials with RBAC roles limited by WorkatoUsersScope",
                connectsBy:
                    "client credentials: an app of the tenant's own with a client secret, RBAC roles limited by WorkatoUsersScope; or, with service_account.access = \"delegated\" (in the wizard, users sign in to it), the authorization-code grant: an app with the Web redirect URI https://www.workato.com/oauth/callback, delegated permissions, admin consent and a client secret, limited by each user's own rights, not a scope",
                handOffGives:
                    "client credentials: Tenant ID/Domain, User ID, Client ID, Client secret (shown once); authorization code: Tenant ID/Domain, Client ID, Client secret (shown once), with the redirect URI and the consented permissions",
                form: VendorForm(
                    fields: [
                        FormFieldSpec(label: "Tenant ID/Domain", value: .tenantID),
                        FormFieldSpec(label: "User ID", value: .userInScope),
                        FormFieldSpec(label: "Client ID", value: .clientID),
                        FormFieldSpec(label: "Client secret", value: .clientSecret),
                    ],
                    whereToEnter: "Workato: a new Outlook connection with client credentials-based authentication (OAuth 2.0)"
                )
            ),
            exchangeServer: nil,
            noLead:
                "Workato's Outlook connector uses Microsoft Graph, which does not reach Exchange Server mailboxes: use target = \"exchange-online\"",
            notes: [],
            delegatedLead: ConnectionLead(
                methodID: "authorization-code",
                path: "an app with Workato's redirect URI and delegated permissions, admin consent and a client secret; each signed-in user's own rights limit it",
                form: VendorForm(
                    fields: [
                        FormFieldSpec(label: "Tenant ID/Domain", value: .tenantID),
                        FormFieldSpec(label: "Client ID", value: .clientID),
                        FormFieldSpec(label: "Client secret", value: .clientSecret),
                    ],
                    whereToEnter:
                        "Workato: a new Outlook connection with authorization code grant (OAuth 2.0); then sign in as a user at Microsoft: that sign-in is the real test"
                )
            )
        ),
        PresetConnections(
            presetID: "custom",
            vendor: "the integration",
            guide: "no vendor guide: every value is yours",
            methods: [],
            exchangeOnline: ConnectionLead(
                methodID: nil,
                path: "Application roles limited by a management scope, on an app of the tenant's own",
                connectsBy:
                    "an app of the tenant's own (client secret or certificate), or the vendor's own app (service_account.app_id), limited by a management scope",
                handOffGives:
                    tenantAppGives + "; " + vendorAppGives,
                form: VendorForm(fields: [], whereToEnter: "is yours to fill: give it mailscope's values")
            ),
            exchangeServer: ConnectionLead(
                methodID: nil,
                path: "a service account with ApplicationImpersonation limited by a management scope",
                connectsBy:
                    "EWS impersonation: a service account with a mailbox and ApplicationImpersonation limited by a management scope, NTLM or Basic sign-in",
                handOffGives:
                    ewsGives,
                form: VendorForm(fields: [], whereToEnter: "is yours to fill: give it mailscope's values")
            ),
            noLead: nil,
            notes: [],
            delegatedLead: ConnectionLead(
                methodID: nil,
                path: "an app with your redirect URI and delegated permissions, admin consent and a client secret; each signed-in user's own rights limit it",
                form: VendorForm(fields: [], whereToEnter: "is yours to fill: give it mailscope's values")
            )
        ),
    ]
}

// MARK: - The config's choice of a method

extension PresetConnections {
    /// What is wrong with choosing `methodID` (or, when `nil`, the preset itself) on `target`: a
    /// method the table marks unusable, or one mailscope cannot set up yet, is refused with why and
    /// the working alternative, before anything is sent.
    public func problem(method methodID: String?, on target: SetupTarget, access: AppAccess = .application) -> FieldError? {
        let targetName = target == .exchangeOnline ? "Exchange Online" : "Exchange Server"
        if access == .delegated, target == .exchangeOnline, delegatedLead == nil {
            return FieldError(
                field: "service_account.access",
                message: "\(vendor)'s guide has no delegated (authorization-code) connection; remove access, or use preset = \"custom\"")
        }
        if let methodID, let other = lead(on: target, access: access == .delegated ? .application : .delegated),
            other.methodID == methodID.lowercased(), lead(on: target, access: access)?.methodID != other.methodID
        {
            let wanted = access == .delegated ? "application" : "delegated"
            return FieldError(
                field: "method",
                message: "'\(methodID)' is \(vendor)'s \(wanted == "delegated" ? "delegated (authorization-code)" : "application (client credentials)") connection: set service_account.access = \"\(wanted)\" for it, or remove method")
        }
        guard let lead = lead(on: target, access: access) else {
            return FieldError(
                field: "target",
                message: "\(vendor) on \(targetName): \(noLead ?? "mailscope has no path here")")
        }
        guard let methodID else { return nil }
        guard let method = method(methodID) else {
            let known = methods.map(\.id)
            return FieldError(
                field: "method",
                message: known.isEmpty
                    ? "'\(FieldRules.printable(methodID))': \(vendor) has no guide methods; remove method"
                    : "'\(FieldRules.printable(methodID))' is not one of \(vendor)'s guide methods: \(known.joined(separator: ", "))"
            )
        }
        if method.id == lead.methodID { return nil }
        let alternative =
            lead.methodID.map { "method = \"\($0)\" (\(lead.path))" } ?? "leave method out: mailscope sets up \(lead.path)"
        let verdict = method.verdict(on: target)
        let said = verdict.isUsable ? "\(verdict.sentence); mailscope does not set it up today" : verdict.sentence
        // Where the method itself still works and mailscope leads through it: the other target.
        let other: SetupTarget = target == .exchangeOnline ? .exchangeServer : .exchangeOnline
        let elsewhere =
            self.lead(on: other)?.methodID == method.id
            ? "; or, with \(Self.targetName(other)), target = \"\(other.rawValue)\": there it \(method.verdict(on: other).sentence)"
            : ""
        return FieldError(
            field: "method",
            message: "\(method.name), on \(targetName): \(said). Instead: \(alternative)\(elsewhere)"
        )
    }
}

extension PresetConnections {
    /// The config's problems with this table: its target without a lead, or its method.
    func problems(of config: SetupConfig) -> [FieldError] {
        guard Preset.named(config.preset) != nil else { return [] }  // an unknown preset is named elsewhere
        return problem(method: config.guideMethod, on: config.target, access: config.access).map { [$0] } ?? []
    }
}

// MARK: - Rendering

extension PresetConnections {
    /// The plain-text table of every preset, for scripts (`mailscope presets`).
    public static var plainText: String {
        all.map { $0.plainLines().joined(separator: "\n") }.joined(separator: "\n\n") + "\n"
    }

    /// This preset's table as plain lines: `preset  method  target  verdict` rows, then where
    /// mailscope leads and the notes. `indent` starts every line.
    public func plainLines(target only: SetupTarget? = nil, access: AppAccess = .application, indent: String = "") -> [String] {
        var lines = ["\(indent)\(presetID): \(guide)"]
        let targets: [SetupTarget] = only.map { [$0] } ?? [.exchangeOnline, .exchangeServer]
        for method in methods {
            lines.append("\(indent)  \(method.name)")
            for target in targets {
                let leads = lead(on: target, access: access)?.methodID == method.id ? "  <- mailscope" : ""
                lines.append("\(indent)    \(Self.targetName(target)): \(method.verdict(on: target).sentence)\(leads)")
            }
        }
        if access == .application, targets.contains(.exchangeOnline), let delegated = delegatedLead {
            lines.append("\(indent)  mailscope on Exchange Online with access = \"delegated\": \(delegated.path)")
        }
        for target in targets {
            if let lead = lead(on: target, access: access) {
                lines.append("\(indent)  mailscope on \(Self.targetName(target)): \(lead.path)")
                lines.append("\(indent)    connects by: \(lead.connectsBy)")
                lines.append("\(indent)    hand-off gives: \(lead.handOffGives)")
            } else {
                lines.append("\(indent)  mailscope on \(Self.targetName(target)): nothing: \(noLead ?? "")")
            }
        }
        for note in notes { lines.append("\(indent)  note: \(note)") }
        return lines
    }

    /// One tab-separated line per guide method and target, for scripts: preset, method, target,
    /// verdict, how or why, and `mailscope` where mailscope leads (a header line first).
    public static var tabSeparated: String {
        var lines = ["preset\tmethod\ttarget\tverdict\tdetail\tmailscope"]
        for table in all {
            for method in table.methods {
                for target in [SetupTarget.exchangeOnline, .exchangeServer] {
                    let verdict = method.verdict(on: target)
                    let leads = table.lead(on: target)?.methodID == method.id ? "mailscope" : ""
                    let fields = [table.presetID, method.id, target.rawValue, verdict.word, verdict.detail ?? "", leads]
                    lines.append(fields.map { $0.replacingOccurrences(of: "\t", with: " ") }.joined(separator: "\t"))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The README's overview: per vendor and target, which way it connects and what the hand-off gives.
    public static var connectionMarkdown: [String] {
        var lines = [
            "| vendor | target | connects by | the hand-off gives |",
            "|---|---|---|---|",
        ]
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        for table in all {
            let name = Preset.named(table.presetID)?.displayName ?? table.presetID
            for target in [SetupTarget.exchangeOnline, .exchangeServer] {
                let lead = table.lead(on: target)
                let connects = lead?.connectsBy ?? "nothing: \(table.noLead ?? "")"
                let gives = lead?.handOffGives ?? "nothing"
                lines.append("| \(name) | \(targetName(target)) | \(cell(connects)) | \(cell(gives)) |")
            }
        }
        return lines
    }

    /// The README's preset section: the overview of connection ways, then one markdown table per preset.
    public static var markdown: String {
        var lines = connectionMarkdown + [""]
        for table in all {
            let name = Preset.named(table.presetID)?.displayName ?? table.presetID
            lines.append("**\(name)** (`preset = \"\(table.presetID)\"`): \(table.guide)")
            lines.append("")
            lines.append("| method in the guide | Exchange Online | Exchange Server |")
            lines.append("|---|---|---|")
            func cell(_ method: GuideMethod, _ target: SetupTarget) -> String {
                let mark = table.lead(on: target)?.methodID == method.id ? " **(mailscope)**" : ""
                return method.verdict(on: target).sentence.replacingOccurrences(of: "|", with: "\\|") + mark
            }
            for method in table.methods {
                lines.append(
                    "| \(method.name) (`method = \"\(method.id)\"`) | \(cell(method, .exchangeOnline)) | \(cell(method, .exchangeServer)) |"
                )
            }
            func leadCell(_ target: SetupTarget) -> String {
                guard let lead = table.lead(on: target) else { return "nothing: \(table.noLead ?? "")" }
                let fields = lead.form.fields.map(\.label)
                let form =
                    fields.isEmpty
                    ? "\(table.vendor)'s form \(lead.form.whereToEnter)"
                    : "hand-off: \(fields.joined(separator: ", ")); \(lead.form.whereToEnter)"
                return "\(lead.path); \(form)"
            }
            lines.append("| **mailscope leads to** | \(leadCell(.exchangeOnline)) | \(leadCell(.exchangeServer)) |")
            if let delegated = table.delegatedLead {
                let fields = delegated.form.fields.map(\.label)
                let form =
                    fields.isEmpty
                    ? "\(table.vendor)'s form \(delegated.form.whereToEnter)"
                    : "hand-off: \(fields.joined(separator: ", ")); \(delegated.form.whereToEnter)"
                lines.append(
                    "| **with `service_account.access = \"delegated\"`** | \(delegated.path); \(form) | does not apply: delegated access is an Entra app's (Exchange Online) |")
            }
            if !table.notes.isEmpty {
                lines.append("")
                for note in table.notes { lines.append("- \(note)") }
            }
            lines.append("")
        }
        return lines.dropLast().joined(separator: "\n")
    }

    /// A target's name in the table.
    public static func targetName(_ target: SetupTarget) -> String {
        switch target {
        case .exchangeOnline: "Exchange Online"
        case .exchangeServer: "Exchange Server"
        }
    }
}

// MARK: - The hand-off in the vendor form's words

extension PresetConnections {
    /// How many leading items of an arranged hand-off are the vendor form's (its fields and where
    /// to enter them), for `target`.
    public func formItemCount(on target: SetupTarget, access: AppAccess = .application) -> Int {
        guard let lead = lead(on: target, access: access), !lead.form.fields.isEmpty else { return 0 }
        return lead.form.fields.count + 1
    }

    /// The engine's hand-off `items` arranged for the vendor: the form's fields first, in its
    /// words and order, then where to enter them, then mailscope's other values as they were. A
    /// value the form takes is not repeated; a secret keeps its "shown once" mark. When the guide
    /// lists no fields, mailscope's values come first and a last item says what the form takes.
    public static func arrangedHandOff(_ items: [HandOffItem], config: SetupConfig) -> [HandOffItem] {
        // The vendor's own app (service_account.app_id) answers no preset's form of a tenant's own
        // app (its client ID and secret): its hand-off stays as the driver gives it.
        guard config.vendorAppID == nil else { return items }
        let table = of(config.preset)
        guard let lead = table.lead(on: config.target, access: config.access) else { return items }
        var rest = items
        func take(_ matches: (HandOffItem) -> Bool) -> HandOffItem? {
            guard let index = rest.firstIndex(where: matches) else { return nil }
            return rest.remove(at: index)
        }
        var form: [HandOffItem] = []
        for field in lead.form.fields {
            switch field.value {
            case .tenantID:
                let value = take { $0.label == "Tenant ID" }?.value ?? config.tenant
                form.append(HandOffItem(label: field.label, value: value))
            case .clientID:
                let value = take { $0.label == "Client (application) ID" }?.value ?? "?"
                form.append(HandOffItem(label: field.label, value: value))
            case .clientSecret:
                if let secret = take({ $0.label.hasPrefix("Client secret") && !$0.label.contains("file") }) {
                    let label = field.label + (secret.isSecret ? " (shown once)" : "")
                    form.append(HandOffItem(label: label, value: secret.value, isSecret: secret.isSecret))
                } else {
                    form.append(
                        HandOffItem(
                            label: field.label,
                            value: "none: the app holds a certificate; \(table.vendor)'s form asks for a secret (service_account.credential = \"secret\")"
                        ))
                }
            case .userInScope:
                let user = config.inScopeMailbox ?? config.members.first ?? "a user principal name inside the scope"
                form.append(HandOffItem(label: field.label, value: user))
            case .serviceAccountAddress:
                let value = take { $0.label == "Service account" }?.value ?? config.serviceAccountAddress ?? "?"
                form.append(HandOffItem(label: field.label, value: value))
            case .passwordLocation:
                let value =
                    take { $0.label == "Password" || $0.label == "Password file (0600)" }.map {
                        $0.label == "Password" ? $0.value : "\($0.value) (a 0600 file; not shown)"
                    } ?? "?"
                form.append(HandOffItem(label: field.label, value: value))
            }
        }
        if let note = lead.proofNote { rest.append(note) }
        // A form whose fields the guide does not list: mailscope's values first, then why.
        guard !lead.form.fields.isEmpty else {
            return rest + [HandOffItem(label: "\(table.vendor)'s form", value: lead.form.whereToEnter)]
        }
        form.append(HandOffItem(label: "Enter them in", value: lead.form.whereToEnter))
        return form + rest
    }
}
