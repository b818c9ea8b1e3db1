import MailscopeCore
import MailscopeEngine

/// A page of the wizard's form. Which pages are shown, and what is on them, depends on the target:
/// Exchange Online has three pages, Exchange Server four (`pages(for:)`).
public enum FormPage: Int, Sendable, CaseIterable, Comparable {
    /// Target, integration, and the tenant and sign-in (Exchange Online) or EWS (Exchange Server).
    case tenant
    /// Exchange Server: the service account and its password.
    case serviceAccount
    /// Service account (Exchange Online), scope kind and group.
    case account
    /// Scope name and roles (Exchange Online) or the mailboxes that prove the scope (Exchange Server).
    case scope

    /// The pages shown for `target`, in order.
    public static func pages(for target: SetupTarget) -> [FormPage] {
        switch target {
        case .exchangeOnline: [.tenant, .account, .scope]
        case .exchangeServer: [.tenant, .serviceAccount, .account, .scope]
        }
    }

    /// The page's heading for Exchange Online.
    public var title: String { title(for: .exchangeOnline) }

    /// The page's heading for `target`.
    public func title(for target: SetupTarget) -> String {
        switch (self, target) {
        case (.tenant, .exchangeOnline): "Tenant and sign-in"
        case (.tenant, .exchangeServer): "Exchange Server and EWS"
        case (.serviceAccount, _): "Service account"
        case (.account, .exchangeOnline): "Service account and group"
        case (.account, .exchangeServer): "Scope kind and group"
        case (.scope, .exchangeOnline): "Scope and roles"
        case (.scope, .exchangeServer): "Scope and the mailboxes that prove it"
        }
    }

    /// The fields on the page for Exchange Online, in focus order.
    public var fields: [FormField] { fields(for: .exchangeOnline) }

    /// The fields on the page for `target`, in focus order (empty for a page `target` does not show).
    public func fields(for target: SetupTarget) -> [FormField] {
        switch (self, target) {
        case (.tenant, .exchangeOnline):
            [.target, .preset, .connection, .tenant, .signIn, .clientID, .secretSource, .secretVariable, .secretFile,
                .certificateFile, .privateKeyFile]
        case (.tenant, .exchangeServer): [.target, .preset, .ewsURL, .ewsAuthentication]
        case (.serviceAccount, .exchangeOnline): []
        case (.serviceAccount, .exchangeServer):
            [.serviceAccountName, .serviceAccountAddress, .serviceAccountLogon, .passwordSource, .passwordFile,
                .passwordVariable]
        case (.account, .exchangeOnline):
            [.vendorAppID, .serviceAccountName, .mailboxUser, .redirectURI, .delegatedScopes, .scopeKind,
                .groupName, .groupAlias, .groupKind, .members]
        case (.account, .exchangeServer): [.scopeKind, .groupName, .groupAlias, .groupKind, .groupAddress, .members]
        case (.scope, .exchangeOnline): [.scopeName, .roles, .usesEWS, .endEventEarly]
        case (.scope, .exchangeServer): [.scopeName, .endEventEarly, .inScopeMailbox, .outOfScopeMailbox]
        }
    }

    public static func < (lhs: FormPage, rhs: FormPage) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One question of the form.
public enum FormField: String, Sendable, CaseIterable {
    case target
    case preset
    case tenant
    case signIn
    case clientID
    case secretSource
    case secretVariable
    case secretFile
    case certificateFile
    case privateKeyFile
    case ewsURL
    case ewsAuthentication
    case serviceAccountName
    case serviceAccountAddress
    case serviceAccountLogon
    case passwordSource
    case passwordFile
    case passwordVariable
    case scopeKind
    case groupName
    case groupAlias
    case groupKind
    case groupAddress
    case members
    case scopeName
    case roles
    case inScopeMailbox
    case outOfScopeMailbox
    case connection
    case vendorAppID
    case mailboxUser
    case redirectURI
    case delegatedScopes
    case usesEWS
    case endEventEarly

    /// The page the field is on for `target` (`nil` when `target` does not ask it).
    public func page(for target: SetupTarget) -> FormPage? {
        FormPage.pages(for: target).first { $0.fields(for: target).contains(self) }
    }

