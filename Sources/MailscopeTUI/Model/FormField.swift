import MailscopeEngine

/// A page of the wizard's form.
public enum FormPage: Int, Sendable, CaseIterable, Comparable {
    /// Integration, tenant, sign-in method.
    case tenant
    /// Service account, scope kind, group.
    case account
    /// Scope name and roles.
    case scope

    /// The page's heading.
    public var title: String {
        switch self {
        case .tenant: "Tenant and sign-in"
        case .account: "Service account and group"
        case .scope: "Scope and roles"
        }
    }

    /// The fields on the page, in focus order.
    public var fields: [FormField] { FormField.allCases.filter { $0.page == self } }

    public static func < (lhs: FormPage, rhs: FormPage) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One question of the form.
public enum FormField: String, Sendable, CaseIterable {
    case preset
    case tenant
    case signIn
    case serviceAccountName
    case scopeKind
    case groupName
    case groupKind
    case members
    case scopeName
    case roles

    /// The page the field is on.
    public var page: FormPage {
        switch self {
        case .preset, .tenant, .signIn: .tenant
        case .serviceAccountName, .scopeKind, .groupName, .groupKind, .members: .account
        case .scopeName, .roles: .scope
        }
    }

    /// The label beside the input.
    public var label: String {
        switch self {
        case .preset: "Integration"
        case .tenant: "Tenant"
        case .signIn: "Sign-in method"
        case .serviceAccountName: "Service account name"
        case .scopeKind: "Scope kind"
        case .groupName: "Group name"
        case .groupKind: "Group kind"
        case .members: "Members"
        case .scopeName: "Management scope name"
        case .roles: "Application roles"
        }
    }

    /// Whether the field is a choice among fixed values (left/right) rather than free text.
    public var isChoice: Bool {
        switch self {
        case .preset, .signIn, .scopeKind, .groupKind: true
        default: false
        }
    }

    /// The explanation shown with `?` or F1.
    public var explanation: String {
        switch self {
        case .preset:
            "The integration you are connecting. A preset fills in the names and the roles its vendor's guide asks for; every value can still be changed on the next pages. Choose Custom to fill in everything yourself."
        case .tenant:
            "Your Microsoft 365 tenant: its tenant ID (a GUID from the Entra admin center, Overview → Tenant ID) or a verified domain such as contoso.onmicrosoft.com. After sign-in, mailscope shows the tenant it reached and you check that it is this one before anything is written."
        case .signIn:
            "How you sign in as an Exchange administrator. Device code works over SSH: you open a URL on any device and type a short code. Client secret and certificate use an existing admin app for unattended runs (see the config file)."
        case .serviceAccountName:
            "The name of the Entra app registration (the service account) the integration signs in as, for example workable_service. It is created if it does not exist; an existing app with this name is reused."
        case .scopeKind:
            "What the app may reach. Group: only the mailboxes that are direct members of the group below. Rooms: only room mailboxes. Everything else is denied, and mailscope proves that before it finishes."
        case .groupName:
            "The mail-enabled group that holds the mailboxes the app may reach, for example WorkableUsers. It is created if missing. Only direct members count: members of nested groups are not in scope."
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
