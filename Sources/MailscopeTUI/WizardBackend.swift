import Foundation
import MailscopeCore
import MailscopeEngine

/// How the admin signs in: the engine's own choices.
public typealias SignInMethod = AdminSignIn

/// The answers the admin gave in the wizard's forms.
///
/// Secrets are never held here: for Exchange Server only the path of the 0600 file or the name of
/// the environment variable that holds the service account's password. Answers saved by an older
/// mailscope (without the Exchange Server keys) decode with the defaults below.
public struct WizardAnswers: Sendable, Equatable, Codable {
    /// The preset's key (`workable`, `eptura`, `nylas`, `workato`, `custom`).
    public var presetID: String
    /// Exchange Online or Exchange Server on-premises.
    public var target: SetupTarget
    /// Tenant ID (GUID) or verified domain (Exchange Online).
    public var tenant: String
    /// How the admin signs in (Exchange Online).
    public var signIn: SignInMethod
    /// The service account's name: the Entra app (Exchange Online) or the mailbox's display name
    /// (Exchange Server).
    public var serviceAccountName: String
    /// The group's name (empty for a rooms scope).
    public var groupName: String
    /// The group's alias (mailNickname, Exchange `Alias`); `nil` derives it from the name.
    public var groupAlias: String?
    /// The group's kind.
    public var groupKind: GroupKind
    /// The members' addresses.
    public var members: [String]
    /// The scope kind.
    public var scopeKind: ScopeKind
    /// The management scope's name.
    public var scopeName: String
    /// The application roles (Exchange Online).
    public var roles: [String]
    /// EWS, `https://<server>/EWS/Exchange.asmx` (Exchange Server).
    public var ewsURL: String
    /// How the service account signs in to EWS (Exchange Server).
    public var ewsAuthentication: HTTPAuthentication.Scheme
    /// The service account's user principal name, also its primary SMTP address (Exchange Server).
    public var serviceAccountAddress: String
    /// The name EWS sign-in uses (`CONTOSO\svc-booking`); `nil` signs in with the address.
    public var serviceAccountLogon: String?
    /// A 0600 file holding the service account's password (Exchange Server).
    public var passwordFile: String?
    /// The environment variable holding the service account's password (Exchange Server).
    public var passwordEnvironmentVariable: String?
    /// The group's primary SMTP address; `nil` uses the alias at the service account's domain.
    public var groupAddress: String?
    /// A mailbox the account must reach; `nil` uses the first member (required for rooms).
    public var inScopeMailbox: String?
    /// A mailbox the account must NOT reach, which proves the scope holds (Exchange Server).
    public var outOfScopeMailbox: String
    /// Client-secret and certificate sign-in: the automation app's application (client) ID.
    public var clientID: String?
    /// Client-secret sign-in: the NAME of the environment variable holding the secret.
    public var secretEnvironmentVariable: String?
    /// Client-secret sign-in: the path of a 0600 file holding the secret.
    public var secretFile: String?
    /// Certificate sign-in: the certificate (PEM).
    public var certificateFile: String?
    /// Certificate sign-in: the private key (PEM, 0600).
    public var privateKeyFile: String?
    /// The vendor's own multi-tenant app (Exchange Online): its application (client) ID; `nil`:
    /// mailscope makes the app.
    public var vendorAppID: String?
    /// How the app reaches mailboxes (Exchange Online); `nil`: application access.
    public var access: AppAccess?
    /// Delegated access: the Web redirect URI; `nil`: the preset's.
    public var redirectURI: String?
    /// Delegated access: the permissions (the preset's default or minimum set, or a config's own
    /// list); `nil`: the default set.
    public var delegatedScopes: DelegatedScopes?
    /// Whether the integration calls EWS (Exchange Online); `nil`: the preset's default.
    public var usesEWS: Bool?
    /// Eptura's End Event Early (a warned widening of the rooms scope); `nil`: off.
    public var endEventEarly: Bool?
    /// The licensed service-account mailbox some guides sign in with; `nil`: the preset's default.
    public var mailboxUser: String?

