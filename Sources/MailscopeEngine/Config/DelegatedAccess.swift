import Foundation

/// How the integration's app reaches mailboxes (`service_account.access`).
public enum AppAccess: String, Codable, Sendable, CaseIterable {
    /// Application permissions (RBAC for Applications roles limited by a management scope): the
    /// app acts as itself, without a signed-in user (client credentials).
    case application
    /// Delegated permissions (the authorization-code grant): the app acts as each signed-in user
    /// and reaches only what that user may reach; no Exchange management scope applies.
    case delegated
}

/// The delegated Microsoft Graph permissions a delegated app asks for (`service_account.scopes`).
public enum DelegatedScopes: Sendable, Equatable, Codable {
    /// The preset's default set (Workato: Mail.Send, Mail.ReadWrite, … offline_access).
    case defaultSet
    /// The preset's minimum set (Workato: User.Read, offline_access).
    case minimum
    /// The listed permissions, by their Graph names.
    case list([String])

    /// The permission names for `preset` (nil: the preset has no such set).
    public func names(for preset: Preset?) -> [String]? {
        switch self {
        case .defaultSet: preset?.delegated?.defaultScopes
        case .minimum: preset?.delegated?.minimumScopes
        case .list(let names): names
        }
    }
}

/// What a preset's vendor guide says about its delegated (authorization-code) connection.
public struct DelegatedPreset: Sendable, Equatable {
    /// The delegated permissions the guide's connection asks for by default.
    public var defaultScopes: [String]
    /// The fewest the connection works with.
    public var minimumScopes: [String]
    /// The Web redirect URI the vendor's guide gives.
    public var redirectURI: URL
}

/// Microsoft Graph's delegated permissions (OAuth 2.0 scopes) mailscope can grant: their names
/// and ids, one table for config validation, the app's `requiredResourceAccess` and the script.
/// The ids are Microsoft's (microsoftgraph/microsoft-graph-devx-content
/// permissions/permissions-descriptions.json, `delegatedScopesList`, the data behind
/// microsoft-graph-docs-contrib concepts/permissions-reference.md); the simulator publishes the
/// same on Graph's service principal (`oauth2PermissionScopes`).
public enum GraphDelegatedPermission {
    /// Microsoft Graph's application (client) id, the `resourceAppId` of `requiredResourceAccess`.
    public static let graphAppID = "00000003-0000-0000-c000-000000000000"

    /// Name and id of each delegated permission of mail, calendars, contacts, mailbox settings
    /// and sign-in.
    public static let table: [(name: String, id: String)] = [
        ("Mail.Read", "570282fd-fa5c-430d-a7fd-fc8dc98a9dca"),
        ("Mail.ReadBasic", "a4b8392a-d8d1-4954-a029-8e668a39a170"),
        ("Mail.ReadWrite", "024d486e-b451-40bb-833d-3e66d98c5c73"),
        ("Mail.Read.Shared", "7b9103a5-4610-446b-9670-80643382c1fa"),
        ("Mail.ReadWrite.Shared", "5df07973-7d5d-46ed-9847-1271055cbd51"),
        ("Mail.Send", "e383f46e-2787-4529-855e-0e479a3ffac0"),
        ("Mail.Send.Shared", "a367ab51-6b49-43bf-a716-a1fb06d2a174"),
        ("Calendars.Read", "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42"),
        ("Calendars.ReadWrite", "1ec239c2-d7c9-4623-a91a-a9775856bb36"),
        ("Calendars.Read.Shared", "2b9c4092-424d-4249-948d-b43879977640"),
        ("Calendars.ReadWrite.Shared", "12466101-c9b8-439a-8589-dd09ee67e8e9"),
        ("Contacts.Read", "ff74d97f-43af-4b68-9f2a-b77ee6968c5d"),
        ("Contacts.ReadWrite", "d56682ec-c09e-4743-aaf4-1a3aac4caa21"),
        ("Contacts.Read.Shared", "242b9d9e-ed24-4d09-9a52-f43769beb9d4"),
        ("Contacts.ReadWrite.Shared", "afb6c84b-06be-49af-80bb-8f3f77004eab"),
        ("MailboxSettings.Read", "87f447af-9fa4-4c32-9dfa-4a57a73d18ce"),
        ("MailboxSettings.ReadWrite", "818c620a-27a9-40bd-a6a5-d96f7d610b4b"),
        ("User.Read", "e1fe6dd8-ba31-4d61-89e7-88639da4683d"),
        ("User.ReadBasic.All", "b340eb25-3456-403f-be2f-af7a0d370277"),
        ("offline_access", "7427e0e9-2fba-42fe-b0c0-848c9e6a8182"),
        ("openid", "37f7f235-527c-4136-accd-4a02d197296e"),
        ("profile", "14dad69e-099b-42c9-810b-d002981feec1"),
        ("email", "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0"),
    ]

    /// The id of the permission `name` (exact, as Graph spells it), or nil.
    public static func id(of name: String) -> String? { table.first { $0.name == name }?.id }

    /// The permission named `id`, or nil.
    public static func name(ofID id: String) -> String? { table.first { $0.id == id.lowercased() }?.name }
}

