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

/// The "Application …" roles of RBAC for Applications that presets grant.
public enum ApplicationRole {
    /// Every application role name Exchange Online documents (application-rbac page, Nov 2025).
    public static let known: [String] = [
        "Application Mail.Read", "Application Mail.ReadBasic", "Application Mail.ReadWrite", "Application Mail.Send",
        "Application MailboxSettings.Read", "Application MailboxSettings.ReadWrite", "Application Calendars.Read",
        "Application Calendars.ReadWrite", "Application Contacts.Read", "Application Contacts.ReadWrite",
        "Application MailboxFolder.Read", "Application MailboxFolder.ReadWrite", "Application MailboxItem.Read",
        "Application MailboxItem.ReadWrite", "Application MailboxItem.Export", "Application MailboxItem.ImportExport",
        "Application Mail Full Access", "Application Exchange Full Access", "Application EWS.AccessAsApp",
        "Application SMTP.SendAsApp", "Application MailboxConfigItem.Read", "Application MailboxConfigItem.ReadWrite",
        "Application MailTips.ReadBasic.All", "Application Mail-Advanced.ReadWrite.All",
    ]

    /// The Graph application permissions a role stands for; an Entra grant of any of these on the
    /// same app voids the Exchange scope.
    public static func graphPermissions(for role: String) -> [String] {
        switch role {
        case "Application Mail Full Access": return ["Mail.ReadWrite", "Mail.Send", "Mail.Read"]
        case "Application Exchange Full Access":
            return [
                "Mail.ReadWrite", "Mail.Send", "Mail.Read", "MailboxSettings.ReadWrite", "MailboxSettings.Read",
                "Calendars.ReadWrite", "Calendars.Read", "Contacts.ReadWrite", "Contacts.Read",
            ]
        default:
            let permission = role.replacingOccurrences(of: "Application ", with: "")
            // A ReadWrite role overlaps with the Read permission of the same family too.
            if permission.hasSuffix(".ReadWrite") {
                return [permission, permission.replacingOccurrences(of: ".ReadWrite", with: ".Read")]
            }
            return [permission]
        }
    }
}

/// Defaults for an integration whose vendor guide an admin brings. A preset only fills
/// defaults; every value can be changed in the config or the wizard.
public struct Preset: Sendable, Equatable, Identifiable {
    /// The preset's key in configs (`workable`, `eptura`, `nylas`, `workato`, `custom`).
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
            roles: ["Application Calendars.ReadWrite", "Application Mail.ReadWrite", "Application Mail.Send"]
        ),
        Preset(
            id: "eptura",
            displayName: "Eptura / iOFFICE rooms",
            summary: "Room booking: room mailboxes only",
            serviceAccountName: "eptura_service",
            groupName: "",
            scopeKind: .rooms,
            scopeName: "ResourceMailboxes",
            roles: ["Application Calendars.ReadWrite"]
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
            roles: ["Application Mail.ReadWrite", "Application Calendars.ReadWrite", "Application Contacts.ReadWrite"]
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
