import Foundation

/// How the management scope limits the app.
public enum ScopeKind: String, Codable, Sendable, CaseIterable {
    /// Direct members of the distribution group (`MemberOfGroup -eq '<DN>'`).
    case group
    /// Room mailboxes only (`RecipientTypeDetails -eq 'RoomMailbox'`).
    case rooms
}

/// What kind of group holds the mailboxes the app may touch.
public enum GroupKind: String, Codable, Sendable, CaseIterable {
    /// A distribution group (Exchange `New-DistributionGroup -Type Distribution`).
    case distribution
    /// A mail-enabled security group (Exchange `New-DistributionGroup -Type Security`).
    case mailEnabledSecurity = "mail-enabled-security"
    /// A Microsoft 365 group, created through Graph.
    case microsoft365 = "microsoft-365"
}

/// The "Application …" roles of RBAC for Applications: one table, used by config validation, the
/// grant check of the engine, `check` and the printed script alike.
public enum ApplicationRole {
    /// Every application role Exchange Online documents, with the Microsoft Graph application
    /// permissions it stands for (Exchange Online's "Role Based Access Control for Applications"
    /// page, learn.microsoft.com/exchange/permissions-exo/application-rbac, "Supported Application
    /// Roles" table, read Nov 2025). A ReadWrite role also covers the Read permission of its family.
    public static let table: [(role: String, permissions: [String])] = [
        ("Application Mail.Read", ["Mail.Read"]),
        ("Application Mail.ReadBasic", ["Mail.ReadBasic", "Mail.ReadBasic.All"]),
        ("Application Mail.ReadWrite", ["Mail.ReadWrite", "Mail.Read"]),
        ("Application Mail.Send", ["Mail.Send"]),
        ("Application MailboxSettings.Read", ["MailboxSettings.Read"]),
        ("Application MailboxSettings.ReadWrite", ["MailboxSettings.ReadWrite", "MailboxSettings.Read"]),
        ("Application Calendars.Read", ["Calendars.Read"]),
        ("Application Calendars.ReadWrite", ["Calendars.ReadWrite", "Calendars.Read"]),
        ("Application Contacts.Read", ["Contacts.Read"]),
        ("Application Contacts.ReadWrite", ["Contacts.ReadWrite", "Contacts.Read"]),
        ("Application MailboxFolder.Read", ["MailboxFolder.Read.All"]),
        ("Application MailboxFolder.ReadWrite", ["MailboxFolder.ReadWrite.All", "MailboxFolder.Read.All"]),
        ("Application MailboxItem.Read", ["MailboxItem.Read.All"]),
        ("Application MailboxItem.ReadWrite", ["MailboxItem.ReadWrite.All", "MailboxItem.Read.All"]),
        ("Application MailboxItem.Export", ["MailboxItem.Export.All"]),
        ("Application MailboxItem.ImportExport", ["MailboxItem.ImportExport.All"]),
        ("Application Mail Full Access", ["Mail.ReadWrite", "Mail.Send", "Mail.Read"]),
        (
            "Application Exchange Full Access",
            [
                "Mail.ReadWrite", "Mail.Send", "Mail.Read", "MailboxSettings.ReadWrite", "MailboxSettings.Read",
                "Calendars.ReadWrite", "Calendars.Read", "Contacts.ReadWrite", "Contacts.Read",
            ]
        ),
        // EWS: the Entra permission of Office 365 Exchange Online is full_access_as_app.
        ("Application EWS.AccessAsApp", ["EWS.AccessAsApp", "full_access_as_app"]),
        ("Application SMTP.SendAsApp", ["SMTP.SendAsApp"]),
        ("Application MailboxConfigItem.Read", ["MailboxConfigItem.Read"]),
        ("Application MailboxConfigItem.ReadWrite", ["MailboxConfigItem.ReadWrite", "MailboxConfigItem.Read"]),
        ("Application MailTips.ReadBasic.All", ["MailTips.ReadBasic.All"]),
        ("Application Mail-Advanced.ReadWrite.All", ["Mail-Advanced.ReadWrite.All"]),
    ]

    /// Every application role name Exchange Online documents.
    public static let known: [String] = table.map(\.role)

    /// The Graph application permissions a role stands for; an Entra grant of any of these on the
    /// same app voids the Exchange scope.
    public static func graphPermissions(for role: String) -> [String] {
        table.first { $0.role.caseInsensitiveCompare(role) == .orderedSame }?.permissions
            ?? [role.replacingOccurrences(of: "Application ", with: "")]
    }

    /// Every Entra application permission that reaches mailbox content a role of the table can
    /// reach: granted tenant-wide on the app, it adds to the scoped role (the two are a union,
    /// application-rbac FAQ) and so voids the scope, whatever roles this setup uses.
    public static let scopeVoidingPermissions: Set<String> = Set(table.flatMap(\.permissions).map { $0.lowercased() })

    /// Whether an Entra application permission is one of `scopeVoidingPermissions`.
    public static func voidsScope(_ permission: String) -> Bool {
        scopeVoidingPermissions.contains(permission.lowercased())
    }
}