    /// The label beside the input.
    public var label: String {
        switch self {
        case .preset: "Integration"
        case .tenant: "Tenant"
        case .signIn: "Sign-in method"
        case .clientID: "Admin app (client) ID"
        case .secretSource: "Secret from"
        case .secretVariable: "Secret variable"
        case .secretFile: "Secret file"
        case .certificateFile: "Certificate file"
        case .privateKeyFile: "Private key file"
        case .serviceAccountName: "Service account name"
        case .scopeKind: "Scope kind"
        case .groupName: "Group name"
        case .groupAlias: "Group alias"
        case .groupKind: "Group kind"
        case .members: "Members"
        case .scopeName: "Management scope name"
        case .roles: "Application roles"
        case .target: "Target"
        case .ewsURL: "EWS URL"
        case .ewsAuthentication: "EWS sign-in"
        case .serviceAccountAddress: "Service account (UPN)"
        case .serviceAccountLogon: "Sign-in name"
        case .passwordSource: "Password from"
        case .passwordFile: "Password file"
        case .passwordVariable: "Password variable"
        case .groupAddress: "Group address"
        case .inScopeMailbox: "In-scope mailbox"
        case .outOfScopeMailbox: "Out-of-scope mailbox"
        case .connection: "The integration's app"
        case .vendorAppID: "Vendor app (client) ID"
        case .mailboxUser: "Service-account mailbox"
        case .redirectURI: "Redirect URI"
        case .delegatedScopes: "Delegated permissions"
        case .usesEWS: "The vendor calls EWS"
        case .endEventEarly: "End Event Early"
        }
    }

    /// Whether the field is a choice among fixed values (left/right) rather than free text.
    public var isChoice: Bool {
        switch self {
        case .preset, .signIn, .scopeKind, .groupKind, .target, .ewsAuthentication, .passwordSource, .secretSource,
            .connection, .delegatedScopes, .usesEWS, .endEventEarly:
            true
        default: false
        }
    }

    /// The explanation shown with `?` or F1, for Exchange Online.
    public var explanation: String { explanation(for: .exchangeOnline) }