extension FieldRules {
    /// Checks a Web redirect URI against the Microsoft identity platform's restrictions
    /// (MicrosoftDocs/entra-docs docs/identity-platform/reply-url.md): absolute, `https` (or `http`
    /// for `localhost` only), at most 256 characters, none of `! $ ' ( ) , ;`, no wildcard.
    public static func redirectURI(
        _ value: String,
        field: String = "service_account.redirect_uri"
    ) -> Result<URL, FieldError> {
        func refuse(_ why: String) -> Result<URL, FieldError> {
            .failure(FieldError(field: field, message: "'\(printable(value))' \(why)"))
        }
        if let hidden = hiddenCharacter(value, field: field) { return .failure(hidden) }
        guard let url = URL(string: value), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty
        else {
            return refuse(
                "is not an absolute URL; give the vendor's redirect URI such as https://www.workato.com/oauth/callback"
            )
        }
        if value.count > 256 { return refuse("is longer than the 256 characters Entra accepts for a redirect URI") }
        if value.contains("*") {
            return refuse("holds a wildcard; Entra wants the exact redirect URI the vendor gives")
        }
        if let bad = value.first(where: { "!$'(),;".contains($0) }) {
            return refuse("holds '\(bad)', which Entra does not accept in a redirect URI")
        }
        switch scheme {
        case "https": return .success(url)
        case "http" where host.lowercased() == "localhost": return .success(url)
        default:
            return refuse("must start with https:// (http:// only for localhost, as Entra allows)")
        }
    }

    /// Checks delegated permission names against Graph's (exact spelling), naming a near miss.
    public static func delegatedScopes(_ names: [String], field: String = "service_account.scopes") -> FieldError? {
        if names.isEmpty {
            return FieldError(
                field: field,
                message: "is empty; name the delegated permissions, e.g. [\"User.Read\", \"offline_access\"]"
            )
        }
        for (index, name) in names.enumerated() where GraphDelegatedPermission.id(of: name) == nil {
            let close = GraphDelegatedPermission.table.first { $0.name.lowercased() == name.lowercased() }?.name
            let known = GraphDelegatedPermission.table.map(\.name).joined(separator: ", ")
            return FieldError(
                field: "\(field)[\(index)]",
                message: "'\(printable(name))' is not a Microsoft Graph delegated permission mailscope can grant; "
                    + (close.map { "did you mean \"\($0)\"?" } ?? "use one of: \(known)")
            )
        }
        if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            return FieldError(field: field, message: "names \(repeated) twice; list each permission once")
        }
        return nil
    }
}

extension SetupConfig {
    /// The delegated permissions this setup grants, by name (nil for application access, or when
    /// the preset has no such set: a validation error then says so).
    public var delegatedScopeNames: [String]? {
        guard access == .delegated else { return nil }
        return delegatedScopes.names(for: Preset.named(preset))
    }

    /// Delegated access: the problems of its settings (application access: the delegated settings
    /// that must not be there).
    func accessErrors() -> [FieldError] {
        var errors: [FieldError] = []
        guard access == .delegated else {
            if redirectURI != nil {
                errors.append(
                    FieldError(
                        field: "service_account.redirect_uri",
                        message:
                            "is for delegated access only (an app users sign in to); set service_account.access = \"delegated\" or remove redirect_uri"
                    )
                )
            }
            if delegatedScopes != .defaultSet {
                errors.append(
                    FieldError(
                        field: "service_account.scopes",
                        message:
                            "is for delegated access only; application access is limited by roles.names and the scope: set service_account.access = \"delegated\" or remove scopes"
                    )
                )
            }
            return errors
        }
        if usesEWS {
            errors.append(
                FieldError(
                    field: "service_account.uses_ews",
                    message:
                        "is for application access (Application EWS.AccessAsApp within the scope); delegated access calls Microsoft Graph as each signed-in user: remove uses_ews or set service_account.access = \"application\""
                )
            )
        }
        if target == .exchangeServer {
            errors.append(
                FieldError(
                    field: "service_account.access",
                    message:
                        "\"delegated\" is an Entra app's sign-in (Exchange Online); Exchange Server uses a service account with ApplicationImpersonation: remove access"
                )
            )
        }
        if vendorAppID != nil {
            errors.append(
                FieldError(
                    field: "service_account.app_id",
                    message:
                        "cannot be used with access = \"delegated\": the vendor's own app gets its delegated consent from the vendor's sign-in page, and mailscope makes a delegated app of the tenant's own; remove app_id, or set access = \"application\""
                )
            )
        }
        if redirectURI == nil {
            errors.append(
                FieldError(
                    field: "service_account.redirect_uri",
                    message:
                        "is required for delegated access: the Web redirect URI the vendor's guide gives (Workato: https://www.workato.com/oauth/callback)"
                )
            )
        }
        if let names = delegatedScopeNames {
            if let error = FieldRules.delegatedScopes(names) { errors.append(error) }
        } else {
            errors.append(
                FieldError(
                    field: "service_account.scopes",
                    message:
                        "preset \"\(preset)\" has no \"default\" or \"minimum\" set of delegated permissions; list them, e.g. scopes = [\"User.Read\", \"offline_access\", \"Calendars.ReadWrite\"]"
                )
            )
        }
        return errors
    }
}