    /// Creates answers.
    public init(
        presetID: String,
        tenant: String,
        signIn: SignInMethod,
        serviceAccountName: String,
        groupName: String,
        groupKind: GroupKind,
        members: [String],
        scopeKind: ScopeKind,
        scopeName: String,
        roles: [String],
        target: SetupTarget = .exchangeOnline,
        ewsURL: String = "",
        ewsAuthentication: HTTPAuthentication.Scheme = .ntlm,
        serviceAccountAddress: String = "",
        serviceAccountLogon: String? = nil,
        passwordFile: String? = nil,
        passwordEnvironmentVariable: String? = nil,
        groupAddress: String? = nil,
        inScopeMailbox: String? = nil,
        outOfScopeMailbox: String = "",
        clientID: String? = nil,
        secretEnvironmentVariable: String? = nil,
        secretFile: String? = nil,
        certificateFile: String? = nil,
        privateKeyFile: String? = nil,
        groupAlias: String? = nil,
        vendorAppID: String? = nil,
        access: AppAccess? = nil,
        redirectURI: String? = nil,
        delegatedScopes: DelegatedScopes? = nil,
        usesEWS: Bool? = nil,
        endEventEarly: Bool? = nil,
        mailboxUser: String? = nil
    ) {
        self.groupAlias = groupAlias
        self.vendorAppID = vendorAppID
        self.access = access
        self.redirectURI = redirectURI
        self.delegatedScopes = delegatedScopes
        self.usesEWS = usesEWS
        self.endEventEarly = endEventEarly
        self.mailboxUser = mailboxUser
        self.presetID = presetID
        self.target = target
        self.tenant = tenant
        self.signIn = signIn
        self.serviceAccountName = serviceAccountName
        self.groupName = groupName
        self.groupKind = groupKind
        self.members = members
        self.scopeKind = scopeKind
        self.scopeName = scopeName
        self.roles = roles
        self.ewsURL = ewsURL
        self.ewsAuthentication = ewsAuthentication
        self.serviceAccountAddress = serviceAccountAddress
        self.serviceAccountLogon = serviceAccountLogon
        self.passwordFile = passwordFile
        self.passwordEnvironmentVariable = passwordEnvironmentVariable
        self.groupAddress = groupAddress
        self.inScopeMailbox = inScopeMailbox
        self.outOfScopeMailbox = outOfScopeMailbox
        self.clientID = clientID
        self.secretEnvironmentVariable = secretEnvironmentVariable
        self.secretFile = secretFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
    }

    /// The answers a preset suggests for `tenant`.
    public init(preset: Preset, tenant: String) {
        self.init(
            presetID: preset.id,
            tenant: tenant,
            signIn: .deviceCode,
            serviceAccountName: preset.serviceAccountName,
            groupName: preset.groupName,
            groupKind: .distribution,
            members: [],
            scopeKind: preset.scopeKind,
            scopeName: preset.scopeName,
            roles: preset.roles
        )
    }

    private enum CodingKeys: String, CodingKey {
        case presetID, target, tenant, signIn, serviceAccountName, groupName, groupKind, members, scopeKind
        case scopeName, roles, ewsURL, ewsAuthentication, serviceAccountAddress, serviceAccountLogon
        case passwordFile, passwordEnvironmentVariable, groupAddress, inScopeMailbox, outOfScopeMailbox
        case clientID, secretEnvironmentVariable, secretFile, certificateFile, privateKeyFile, groupAlias
        case vendorAppID, access, redirectURI, delegatedScopes, usesEWS, endEventEarly, mailboxUser
    }

    /// Decodes answers; the Exchange Server keys (added later) may be missing.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            presetID: try container.decode(String.self, forKey: .presetID),
            tenant: try container.decode(String.self, forKey: .tenant),
            signIn: try container.decode(SignInMethod.self, forKey: .signIn),
            serviceAccountName: try container.decode(String.self, forKey: .serviceAccountName),
            groupName: try container.decode(String.self, forKey: .groupName),
            groupKind: try container.decode(GroupKind.self, forKey: .groupKind),
            members: try container.decode([String].self, forKey: .members),
            scopeKind: try container.decode(ScopeKind.self, forKey: .scopeKind),
            scopeName: try container.decode(String.self, forKey: .scopeName),
            roles: try container.decode([String].self, forKey: .roles),
            target: try container.decodeIfPresent(SetupTarget.self, forKey: .target) ?? .exchangeOnline,
            ewsURL: try container.decodeIfPresent(String.self, forKey: .ewsURL) ?? "",
            ewsAuthentication: try container.decodeIfPresent(HTTPAuthentication.Scheme.self, forKey: .ewsAuthentication)
                ?? .ntlm,
            serviceAccountAddress: try container.decodeIfPresent(String.self, forKey: .serviceAccountAddress) ?? "",
            serviceAccountLogon: try container.decodeIfPresent(String.self, forKey: .serviceAccountLogon),
            passwordFile: try container.decodeIfPresent(String.self, forKey: .passwordFile),
            passwordEnvironmentVariable: try container.decodeIfPresent(
                String.self,
                forKey: .passwordEnvironmentVariable
            ),
            groupAddress: try container.decodeIfPresent(String.self, forKey: .groupAddress),
            inScopeMailbox: try container.decodeIfPresent(String.self, forKey: .inScopeMailbox),
            outOfScopeMailbox: try container.decodeIfPresent(String.self, forKey: .outOfScopeMailbox) ?? "",
            clientID: try container.decodeIfPresent(String.self, forKey: .clientID),
            secretEnvironmentVariable: try container.decodeIfPresent(String.self, forKey: .secretEnvironmentVariable),
            secretFile: try container.decodeIfPresent(String.self, forKey: .secretFile),
            certificateFile: try container.decodeIfPresent(String.self, forKey: .certificateFile),
            privateKeyFile: try container.decodeIfPresent(String.self, forKey: .privateKeyFile),
            groupAlias: try container.decodeIfPresent(String.self, forKey: .groupAlias),
            vendorAppID: try container.decodeIfPresent(String.self, forKey: .vendorAppID),
            access: try container.decodeIfPresent(AppAccess.self, forKey: .access),
            redirectURI: try container.decodeIfPresent(String.self, forKey: .redirectURI),
            delegatedScopes: try container.decodeIfPresent(DelegatedScopes.self, forKey: .delegatedScopes),
            usesEWS: try container.decodeIfPresent(Bool.self, forKey: .usesEWS),
            endEventEarly: try container.decodeIfPresent(Bool.self, forKey: .endEventEarly),
            mailboxUser: try container.decodeIfPresent(String.self, forKey: .mailboxUser)
        )
    }

    /// The EWS URL's host (`mail.contoso.com`), when the URL has one.
    public var ewsHost: String? { URL(string: ewsURL.trimmingCharacters(in: .whitespaces))?.host }

    /// What the run touches, in a few words: the tenant, or "Exchange Server at <host>".
    public var organizationLabel: String {
        switch target {
        case .exchangeOnline: tenant
        case .exchangeServer: "Exchange Server at \(ewsHost ?? "?")"
        }
    }
}