    /// The explanation shown with `?` or F1 when the target is `target`.
    public func explanation(for target: SetupTarget) -> String {
        if target == .exchangeServer, let server = serverExplanation { return server }
        return switch self {
        case .preset:
            "The integration you are connecting. A preset fills in the names and the roles its vendor's guide asks for; every value can still be changed on the next pages. Choose Custom to fill in everything yourself."
        case .tenant:
            "Your Microsoft 365 tenant: its tenant ID (a GUID from the Entra admin center, Overview → Tenant ID) or a verified domain such as contoso.onmicrosoft.com. After sign-in, mailscope shows the tenant it reached and you check that it is this one before anything is written."
        case .signIn:
            "How you sign in as an Exchange administrator. Device code works over SSH: you open a URL on any device and type a short code. Client secret and certificate use an existing admin app (its client ID and its secret or certificate, asked next) for unattended runs."
        case .clientID:
            "The application (client) ID of the existing admin app mailscope signs in as, a GUID from the Entra admin center (App registrations → the app → Overview) (config: auth.client_id). The app needs the Graph and Exchange permissions mailscope's plan lists."
        case .secretSource:
            "Where mailscope reads the admin app's client secret: an environment variable or a file only you can read (mode 0600). The secret itself is never typed here or saved by mailscope."
        case .secretVariable:
            "The NAME of an environment variable holding the admin app's client secret, for example MAILSCOPE_ADMIN_SECRET, not the secret itself (config: auth.secret_env). Export it before starting mailscope."
        case .secretFile:
            "The path of a file holding the admin app's client secret on one line, readable only by you (chmod 600) (config: auth.secret_file)."
        case .certificateFile:
            "The admin app's certificate, a PEM file, as uploaded to the app's Certificates & secrets (config: auth.certificate_file)."
        case .privateKeyFile:
            "The certificate's private key, a PEM file readable only by you (chmod 600) (config: auth.private_key_file)."
        case .serviceAccountName:
            "The name of the Entra app registration (the service account) the integration signs in as, for example workable_service. It is created if it does not exist; an existing app with this name is reused."
        case .scopeKind:
            "What the app may reach. Group: only the mailboxes that are direct members of the group below. Rooms: only room mailboxes. Everything else is denied, and mailscope proves that before it finishes."
        case .groupName:
            "The mail-enabled group that holds the mailboxes the app may reach, for example WorkableUsers. It is created if missing. Only direct members count: members of nested groups are not in scope."
        case .groupAlias:
            "Optional: the group's alias (mailNickname in Exchange), ASCII letters, digits, - and _ (config: group.alias). Empty: derived from the group name, which may be in any script: its ASCII letters and digits, else a transliteration to Latin (shown beside the field), else group- and a short code."
        case .groupKind:
            "The kind of group: distribution (Exchange), mail-enabled security, or Microsoft 365 (created through Graph). An existing group keeps its kind."
        case .members:
            "The mailboxes (users and rooms) the app may reach, as addresses separated by commas, for example alice@contoso.com, room1@contoso.com. Missing members are added to the group; nothing is removed."
        case .scopeName:
            "The Exchange management scope that limits the role assignments to the mailboxes above; at most 64 characters, for example WorkableUsersScope."
        case .roles:
            "The RBAC for Applications roles granted to the app inside the scope, separated by commas, for example Application Calendars.ReadWrite. The word \"Application\" may be left out. Known roles: "
                + ApplicationRole.known.map { $0.replacingOccurrences(of: "Application ", with: "") }.joined(
                    separator: ", "
                )
                + "."
        case .target:
            "Where the mailboxes live. Exchange Online (Microsoft 365): an Entra app gets RBAC for Applications roles limited by a management scope. Exchange Server on-premises (2016, 2019, SE): a service account gets ApplicationImpersonation limited by a management scope, used over EWS; the Exchange Management Shell steps are shown for you to run."
        case .ewsURL:
            "The server's EWS address, ending in /EWS/Exchange.asmx, for example https://mail.contoso.com/EWS/Exchange.asmx (config: server.ews_url). mailscope checks it answers before anything else and proves the result through it."
        case .ewsAuthentication:
            "How the service account signs in to EWS (config: server.auth). NTLM is Exchange's default and never sends the password itself; Basic sends it with every request, so only over TLS."
        case .serviceAccountAddress:
            "The service account's user principal name, which is also its primary SMTP address, for example svc-booking@contoso.com (config: service_account.address). It is created with a mailbox if it does not exist; the integration signs in as it."
        case .serviceAccountLogon:
            "Optional: the name the service account signs in with, as DOMAIN\\user (for example CONTOSO\\svc-booking) when the server does not accept the UPN (config: service_account.logon). Empty: the address above."
        case .passwordSource:
            "Where mailscope reads the service account's password: a file only you can read (mode 0600) or an environment variable. The password itself is never typed here or saved by mailscope; you enter the same one when the Exchange Management Shell asks for it."
        case .passwordFile:
            "The path of a file holding the service account's password on one line, readable only by you (chmod 600), for example ~/.config/mailscope/svc-booking.password (config: service_account.password_file)."
        case .passwordVariable:
            "The NAME of an environment variable holding the service account's password, for example SVC_BOOKING_PASSWORD, not the password itself (config: service_account.password_env). Export it before starting mailscope."
        case .groupAddress:
            "Optional: the group's primary SMTP address, for example workableusers@contoso.com (config: group.address). Empty: the group's alias at the service account's domain."
        case .inScopeMailbox:
            "A mailbox the service account must reach through impersonation, to prove the scope works (config: connect.in_scope_mailbox). Optional for a group scope (the first member is used); required for a rooms scope: name one room mailbox."
        case .connection:
            "Whose app the integration signs in as. mailscope makes an app: a new app registration with a client secret, given to the vendor's form. The vendor gives me an app ID: the vendor publishes one multi-tenant app for all its customers; mailscope creates no app and no credential, adds the app to this tenant if it is missing, and scopes it. If it was consented to before, its tenant-wide grants are removed only after the scoped roles are shown in scope, so it keeps working (config: service_account.app_id)."
        case .vendorAppID:
            "The application (client) ID of the vendor's multi-tenant app, a GUID the vendor publishes (its setup guide or support), not an object ID (config: service_account.app_id). mailscope cannot call Graph as that app (the vendor holds its credential): it proves the scope with Test-ServicePrincipalAuthorization, and the hand-off says how the vendor confirms."
        case .mailboxUser:
            "The licensed user the vendor's guide signs in as, to consent to its app (config: service_account.mailbox), for example eptura_service@contoso.com. It is created with a licence if missing. Empty: the service account's name at the tenant's domain (a tenant given by its GUID has none: then give it)."
        case .redirectURI:
            "Where Microsoft sends the sign-in's code back to the vendor (config: service_account.redirect_uri): the vendor's Web redirect URI, https only (http for localhost). Empty: the one the vendor's guide gives."
        case .delegatedScopes:
            "The Microsoft Graph delegated permissions the app is consented to for every user (config: service_account.scopes): the guide's default set, or its minimum. Delegated access is limited by each signed-in user's own mailbox rights: no Exchange management scope applies to it."
        case .usesEWS:
            "Whether the vendor's product still calls EWS in Exchange Online (config: service_account.uses_ews). Yes: the role Application EWS.AccessAsApp is assigned within the same scope and the app's ID is added to the organisation's EWS allow list (EwsAllowedAppIDs, every entry kept; up to 24 hours to take effect). EWS in Exchange Online ends on 1 Apr 2027: the Graph roles of the same scope replace it."
        case .endEventEarly:
            "Eptura's End Event Early changes the organizer's copy of a meeting, so it needs the mailbox of whoever booked the room (config: scope.end_event_early). Yes widens the one scope to room, user and shared mailboxes, said loudly in the plan and the hand-off. No keeps the app on the room mailboxes only."
        case .outOfScopeMailbox:
            "A mailbox the service account must NOT reach, to prove the scope holds, for example an executive's (config: connect.out_of_scope_mailbox). It must not be a member of the group. mailscope finishes only when it is refused."
        }
    }

