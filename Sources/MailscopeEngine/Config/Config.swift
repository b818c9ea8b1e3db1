import Foundation
import MailscopeCore
import MicrosoftClients
import TOMLKit

/// Where the setup is made.
public enum SetupTarget: String, Codable, Sendable {
    /// Exchange Online: an Entra app with RBAC for Applications.
    case exchangeOnline = "exchange-online"
    /// Exchange Server on-premises: ApplicationImpersonation over EWS.
    case exchangeServer = "exchange-server"
}

/// How the admin running mailscope signs in.
public enum AdminSignIn: String, Codable, Sendable, CaseIterable {
    /// Device code (interactive, works over SSH).
    case deviceCode = "device-code"
    /// An automation app's client secret.
    case clientSecret = "client-secret"
    /// An automation app's certificate.
    case certificate
}

/// Which credential the service account gets.
public enum CredentialKind: String, Codable, Sendable {
    /// A client secret with an expiry date.
    case secret
    /// A self-signed certificate whose private key stays on this machine.
    case certificate
}

/// Everything a setup needs, from a TOML file or the wizard. Secrets never live here: only the
/// names of environment variables or 0600 files that hold them.
public struct SetupConfig: Sendable, Equatable, Codable {
    /// Exchange Online or Exchange Server.
    public var target: SetupTarget = .exchangeOnline
    /// The preset the defaults came from.
    public var preset: String = "custom"
    /// The vendor guide's connection method asked for (`PresetConnections`); `nil`: the one
    /// mailscope leads to on the target.
    public var guideMethod: String?
    /// The tenant: GUID or verified domain.
    public var tenant: String = ""
    /// `global`, `usgov` (GCC High), `dod`, `china` (21Vianet) or `custom`.
    public var cloud: String = "global"
    /// Custom cloud base URLs.
    public var loginURL: String?
    /// Custom cloud base URLs.
    public var graphURL: String?
    /// Custom cloud base URLs.
    public var exchangeURL: String?
    /// A CA bundle to trust instead of the system's.
    public var caBundle: String?

    /// How the admin signs in.
    public var signIn: AdminSignIn = .deviceCode
    /// The client ID used to sign in (a public client for device code; the automation app otherwise).
    public var clientID: String?
    /// Where the automation app's client secret is (`auth.secret_env` or `auth.secret_file`).
    public var adminSecret: SecretSource?
    /// The automation app's certificate (PEM).
    public var certificateFile: String?
    /// The automation app's private key (PEM, 0600).
    public var privateKeyFile: String?

    /// The service account (Entra app) display name.
    public var serviceAccountName: String = ""
    /// The vendor's own (multi-tenant) app, by its application (client) ID
    /// (`service_account.app_id`): no app and no credential are made; its service principal is
    /// found or created in the tenant and scoped. Exchange Online only.
    public var vendorAppID: String?
    /// How the app reaches mailboxes (`service_account.access`): application permissions limited
    /// by a management scope, or delegated permissions limited by each signed-in user's rights.
    public var access: AppAccess = .application
    /// Delegated access: the app's Web redirect URI (`service_account.redirect_uri`), parsed once.
    public var redirectURI: URL?
    /// Delegated access: the Graph delegated permissions granted with admin consent
    /// (`service_account.scopes`).
    public var delegatedScopes: DelegatedScopes = .defaultSet
    /// Whether the integration still calls EWS in Exchange Online (`service_account.uses_ews`): the
    /// role `Application EWS.AccessAsApp` is assigned within the scope, and the organisation's
    /// `EwsEnabled` and `EwsAllowedAppIDs` must let the app through. Exchange Online only (on
    /// Exchange Server EWS is the transport itself).
    public var usesEWS: Bool = false
    /// The credential kind for the service account.
    public var credential: CredentialKind = .secret
    /// How long a new credential is valid.
    public var credentialLifetimeDays: Int = 180
    /// A licensed user mailbox for the service account, for vendors that still ask for one (UPN).
    public var mailboxUser: String?
    /// The licence (SKU part number) the mailbox user gets.
    public var mailboxLicense: String = "EXCHANGESTANDARD"
    /// The two-letter country a licence needs when the user has none.
    public var usageLocation: String?

