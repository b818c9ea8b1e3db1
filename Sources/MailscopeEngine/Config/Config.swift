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
    /// The environment variable holding the automation app's secret.
    public var secretEnvironmentVariable: String?
    /// A 0600 file holding the automation app's secret.
    public var secretFile: String?
    /// The automation app's certificate (PEM).
    public var certificateFile: String?
    /// The automation app's private key (PEM, 0600).
    public var privateKeyFile: String?

    /// The service account (Entra app) display name.
    public var serviceAccountName: String = ""
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
    /// The environment variable holding the service account's password.
    public var passwordEnvironmentVariable: String?
    /// A 0600 file holding the service account's password.
    public var passwordFile: String?
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
    public var impersonationAssignmentName: String { assignmentName(for: "Impersonation") }

    /// What keys this setup's state: the tenant, or the Exchange Server's EWS host.
    public var organizationKey: String {
        switch target {
        case .exchangeOnline: tenant.lowercased()
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
        let all = hiddenCharacterErrors() + (target == .exchangeServer ? serverValidationErrors() : onlineValidationErrors())
        return all.filter { seen.insert($0.field).inserted }
    }

    /// Every text value of the config with its field name.
    var textFields: [(field: String, value: String)] {
        var fields: [(String, String?)] = [
            ("preset", preset), ("tenant.id", tenant), ("tenant.cloud", cloud), ("tenant.login", loginURL),
            ("tenant.graph", graphURL), ("tenant.exchange", exchangeURL), ("tenant.ca_bundle", caBundle),
            ("auth.client_id", clientID), ("auth.secret_env", secretEnvironmentVariable), ("auth.secret_file", secretFile),
            ("auth.certificate_file", certificateFile), ("auth.private_key_file", privateKeyFile),
            ("service_account.name", serviceAccountName), ("service_account.mailbox", mailboxUser),
            ("service_account.license", mailboxLicense), ("service_account.usage_location", usageLocation),
            ("group.name", groupName), ("group.alias", groupAlias), ("scope.name", scopeName),
            ("connect.in_scope_mailbox", inScopeMailbox), ("connect.out_of_scope_mailbox", outOfScopeMailbox),
            ("server.ews_url", ewsURL), ("service_account.address", serviceAccountAddress),
            ("service_account.logon", serviceAccountLogon), ("service_account.password_env", passwordEnvironmentVariable),
            ("service_account.password_file", passwordFile), ("group.address", groupAddress),
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
        func add(_ error: FieldError?) { if let error { errors.append(error) } }
        add(FieldRules.tenant(tenant))
        do { _ = try endpoints() } catch let error as FieldError { errors.append(error) } catch {}
        add(FieldRules.displayName(serviceAccountName, field: "service_account.name"))
        add(FieldRules.roles(roles))
        add(FieldRules.exchangeName(scopeName, field: "scope.name"))
        if scopeKind == .group {
            add(FieldRules.filterSafeName(groupName, field: "group.name"))
            add(FieldRules.alias(effectiveGroupAlias, field: "group.alias"))
            if members.isEmpty {
                errors.append(
                    FieldError(
                        field: "group.members",
                        message: "is empty; list the mailboxes (users and rooms) the app may reach"
                    )
                )
            }
        }
        for (index, member) in members.enumerated() {
            add(FieldRules.address(member, field: "group.members[\(index)]"))
        }
        if let mailbox = mailboxUser {
            add(FieldRules.address(mailbox, field: "service_account.mailbox"))
            if mailboxLicense.isEmpty || !mailboxLicense.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) {
                errors.append(FieldError(field: "service_account.license", message: "'\(FieldRules.printable(mailboxLicense))' is not a SKU part number such as EXCHANGESTANDARD (see Get-MgSubscribedSku)"))
            }
        }
        if let location = usageLocation, location.count != 2 || !location.allSatisfy({ $0.isASCII && $0.isLetter }) {
            errors.append(FieldError(field: "service_account.usage_location", message: "'\(FieldRules.printable(location))' is not a two-letter country code such as US or DE"))
        }
        if let mailbox = inScopeMailbox { add(FieldRules.address(mailbox, field: "connect.in_scope_mailbox")) }
        if let mailbox = outOfScopeMailbox { add(FieldRules.address(mailbox, field: "connect.out_of_scope_mailbox")) }
        if !(1...3650).contains(credentialLifetimeDays) {
            errors.append(
                FieldError(field: "service_account.credential_lifetime_days", message: "must be between 1 and 3650")
            )
        }
        if !(1...1440).contains(waitDeadlineMinutes) {
            errors.append(
                FieldError(
                    field: "connect.deadline_minutes",
                    message: "must be between 1 and 1440 (the documented window is 30 to 120 minutes)"
                )
            )
        }
        switch signIn {
        case .deviceCode: break
        case .clientSecret:
            if clientID == nil {
                errors.append(
                    FieldError(
                        field: "auth.client_id",
                        message: "is required for client-secret sign-in: the automation app's application (client) ID"
                    )
                )
            }
            if secretEnvironmentVariable == nil && secretFile == nil {
                errors.append(
                    FieldError(
                        field: "auth.secret_env",
                        message:
                            "client-secret sign-in needs auth.secret_env (an environment variable) or auth.secret_file (a 0600 file); secrets never go in the config"
                    )
                )
            }
        case .certificate:
            if clientID == nil {
                errors.append(FieldError(field: "auth.client_id", message: "is required for certificate sign-in"))
            }
            if certificateFile == nil {
                errors.append(
                    FieldError(field: "auth.certificate_file", message: "is required for certificate sign-in (PEM)")
                )
            }
            if privateKeyFile == nil {
                errors.append(
                    FieldError(
                        field: "auth.private_key_file",
                        message: "is required for certificate sign-in (PEM, mode 0600)"
                    )
                )
            }
        }
        if let clientID, UUID(uuidString: clientID) == nil {
            errors.append(
                FieldError(
                    field: "auth.client_id",
                    message: "'\(FieldRules.printable(clientID))' is not a GUID (the application (client) ID)"
                )
            )
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

/// Reads TOML configs.
public enum ConfigLoader {
    /// The keys each table may hold; anything else is a typo and is reported.
    static let knownKeys: [String: Set<String>] = [
        "": ["target", "preset", "tenant", "server", "auth", "service_account", "group", "scope", "roles", "connect"],
        "server": ["ews_url", "auth", "ca_bundle", "simulated_shell"],
        "tenant": ["id", "cloud", "login", "graph", "exchange", "ca_bundle"],
        "auth": ["method", "client_id", "secret_env", "secret_file", "certificate_file", "private_key_file"],
        "service_account": [
            "name", "credential", "credential_lifetime_days", "mailbox", "license", "usage_location", "address", "logon",
            "password_env", "password_file",
        ],
        "group": ["name", "alias", "kind", "members", "address"],
        "scope": ["kind", "name"],
        "roles": ["names"],
        "connect": ["in_scope_mailbox", "out_of_scope_mailbox", "deadline_minutes", "remove_tenant_wide_grants"],
    ]

    /// Two shapes of invalid TOML that stop the process inside the TOML parser (toml++ 3.4 asserts
    /// instead of reporting them; found by scripts/fuzz), reported the way TOML's own errors are:
    /// a table header whose name does not start like a key (`[+`, `[` alone, `[ é`), and a `}`
    /// where a list expects a value (`l = [}`). Strings and comments are skipped.
    static func unparseableShape(in text: String) -> FieldError? {
        let scalars = Array(text.unicodeScalars)
        let blank: (Unicode.Scalar) -> Bool = {
            ($0.properties.isWhitespace && !"\n\r\u{0B}\u{0C}".unicodeScalars.contains($0)) || $0 == "\u{FEFF}"
        }
        let startsAKey: (Unicode.Scalar) -> Bool = {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-\"']".unicodeScalars.contains($0))
        }
        var open: [Unicode.Scalar] = []  // the brackets of values: "[" lists, "{" inline tables
        var line = 1
        var atLineStart = true
        var index = 0
        func at(_ offset: Int) -> Unicode.Scalar? { index + offset < scalars.count ? scalars[index + offset] : nil }
        func problem(_ message: String) -> FieldError { FieldError(field: "line \(line)", message: "not valid TOML: " + message) }
        var table = ""
        var key = ""
        var hidden: FieldError?
        /// Skips a string opened by `quote` at `index` (basic strings know backslash escapes). A
        /// `\u0000` escape is refused here: the TOML parser's C strings end at a NUL, so
        /// "All Staff\u0000 (x)" would be read as "All Staff", and the parsed value no longer shows it.
        func skipString(_ quote: Unicode.Scalar) {
            let triple = at(1) == quote && at(2) == quote
            index += triple ? 3 : 1
            while index < scalars.count {
                let scalar = scalars[index]
                if scalar == "\\" && quote == "\"" {
                    let digits = at(1) == "u" ? 4 : at(1) == "U" ? 8 : 0
                    if digits > 0, index + 2 + digits <= scalars.count, hidden == nil {
                        var text = ""
                        text.unicodeScalars.append(contentsOf: scalars[(index + 2)..<(index + 2 + digits)])
                        // Only a NUL is lost in parsing; every other hidden character reaches the
                        // field rules, which name the field exactly.
                        if let value = UInt32(text, radix: 16), value == 0, let decoded = Unicode.Scalar(value),
                            let kind = FieldRules.hiddenKind(of: decoded)
                        {
                            let escape = "\\\(digits == 4 ? "u" : "U")\(text)"
                            hidden = FieldError(
                                field: [table, key].filter { !$0.isEmpty }.joined(separator: ".") + " (line \(line))",
                                message:
                                    "the escape \(escape) puts \(kind) into the value; names and addresses must hold only visible text: remove the escape"
                            )
                        }
                    }
                    index += 2
                    continue
                }
                if scalar == "\n" {
                    line += 1
                    if !triple { return }
                }
                if scalar == quote && (!triple || (at(1) == quote && at(2) == quote)) {
                    index += triple ? 3 : 1
                    return
                }
                index += 1
            }
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if atLineStart && blank(scalar) {
                index += 1
                continue
            }
            if atLineStart && open.isEmpty && scalar == "[" {
                var next = index + 1
                if next < scalars.count && scalars[next] == "[" { next += 1 }
                while next < scalars.count && blank(scalars[next]) { next += 1 }
                guard next < scalars.count, startsAKey(scalars[next]) else {
                    return problem("a table header needs a name, like [tenant] or [group]")
                }
                // The header is one line: on to its end.
                var header = ""
                while index < scalars.count && scalars[index] != "\n" {
                    header.unicodeScalars.append(scalars[index])
                    index += 1
                }
                table = header.split(separator: "#").first.map {
                    $0.trimmingCharacters(in: CharacterSet(charactersIn: "[] \t"))
                } ?? ""
                key = ""
                continue
            }
            if atLineStart && open.isEmpty && scalar != "#" && scalar != "\n" {
                // A key = value line: remember the key, so an error can name the field.
                var end = index
                var name = ""
                while end < scalars.count && scalars[end] != "=" && scalars[end] != "\n" {
                    name.unicodeScalars.append(scalars[end])
                    end += 1
                }
                if end < scalars.count && scalars[end] == "=" {
                    key = name.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                }
            }
            atLineStart = false
            switch scalar {
            case "\n":
                line += 1
                atLineStart = true
                index += 1
            case "#":
                while index < scalars.count && scalars[index] != "\n" { index += 1 }
            case "\"", "'":
                skipString(scalar)
            case "[", "{":
                open.append(scalar)
                index += 1
            case "]":
                if open.last == "[" { open.removeLast() }
                index += 1
            case "}":
                if open.last == "[" { return problem("a list holds values: '}' where a value or ']' belongs") }
                if open.last == "{" { open.removeLast() }
                index += 1
            default:
                index += 1
            }
        }
        return hidden
    }

    /// A raw NUL byte in the file, reported by its line and column (the TOML parser would stop
    /// there and say "end of file").
    static func rawNUL(in data: Data) -> FieldError? {
        guard let offset = data.firstIndex(of: 0) else { return nil }
        let before = data[data.startIndex..<offset]
        let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
        let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? data.startIndex) + 1
        return FieldError(
            field: "line \(line)",
            message:
                "a raw NUL byte (0x00) at column \(column); a config is text and a NUL would cut a name short: remove it (the file may have been saved as UTF-16 or damaged)"
        )
    }

    /// Loads and validates the file at `path`.
    public static func load(path: String) throws -> SetupConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(problems: [FieldError(field: "--config", message: "cannot read \(path); check the path")])
        }
        if let nul = rawNUL(in: data) { throw ConfigError(problems: [nul]) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(problems: [FieldError(field: "--config", message: "\(path) is not UTF-8 text")])
        }
        return try parse(text)
    }

    /// Parses and validates TOML `text`.
    public static func parse(_ text: String) throws -> SetupConfig {
        if let nul = rawNUL(in: Data(text.utf8)) { throw ConfigError(problems: [nul]) }
        if let problem = unparseableShape(in: text) { throw ConfigError(problems: [problem]) }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(problems: [
                FieldError(field: "line \(error.source.begin.line)", message: "not valid TOML: \(error.description)")
            ])
        } catch {
            throw ConfigError(problems: [FieldError(field: "config", message: "not valid TOML: \(error)")])
        }
        var problems: [FieldError] = []
        var config = SetupConfig()

        func checkKeys(_ table: TOMLTable, _ name: String) {
            for key in table.keys where !(knownKeys[name] ?? []).contains(key) {
                problems.append(
                    FieldError(
                        field: name.isEmpty ? key : "\(name).\(key)",
                        message:
                            "is not a known setting; check the spelling (known: \((knownKeys[name] ?? []).sorted().joined(separator: ", ")))"
                    )
                )
            }
        }
        func string(_ table: TOMLTable?, _ key: String, _ field: String) -> String? {
            guard let value = table?[key] else { return nil }
            guard let string = value.string else {
                problems.append(FieldError(field: field, message: "must be a string in quotes"))
                return nil
            }
            return string
        }
        func int(_ table: TOMLTable?, _ key: String, _ field: String) -> Int? {
            guard let value = table?[key] else { return nil }
            guard let number = value.int else {
                problems.append(FieldError(field: field, message: "must be a whole number"))
                return nil
            }
            return number
        }
        func strings(_ table: TOMLTable?, _ key: String, _ field: String) -> [String]? {
            guard let value = table?[key] else { return nil }
            guard let array = value.array else {
                problems.append(
                    FieldError(field: field, message: "must be a list of strings, e.g. [\"a@contoso.com\"]")
                )
                return nil
            }
            var result: [String] = []
            for (index, element) in array.enumerated() {
                if let string = element.string {
                    result.append(string)
                } else {
                    problems.append(FieldError(field: "\(field)[\(index)]", message: "must be a string"))
                }
            }
            return result
        }
        func subtable(_ key: String) -> TOMLTable? {
            guard let value = table[key] else { return nil }
            guard let sub = value.table else {
                problems.append(FieldError(field: key, message: "must be a table: [\(key)]"))
                return nil
            }
            checkKeys(sub, key)
            return sub
        }
        func choice<T: RawRepresentable>(_ raw: String?, _ field: String, _ all: [T]) -> T? where T.RawValue == String {
            guard let raw else { return nil }
            guard let value = T(rawValue: raw) else {
                problems.append(
                    FieldError(
                        field: field,
                        message:
                            "'\(FieldRules.printable(raw))' is not one of: \(all.map(\.rawValue).joined(separator: ", "))"
                    )
                )
                return nil
            }
            return value
        }

        checkKeys(table, "")
        // A preset fills defaults first; explicit values override them.
        if let presetID = string(table, "preset", "preset") {
            if let preset = Preset.named(presetID) {
                config = SetupConfig(preset: preset, tenant: "")
            } else {
                problems.append(
                    FieldError(
                        field: "preset",
                        message:
                            "'\(FieldRules.printable(presetID))' is not a preset; use one of: \(Preset.all.map(\.id).joined(separator: ", "))"
                    )
                )
            }
        }
        if let target = choice(
            string(table, "target", "target"),
            "target",
            [SetupTarget.exchangeOnline, .exchangeServer]
        ) {
            config.target = target
        }
        let tenant = subtable("tenant")
        config.tenant = string(tenant, "id", "tenant.id") ?? ""
        config.cloud = string(tenant, "cloud", "tenant.cloud") ?? "global"
        config.loginURL = string(tenant, "login", "tenant.login")
        config.graphURL = string(tenant, "graph", "tenant.graph")
        config.exchangeURL = string(tenant, "exchange", "tenant.exchange")
        config.caBundle = string(tenant, "ca_bundle", "tenant.ca_bundle")

        let server = subtable("server")
        config.ewsURL = string(server, "ews_url", "server.ews_url")
        if let scheme = choice(
            string(server, "auth", "server.auth"),
            "server.auth",
            HTTPAuthentication.Scheme.allCases
        ) {
            config.ewsAuthentication = scheme
        }
        if let bundle = string(server, "ca_bundle", "server.ca_bundle") { config.caBundle = bundle }
        config.simulatedShell = string(server, "simulated_shell", "server.simulated_shell")

        let auth = subtable("auth")
        if let method = choice(string(auth, "method", "auth.method"), "auth.method", AdminSignIn.allCases) {
            config.signIn = method
        }
        config.clientID = string(auth, "client_id", "auth.client_id")
        config.secretEnvironmentVariable = string(auth, "secret_env", "auth.secret_env")
        config.secretFile = string(auth, "secret_file", "auth.secret_file")
        config.certificateFile = string(auth, "certificate_file", "auth.certificate_file")
        config.privateKeyFile = string(auth, "private_key_file", "auth.private_key_file")

        let account = subtable("service_account")
        if let name = string(account, "name", "service_account.name") { config.serviceAccountName = name }
        if let kind = choice(
            string(account, "credential", "service_account.credential"),
            "service_account.credential",
            [CredentialKind.secret, .certificate]
        ) {
            config.credential = kind
        }
        if let days = int(account, "credential_lifetime_days", "service_account.credential_lifetime_days") {
            config.credentialLifetimeDays = days
        }
        config.mailboxUser = string(account, "mailbox", "service_account.mailbox")
        if let license = string(account, "license", "service_account.license") { config.mailboxLicense = license }
        config.usageLocation = string(account, "usage_location", "service_account.usage_location")
        config.serviceAccountAddress = string(account, "address", "service_account.address")
        config.serviceAccountLogon = string(account, "logon", "service_account.logon")
        config.passwordEnvironmentVariable = string(account, "password_env", "service_account.password_env")
        config.passwordFile = string(account, "password_file", "service_account.password_file")

        let group = subtable("group")
        if let name = string(group, "name", "group.name") { config.groupName = name }
        config.groupAlias = string(group, "alias", "group.alias")
        if let kind = choice(string(group, "kind", "group.kind"), "group.kind", GroupKind.allCases) {
            config.groupKind = kind
        }
        if let members = strings(group, "members", "group.members") { config.members = members }
        config.groupAddress = string(group, "address", "group.address")

        let scope = subtable("scope")
        if let kind = choice(string(scope, "kind", "scope.kind"), "scope.kind", ScopeKind.allCases) {
            config.scopeKind = kind
        }
        if let name = string(scope, "name", "scope.name") { config.scopeName = name }

        let roles = subtable("roles")
        if let names = strings(roles, "names", "roles.names") { config.roles = names }

        let connect = subtable("connect")
        config.inScopeMailbox = string(connect, "in_scope_mailbox", "connect.in_scope_mailbox")
        config.outOfScopeMailbox = string(connect, "out_of_scope_mailbox", "connect.out_of_scope_mailbox")
        if let minutes = int(connect, "deadline_minutes", "connect.deadline_minutes") {
            config.waitDeadlineMinutes = minutes
        }
        if let value = connect?["remove_tenant_wide_grants"] {
            if let flag = value.bool {
                config.removeTenantWideGrants = flag
            } else {
                problems.append(
                    FieldError(field: "connect.remove_tenant_wide_grants", message: "must be true or false")
                )
            }
        }

        problems += config.validationErrors()
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        return config
    }
}