/// Defaults for an integration whose vendor guide an admin brings. A preset only fills
/// defaults; every value can be changed in the config or the wizard.
public struct Preset: Sendable, Equatable, Identifiable {
    /// The preset's key in configs (`workable`, `eptura`, `ioffice`, `nylas`, `workato`, `custom`).
    public var id: String
    /// The integration's name.
    public var displayName: String
    /// One line on what the vendor needs.
    public var summary: String
    /// The service account (app) name.
    public var serviceAccountName: String
    /// The group name, for group scopes.
    public var groupName: String
    /// The scope kind.
    public var scopeKind: ScopeKind
    /// The management scope's name.
    public var scopeName: String
    /// The application roles to assign.
    public var roles: [String]
    /// The ApplicationImpersonation role assignment's name on Exchange Server, where the vendor's
    /// guide gives one; otherwise it is derived from the service account's name.
    public var impersonationAssignmentName: String? = nil
    /// Whether the vendor's guide signs in as a licensed user of the tenant (Exchange Online): the
    /// preset then turns on the licensed mailbox (`service_account.mailbox`), by default the
    /// service account's name at the tenant's domain.
    public var licensedMailbox: Bool = false
    /// Whether the guide has Eptura's "End Event Early" (`scope.end_event_early`).
    public var offersEndEventEarly: Bool = false
    /// The guide's delegated (authorization-code) connection, where it has one.
    public var delegated: DelegatedPreset? = nil
    /// Named sets of application roles the guide gives (`scope.roles = "default"`, `"minimum"`).
    public var roleSets: [String: [String]] = [:]
    /// Whether the vendor's guide connects over EWS (`service_account.uses_ews` by default on
    /// Exchange Online; a config may turn it off).
    public var usesEWS: Bool = false

    /// The built-in presets, in the order the wizard lists them.
    public static let all: [Preset] = [
        Preset(
            id: "workable",
            displayName: "Workable",
            summary: "Mail and calendar of the hiring team's members",
            serviceAccountName: "workable_service",
            groupName: "WorkableUsers",
            scopeKind: .group,
            scopeName: "WorkableUsersScope",
            roles: ["Application Calendars.ReadWrite", "Application Mail.ReadWrite", "Application Mail.Send"],
            impersonationAssignmentName: "WorkableImpersonation"
        ),
        Preset(
            id: "eptura",
            displayName: "Eptura Workplace",
            summary: "Room booking: room mailboxes only",
            serviceAccountName: "eptura_service",
            groupName: "",
            scopeKind: .rooms,
            scopeName: "ResourceMailboxes",
            roles: ["Application Calendars.ReadWrite"],
            // Eptura Workplace's Microsoft 365 calendar guide (knowledge.eptura.com): "the account
            // must have a 365 license assigned and also be an Admin account with the permission to
            // consent to the OAuth app permissions".
            licensedMailbox: true,
            offersEndEventEarly: true
        ),
        Preset(
            id: "ioffice",
            displayName: "iOFFICE",
            summary: "Room booking over EWS: room mailboxes only",
            serviceAccountName: "ioffice_service",
            groupName: "",
            scopeKind: .rooms,
            scopeName: "ResourceMailboxes",
            roles: ["Application Calendars.ReadWrite"],
            impersonationAssignmentName: "ResourceImpersonation",
            offersEndEventEarly: true,
            // The iOFFICE/Eptura impersonation guide is EWS-based.
            usesEWS: true
        ),
        Preset(
            id: "nylas",
            displayName: "Nylas",
            summary: "Calendar sync for the group's members",
            serviceAccountName: "nylas_service",
            groupName: "NylasUsers",
            scopeKind: .group,
            scopeName: "NylasUsersScope",
            roles: ["Application Calendars.ReadWrite"]
        ),
        Preset(
            id: "workato",
            displayName: "Workato",
            summary: "Mail, calendar and contacts through Graph",
            serviceAccountName: "workato_service",
            groupName: "WorkatoUsers",
            scopeKind: .group,
            scopeName: "WorkatoUsersScope",
            roles: ["Application Mail.ReadWrite", "Application Calendars.ReadWrite", "Application Contacts.ReadWrite"],
            // Workato's Outlook connector guide (docs.workato.com/connectors/outlook): the
            // authorization-code connection's delegated permissions and redirect URI, and the
            // client-credentials connection's application permissions, as RBAC roles of the same
            // names (each in application-rbac's role table: ApplicationRole.table).
            delegated: DelegatedPreset(
                defaultScopes: [
                    "Mail.Send", "Mail.ReadWrite", "Mail.ReadWrite.Shared", "Calendars.ReadWrite",
                    "Calendars.ReadWrite.Shared", "User.Read", "offline_access",
                ],
                minimumScopes: ["User.Read", "offline_access"],
                redirectURI: URL(string: "https://www.workato.com/oauth/callback")!
            ),
            roleSets: [
                "default": [
                    "Application Calendars.Read", "Application Calendars.ReadWrite", "Application Contacts.Read",
                    "Application Contacts.ReadWrite", "Application Mail.Read", "Application Mail.ReadWrite",
                    "Application Mail.Send",
                ],
                "minimum": ["Application Mail.Read"],
            ]
        ),
        Preset(
            id: "custom",
            displayName: "Custom",
            summary: "Choose every value yourself",
            serviceAccountName: "integration_service",
            groupName: "IntegrationUsers",
            scopeKind: .group,
            scopeName: "IntegrationUsersScope",
            roles: ["Application Calendars.Read"]
        ),
    ]

    /// The preset with key `id`, if any.
    public static func named(_ id: String) -> Preset? { all.first { $0.id == id.lowercased() } }
}