    /// The group's display name (and default alias).
    public var groupName: String = ""
    /// The group's alias (mailNickname); defaults to the name.
    public var groupAlias: String?
    /// The kind of group to create.
    public var groupKind: GroupKind = .distribution
    /// The mailboxes to put in the group.
    public var members: [String] = []

    /// The scope kind.
    public var scopeKind: ScopeKind = .group
    /// The management scope's name.
    public var scopeName: String = ""
    /// Eptura's "End Event Early" (`scope.end_event_early`, Eptura presets, rooms scope): ending a
    /// meeting early changes the organizer's copy of it, so the scope is widened from the rooms to
    /// every mailbox that can organize a meeting (`EndEventEarly`). An explicit, warned choice.
    public var endEventEarly: Bool = false
    /// The application roles.
    public var roles: [String] = []

    /// A mailbox that must be reachable (defaults to the first member or room).
    public var inScopeMailbox: String?
    /// A mailbox that must be denied (defaults to one found outside the scope).
    public var outOfScopeMailbox: String?
    /// How long the propagation wait polls before giving a verdict.
    public var waitDeadlineMinutes: Int = 150
    /// Whether tenant-wide Entra grants of mailbox permissions on the app are removed (they void the scope).
    public var removeTenantWideGrants: Bool = true

    // MARK: Exchange Server (on-premises)

    /// EWS: `https://<host>/EWS/Exchange.asmx`.
    public var ewsURL: String?
    /// How the service account signs in to EWS.
    public var ewsAuthentication: HTTPAuthentication.Scheme = .ntlm
    /// The service account's user principal name, which is also its primary SMTP address.
    public var serviceAccountAddress: String?
    /// The name EWS sign-in uses (`CONTOSO\\svc-booking`); defaults to the address.
    public var serviceAccountLogon: String?
    /// Where the service account's password is (`service_account.password_env` or `password_file`).
    public var servicePassword: SecretSource?
    /// The group's primary SMTP address; defaults to the alias at the service account's domain.
    public var groupAddress: String?
    /// A simulator's stand-in for the Exchange Management Shell (`http://127.0.0.1:PORT/_sim/ems`):
    /// steps are run there instead of being handed to the admin. Loopback only.
    public var simulatedShell: String?

    /// Creates a config with defaults.
    public init() {}

    /// A config filled from `preset`.
    public init(preset: Preset, tenant: String) {
        self.preset = preset.id
        self.tenant = tenant
        serviceAccountName = preset.serviceAccountName
        groupName = preset.groupName
        scopeKind = preset.scopeKind
        scopeName = preset.scopeName
        roles = preset.roles
        PresetMailbox.fill(&self)
        usesEWS = preset.usesEWS
    }

    /// The RBAC for Applications role that lets an app call EWS (Exchange Online's "Role Based
    /// Access Control for Applications" page, "Supported Application Roles": protocol EWS).
    public static let ewsRole = "Application EWS.AccessAsApp"

    /// The roles assigned within the scope: the configured ones, and `ewsRole` when the integration
    /// uses EWS (once, whatever its case in `roles`).
    public var assignedRoles: [String] {
        guard usesEWS, target == .exchangeOnline,
            !roles.contains(where: { $0.caseInsensitiveCompare(Self.ewsRole) == .orderedSame })
        else { return roles }
        return roles + [Self.ewsRole]
    }

    /// The service account's domain (after the `@` of its address).
    public var serviceAccountDomain: String {
        serviceAccountAddress.flatMap { $0.split(separator: "@").last.map(String.init) } ?? ""
    }

    /// The group's primary SMTP address in effect (Exchange Server).
    public var effectiveGroupAddress: String {
        groupAddress ?? "\(effectiveGroupAlias.lowercased())@\(serviceAccountDomain)"
    }

    /// The name of the ApplicationImpersonation role assignment (Exchange Server).
    /// The vendor guide's name where the preset gives one (`WorkableImpersonation`).
    public var impersonationAssignmentName: String {
        Preset.named(preset)?.impersonationAssignmentName ?? assignmentName(for: "Impersonation")
    }