/// What kind of run the wizard asks for.
public enum WizardRunMode: String, Sendable, Codable {
    /// First-time setup: check, plan, confirm, apply, verify, wait.
    case setup
    /// Re-check an existing setup, changing nothing.
    case recheck
    /// Resume a saved run (for example a propagation wait the admin left).
    case resume
}

/// The tenant the admin signed in to, shown before any write (the engine's own type).
public typealias TenantIdentity = SignedInTenant

/// How a run ended.
public enum RunOutcome: Sendable, Equatable {
    /// Every stage verified.
    case verified
    /// A re-check found drift in these stages (nothing was changed).
    case drift([StageID])
    /// The admin left the propagation wait; the run is saved and resumes later.
    case suspended
    /// The run stopped on an error; the message says why and what to do.
    case failed(String)
}

/// What the backend tells the wizard while a run goes on.
public enum WizardUpdate: Sendable, Equatable {
    /// An engine event (stage status, device code, wait progress, log line, hand-off).
    case engine(EngineEvent)
    /// Signed in: the tenant the run will touch.
    case signedIn(TenantIdentity)
    /// The plan is ready; the backend waits for `confirmPlan`.
    case planReady([StageReport])
    /// Exchange Server: a step only the Exchange Management Shell can make. The backend waits for
    /// `finishShellStep` (the admin ran it, or stops here).
    case shellStep(ShellStep)
    /// The run ended.
    case finished(RunOutcome)
}

/// A saved run the wizard can offer to resume.
public struct SavedRunSummary: Sendable, Equatable {
    /// The answers of that run.
    public var answers: WizardAnswers
    /// The wait it was in, if any.
    public var wait: WaitProgress?

    /// Creates a summary.
    public init(answers: WizardAnswers, wait: WaitProgress?) {
        self.answers = answers
        self.wait = wait
    }
}

/// The wizard's view of the engine. The executable implements it over the real engine (against
/// Microsoft or the built-in simulated tenant); tests implement it with scripted updates.
public protocol WizardBackend: Sendable {
    /// The saved run, if one can be resumed.
    func savedRun() async -> SavedRunSummary?
    /// Starts a run; updates stream until `.finished`.
    func start(_ mode: WizardRunMode, answers: WizardAnswers) async -> AsyncStream<WizardUpdate>
    /// Answers the plan confirmation (`true` applies it, `false` ends the run without writing).
    func confirmPlan(_ accepted: Bool) async
    /// Answers the Exchange Management Shell step shown last: `true` when the admin ran it (the run
    /// goes on and verifies it over EWS), `false` to stop here (the run is saved and ends with
    /// `.suspended`; resuming shows the step again).
    func finishShellStep(_ ran: Bool) async
    /// Leaves the propagation wait: the wait is saved and the run ends with `.suspended`.
    func leaveWait() async
    /// Stops the run after saving what is known.
    func cancel() async
}

extension WizardBackend {
    /// For backends that never send `.shellStep` (Exchange Online only): nothing to answer.
    public func finishShellStep(_ ran: Bool) async {}
}