    /// How the field reads for Exchange Server, where it differs from Exchange Online.
    private var serverExplanation: String? {
        switch self {
        case .serviceAccountName:
            "The service account's display name in Exchange, for example svc-booking (config: service_account.name, at most 64 characters). It names the mailbox when it is created, and the role assignment."
        case .groupName:
            "The distribution group that holds the mailboxes the service account may reach, for example WorkableUsers (config: group.name). The Exchange Management Shell step creates it if missing. Only direct members count."
        case .groupKind:
            "The kind of group the step creates: distribution or mail-enabled security (Exchange Server has no Microsoft 365 groups). An existing group keeps its kind (config: group.kind)."
        case .scopeKind:
            "What the service account may impersonate. Group: only the direct members of the group. Rooms: only room mailboxes. Everything else is refused, and mailscope proves that over EWS before it finishes."
        case .scopeName:
            "The management scope that limits the ApplicationImpersonation role assignment (config: scope.name, at most 64 characters), for example WorkableUsersScope."
        case .members:
            "The mailboxes (users and rooms) the service account may reach, as primary SMTP addresses separated by commas (EWS impersonation refuses aliases), for example alice@contoso.com, room1@contoso.com (config: group.members). Missing members are added; nothing is removed."
        default: nil
        }
    }
}

/// Whose app the integration signs in as (Exchange Online).
public enum AppConnection: String, Sendable, CaseIterable {
    /// mailscope makes an app registration with a credential for the vendor's form.
    case newApp
    /// The vendor's own multi-tenant app (`service_account.app_id`): no app, no credential made.
    case vendorApp
    /// An app mailscope makes for the authorization-code grant (`service_account.access =
    /// "delegated"`): each signed-in user's own rights limit it.
    case delegatedApp

    /// The choice's words in the form.
    public var title: String {
        switch self {
        case .newApp: "mailscope makes an app"
        case .vendorApp: "the vendor gives me an app ID"
        case .delegatedApp: "users sign in to it (delegated)"
        }
    }
}

extension SetupTarget {
    /// The target's short name in the form.
    public var title: String {
        switch self {
        case .exchangeOnline: "Exchange Online"
        case .exchangeServer: "Exchange Server on-premises"
        }
    }

    /// The target with how mailscope sets it up.
    public var summary: String {
        switch self {
        case .exchangeOnline: "Exchange Online (Entra app + RBAC for Applications)"
        case .exchangeServer: "Exchange Server on-premises (ApplicationImpersonation over EWS)"
        }
    }

    /// Both targets, in the order the form offers them.
    public static let all: [SetupTarget] = [.exchangeOnline, .exchangeServer]
}

extension HTTPAuthentication.Scheme {
    /// The scheme's name in the form.
    public var title: String {
        switch self {
        case .ntlm: "NTLM"
        case .basic: "Basic (TLS only)"
        }
    }
}

/// Where the service account's password is read from (Exchange Server). The password itself is
/// never an answer.
public enum PasswordSource: String, Sendable, CaseIterable {
    /// A file readable only by the admin (0600).
    case file
    /// An environment variable.
    case environmentVariable

    /// The source's name in the form.
    public var title: String {
        switch self {
        case .file: "a 0600 file"
        case .environmentVariable: "an environment variable"
        }
    }
}

extension SignInMethod {
    /// The method's name in the form.
    public var title: String {
        switch self {
        case .deviceCode: "device code"
        case .clientSecret: "client secret"
        case .certificate: "certificate"
        }
    }
}

extension GroupKind {
    /// The kind's name in the form.
    public var title: String {
        switch self {
        case .distribution: "distribution"
        case .mailEnabledSecurity: "mail-enabled security"
        case .microsoft365: "Microsoft 365"
        }
    }
}

extension ScopeKind {
    /// The kind's name in the form.
    public var title: String {
        switch self {
        case .group: "group members"
        case .rooms: "room mailboxes"
        }
    }
}