    /// What keys this setup's state: the tenant, or the Exchange Server's EWS host.
    public var organizationKey: String {
        switch target {
        case .exchangeOnline: (try? TenantID(parsing: tenant))?.key ?? tenant.lowercased()
        case .exchangeServer: (ewsURL.flatMap { URL(string: $0)?.host } ?? "").lowercased()
        }
    }

    /// The group alias in effect.
    public var effectiveGroupAlias: String {
        groupAlias ?? Self.derivedAlias(from: groupName)
    }

    /// The alias derived from a group's display name. Exchange display names may be in any script;
    /// an alias is ASCII. The name's ASCII letters, digits, - and _ as before when it has any;
    /// otherwise a transliteration (Arabic, Cyrillic, Han, Kana… to Latin, diacritics removed),
    /// its words joined with -; and when that gives nothing either, `group-` and a short hash of
    /// the name, so two names never share the fallback by accident.
    public static func derivedAlias(from name: String) -> String {
        func kept(_ text: String) -> String {
            text.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
        let plain = kept(name)
        if !plain.isEmpty { return plain }
        let latin =
            name.applyingTransform(.toLatin, reverse: false)?.applyingTransform(.stripDiacritics, reverse: false) ?? ""
        let words = latin.split(whereSeparator: { $0 == " " || $0 == "-" }).map { kept(String($0)) }.filter { !$0.isEmpty }
        let transliterated = String(words.joined(separator: "-").prefix(64))
        if !transliterated.isEmpty { return transliterated }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { return "" }
        var hash: UInt32 = 2_166_136_261  // FNV-1a of the name's UTF-8
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let hex = String(hash, radix: 16)
        return "group-" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// The app's `uniqueName`, the key that makes its creation idempotent.
    public var applicationUniqueName: String {
        let slug = serviceAccountName.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        return "mailscope-" + String(slug)
    }

    /// The role assignment's name for `role` (what `New-ManagementRoleAssignment -Name` gets):
    /// the service account's name and the permission, at most 64 characters.
    public func assignmentName(for role: String) -> String {
        let suffix = " - " + role.replacingOccurrences(of: "Application ", with: "")
        let room = FieldRules.maximumNameLength - suffix.count
        return String(serviceAccountName.prefix(max(1, room))) + suffix
    }

    /// Points the setup at a custom cloud's endpoints (a simulator's, or a sovereign cloud's).
    public mutating func useCustomCloud(_ endpoints: CloudEndpoints) {
        cloud = "custom"
        loginURL = endpoints.login.absoluteString
        graphURL = endpoints.graph.absoluteString
        exchangeURL = endpoints.exchange.absoluteString
    }

    /// The cloud's endpoints, or the field error that prevents them.
    public func endpoints() throws -> CloudEndpoints {
        switch cloud {
        case "global": return .global
        case "usgov": return .usGovernment
        case "dod": return .usGovernmentDoD
        case "china": return .china
        case "custom":
            func url(_ value: String?, _ field: String) throws -> URL {
                guard let value, let url = URL(string: value), url.scheme != nil, url.host != nil else {
                    throw FieldError(
                        field: field,
                        message: "is required for cloud = \"custom\"; give an absolute https:// URL"
                    )
                }
                if let reason = EndpointPolicy.violation(for: url) {
                    throw FieldError(field: field, message: "'\(value)': \(reason)")
                }
                return url
            }
            return CloudEndpoints(
                login: try url(loginURL, "tenant.login"),
                graph: try url(graphURL, "tenant.graph"),
                exchange: try url(exchangeURL, "tenant.exchange")
            )
        default:
            throw FieldError(
                field: "tenant.cloud",
                message: "'\(FieldRules.printable(cloud))' is not a cloud; use global, usgov, dod, china or custom"
            )
        }
    }

    /// Every problem with the values, before anything is sent: one per field, a hidden character
    /// (NUL, control, bidi, zero-width) named first.
    public func validationErrors() -> [FieldError] {
        var seen: Set<String> = []
        let all =
            hiddenCharacterErrors() + PresetConnections.of(preset).problems(of: self) + vendorAppTargetErrors()
            + EndEventEarly.problems(of: self) + PresetMailbox.problems(of: self)
            + accessErrors()
            + (target == .exchangeServer ? serverValidationErrors() : onlineValidationErrors())
        return all.filter { seen.insert($0.field).inserted }
    }

    /// Every text value of the config with its field name.
    var textFields: [(field: String, value: String)] {
        var fields: [(String, String?)] = [
            ("preset", preset), ("method", guideMethod), ("tenant.id", tenant), ("tenant.cloud", cloud), ("tenant.login", loginURL),
            ("tenant.graph", graphURL), ("tenant.exchange", exchangeURL), ("tenant.ca_bundle", caBundle),
            ("auth.client_id", clientID), ("auth.secret_env", adminSecret?.variableName), ("auth.secret_file", adminSecret?.filePath),
            ("auth.certificate_file", certificateFile), ("auth.private_key_file", privateKeyFile),
            ("service_account.name", serviceAccountName), ("service_account.app_id", vendorAppID),
            ("service_account.redirect_uri", redirectURI?.absoluteString),
            ("service_account.mailbox", mailboxUser),
            ("service_account.license", mailboxLicense), ("service_account.usage_location", usageLocation),
            ("group.name", groupName), ("group.alias", groupAlias), ("scope.name", scopeName),
            ("connect.in_scope_mailbox", inScopeMailbox), ("connect.out_of_scope_mailbox", outOfScopeMailbox),
            ("server.ews_url", ewsURL), ("service_account.address", serviceAccountAddress),
            ("service_account.logon", serviceAccountLogon), ("service_account.password_env", servicePassword?.variableName),
            ("service_account.password_file", servicePassword?.filePath), ("group.address", groupAddress),
            ("server.simulated_shell", simulatedShell),
        ]
        fields += members.enumerated().map { ("group.members[\($0.offset)]", $0.element) }
        fields += roles.enumerated().map { ("roles.names[\($0.offset)]", $0.element) }
        return fields.compactMap { field, value in value.map { (field, $0) } }
    }

    /// A hidden character anywhere in the config's text is refused, whatever the field.
    func hiddenCharacterErrors() -> [FieldError] {
        textFields.compactMap { FieldRules.hiddenCharacter($0.value, field: $0.field) }
    }

    private func onlineValidationErrors() -> [FieldError] {
        var errors: [FieldError] = []
        if let error = FieldRules.tenant(tenant) { errors.append(error) }
        do { _ = try endpoints() } catch let error as FieldError { errors.append(error) } catch {}
        errors += nameAndMemberErrors() + mailboxUserErrors() + limitErrors() + adminSignInErrors()
        if let vendorAppID, UUID(uuidString: vendorAppID) == nil {
            errors.append(
                FieldError(
                    field: "service_account.app_id",
                    message:
                        "'\(FieldRules.printable(vendorAppID))' is not a GUID; give the vendor app's application (client) ID, as the vendor publishes it"
                ))
        }
        return errors
    }

    /// `service_account.app_id` (the vendor's own app) on a target without Entra apps.
    func vendorAppTargetErrors() -> [FieldError] {
        guard vendorAppID != nil, target == .exchangeServer else { return [] }
        return [
            FieldError(
                field: "service_account.app_id",
                message:
                    "is for Exchange Online only (an Entra app scoped with RBAC for Applications); Exchange Server uses a service account with a mailbox: remove app_id"
            )
        ]
    }

    /// The names Exchange and Entra will hold, the group and its members, the probe mailboxes.
    private func nameAndMemberErrors() -> [FieldError] {
        var errors: [FieldError] = []
        func add(_ error: FieldError?) { if let error { errors.append(error) } }
        add(FieldRules.displayName(serviceAccountName, field: "service_account.name"))
        // Delegated access: no group, roles or scope are made (each user's own rights limit it).
        guard access == .application else { return errors }
        add(FieldRules.roles(roles))
        add(FieldRules.exchangeName(scopeName, field: "scope.name"))
        if scopeKind == .group {
            add(FieldRules.filterSafeName(groupName, field: "group.name"))
            add(FieldRules.alias(effectiveGroupAlias, field: "group.alias"))
            if members.isEmpty {
                errors.append(
                    FieldError(
                        field: "group.members", message: "is empty; list the mailboxes (users and rooms) the app may reach"))
            }
        }
        for (index, member) in members.enumerated() {
            add(FieldRules.address(member, field: "group.members[\(index)]"))
        }
        if let mailbox = inScopeMailbox { add(FieldRules.address(mailbox, field: "connect.in_scope_mailbox")) }
        if let mailbox = outOfScopeMailbox { add(FieldRules.address(mailbox, field: "connect.out_of_scope_mailbox")) }
        return errors
    }

    /// The licensed mailbox user, when one is asked for.
    private func mailboxUserErrors() -> [FieldError] {
        var errors: [FieldError] = []
        if let mailbox = mailboxUser {
            if let error = FieldRules.address(mailbox, field: "service_account.mailbox") { errors.append(error) }
            if mailboxLicense.isEmpty
                || !mailboxLicense.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") })
            {
                errors.append(
                    FieldError(
                        field: "service_account.license",
                        message:
                            "'\(FieldRules.printable(mailboxLicense))' is not a SKU part number such as EXCHANGESTANDARD (see Get-MgSubscribedSku)"
                    ))
            }
        }
        if let location = usageLocation, location.count != 2 || !location.allSatisfy({ $0.isASCII && $0.isLetter }) {
            errors.append(
                FieldError(
                    field: "service_account.usage_location",
                    message: "'\(FieldRules.printable(location))' is not a two-letter country code such as US or DE"))
        }
        return errors
    }

    /// The credential's lifetime and the wait's deadline.
    func limitErrors() -> [FieldError] {
        var errors: [FieldError] = []
        if !(1...3650).contains(credentialLifetimeDays) {
            errors.append(
                FieldError(field: "service_account.credential_lifetime_days", message: "must be between 1 and 3650"))
        }
        if !(1...1440).contains(waitDeadlineMinutes) {
            errors.append(
                FieldError(
                    field: "connect.deadline_minutes",
                    message: "must be between 1 and 1440 (the documented window is 30 to 120 minutes)"))
        }
        return errors
    }

    /// What the chosen sign-in of the admin needs.
    private func adminSignInErrors() -> [FieldError] {
        var errors: [FieldError] = []
        switch signIn {
        case .deviceCode: break
        case .clientSecret:
            if clientID == nil {
                errors.append(
                    FieldError(
                        field: "auth.client_id",
                        message: "is required for client-secret sign-in: the automation app's application (client) ID"))
            }
            if adminSecret == nil {
                errors.append(
                    FieldError(
                        field: "auth.secret_env",
                        message:
                            "client-secret sign-in needs auth.secret_env (an environment variable) or auth.secret_file (a 0600 file); secrets never go in the config"
                    ))
            }
        case .certificate:
            if clientID == nil {
                errors.append(FieldError(field: "auth.client_id", message: "is required for certificate sign-in"))
            }
            if certificateFile == nil {
                errors.append(FieldError(field: "auth.certificate_file", message: "is required for certificate sign-in (PEM)"))
            }
            if privateKeyFile == nil {
                errors.append(
                    FieldError(field: "auth.private_key_file", message: "is required for certificate sign-in (PEM, mode 0600)"))
            }
        }
        if let clientID, UUID(uuidString: clientID) == nil {
            errors.append(
                FieldError(
                    field: "auth.client_id",
                    message: "'\(FieldRules.printable(clientID))' is not a GUID (the application (client) ID)"))
        }
        return errors
    }
}

/// A config file that could not be used: every problem, each naming its field.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// The problems.
    public var problems: [FieldError]

    public var description: String {
        "the configuration has \(problems.count) problem\(problems.count == 1 ? "" : "s"):\n"
            + problems.map { "  - \($0.field): \($0.message)" }.joined(separator: "\n")
    }
}
