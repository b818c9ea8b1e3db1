import Foundation
import MailscopeCore
import MicrosoftClients
import TOMLKit

/// Reads TOML configs: each table by its own function, every problem named by its field.
public enum ConfigLoader {
    /// The keys each table may hold; anything else is a typo and is reported.
    static let knownKeys: [String: Set<String>] = [
        "": ["target", "preset", "method", "tenant", "server", "auth", "service_account", "group", "scope", "roles", "connect"],
        "server": ["ews_url", "auth", "ca_bundle", "simulated_shell"],
        "tenant": ["id", "cloud", "login", "graph", "exchange", "ca_bundle"],
        "auth": ["method", "client_id", "secret_env", "secret_file", "certificate_file", "private_key_file"],
        "service_account": [
            "name", "app_id", "access", "redirect_uri", "scopes", "uses_ews", "credential", "credential_lifetime_days", "mailbox", "license", "usage_location", "address",
            "logon", "password_env", "password_file",
        ],
        "group": ["name", "alias", "kind", "members", "address"],
        "scope": ["kind", "name", "end_event_early", "roles"],
        "roles": ["names"],
        "connect": ["in_scope_mailbox", "out_of_scope_mailbox", "deadline_minutes", "remove_tenant_wide_grants"],
    ]

    /// What `TOMLShapeScanner` finds before the TOML parser runs, or nil.
    static func unparseableShape(in text: String) -> FieldError? {
        var scanner = TOMLShapeScanner(text)
        return scanner.firstProblem()
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
        let reader = TOMLReader(table)
        var config = reader.readTop()
        reader.readTenant(into: &config)
        reader.readServer(into: &config)
        reader.readAuth(into: &config)
        reader.readServiceAccount(into: &config)
        reader.readGroup(into: &config)
        reader.readScopeAndRoles(into: &config)
        reader.readConnect(into: &config)
        PresetMailbox.fill(&config)
        let problems = reader.problems + config.validationErrors()
        guard problems.isEmpty else { throw ConfigError(problems: problems) }
        return config
    }
}

/// Reads typed values from a parsed TOML table, collecting a problem for each value of the wrong
/// type, each unknown key and each unknown choice.
final class TOMLReader {
    private let table: TOMLTable
    private(set) var problems: [FieldError] = []

    init(_ table: TOMLTable) {
        self.table = table
    }

    // MARK: Tables

    /// The top level: its keys, the preset (which fills defaults first) and the target.
    func readTop() -> SetupConfig {
        checkKeys(table, "")
        var config = SetupConfig()
        if let presetID = string(table, "preset", "preset") {
            if let preset = Preset.named(presetID) {
                config = SetupConfig(preset: preset, tenant: "")
            } else {
                problems.append(
                    FieldError(
                        field: "preset",
                        message:
                            "'\(FieldRules.printable(presetID))' is not a preset; use one of: \(Preset.all.map(\.id).joined(separator: ", "))"
                    ))
            }
        }
        config.guideMethod = string(table, "method", "method")
        if let target = choice(string(table, "target", "target"), "target", [SetupTarget.exchangeOnline, .exchangeServer]) {
            config.target = target
        }
        // A preset's EWS default is for Exchange Online; on Exchange Server EWS is the transport.
        if config.target == .exchangeServer { config.usesEWS = false }
        return config
    }

    func readTenant(into config: inout SetupConfig) {
        let tenant = subtable("tenant")
        config.tenant = string(tenant, "id", "tenant.id") ?? ""
        config.cloud = string(tenant, "cloud", "tenant.cloud") ?? "global"
        config.loginURL = string(tenant, "login", "tenant.login")
        config.graphURL = string(tenant, "graph", "tenant.graph")
        config.exchangeURL = string(tenant, "exchange", "tenant.exchange")
        config.caBundle = string(tenant, "ca_bundle", "tenant.ca_bundle")
    }

    func readServer(into config: inout SetupConfig) {
        let server = subtable("server")
        config.ewsURL = string(server, "ews_url", "server.ews_url")
        if let scheme = choice(string(server, "auth", "server.auth"), "server.auth", HTTPAuthentication.Scheme.allCases) {
            config.ewsAuthentication = scheme
        }
        if let bundle = string(server, "ca_bundle", "server.ca_bundle") { config.caBundle = bundle }
        config.simulatedShell = string(server, "simulated_shell", "server.simulated_shell")
    }

    func readAuth(into config: inout SetupConfig) {
        let auth = subtable("auth")
        if let method = choice(string(auth, "method", "auth.method"), "auth.method", AdminSignIn.allCases) {
            config.signIn = method
        }
        config.clientID = string(auth, "client_id", "auth.client_id")
        config.adminSecret = secretSource(auth, "auth", variable: "secret_env", file: "secret_file")
        config.certificateFile = string(auth, "certificate_file", "auth.certificate_file")
        config.privateKeyFile = string(auth, "private_key_file", "auth.private_key_file")
    }

    func readServiceAccount(into config: inout SetupConfig) {
        let account = subtable("service_account")
        if let name = string(account, "name", "service_account.name") { config.serviceAccountName = name }
        let kinds = [CredentialKind.secret, .certificate]
        if let kind = choice(string(account, "credential", "service_account.credential"), "service_account.credential", kinds) {
            config.credential = kind
        }
        if let days = int(account, "credential_lifetime_days", "service_account.credential_lifetime_days") {
            config.credentialLifetimeDays = days
        }
        config.mailboxUser = string(account, "mailbox", "service_account.mailbox")
        config.vendorAppID = string(account, "app_id", "service_account.app_id")
        if let flag = bool(account, "uses_ews", "service_account.uses_ews") {
            config.usesEWS = flag && config.target == .exchangeOnline
            if flag, config.target == .exchangeServer {
                // Refused rather than ignored: the config says something mailscope would not do.
                problems.append(
                    FieldError(
                        field: "service_account.uses_ews",
                        message:
                            "is for Exchange Online only (the EWS allow list and the role Application EWS.AccessAsApp); on Exchange Server EWS is how mailscope and the vendor connect already: remove uses_ews"
                    ))
            }
        }
        if config.vendorAppID != nil, let account {
            // The vendor's own app: mailscope makes no credential, so settings of one are refused
            // rather than silently ignored (a config that asks for a secret would get none).
            for key in ["credential", "credential_lifetime_days"] where account[key] != nil {
                problems.append(
                    FieldError(
                        field: "service_account.\(key)",
                        message:
                            "cannot be set with service_account.app_id: the vendor's own app keeps its credential with the vendor, and mailscope creates none; remove \(key)"
                    ))
            }
        }
        readAccess(account, into: &config)
        if let license = string(account, "license", "service_account.license") { config.mailboxLicense = license }
        config.usageLocation = string(account, "usage_location", "service_account.usage_location")
        config.serviceAccountAddress = string(account, "address", "service_account.address")
        config.serviceAccountLogon = string(account, "logon", "service_account.logon")
        config.servicePassword = secretSource(account, "service_account", variable: "password_env", file: "password_file")
    }

    func readGroup(into config: inout SetupConfig) {
        let group = subtable("group")
        if let name = string(group, "name", "group.name") { config.groupName = name }
        config.groupAlias = string(group, "alias", "group.alias")
        if let kind = choice(string(group, "kind", "group.kind"), "group.kind", GroupKind.allCases) {
            config.groupKind = kind
        }
        if let members = strings(group, "members", "group.members") { config.members = members }
        config.groupAddress = string(group, "address", "group.address")
    }

    func readScopeAndRoles(into config: inout SetupConfig) {
        let scope = subtable("scope")
        if let kind = choice(string(scope, "kind", "scope.kind"), "scope.kind", ScopeKind.allCases) {
            config.scopeKind = kind
        }
        if let name = string(scope, "name", "scope.name") { config.scopeName = name }
        if let flag = bool(scope, "end_event_early", "scope.end_event_early") { config.endEventEarly = flag }
        let names = strings(subtable("roles"), "names", "roles.names")
        if let names { config.roles = names }
        if let set = string(scope, "roles", "scope.roles") {
            readRoleSet(set, namesGiven: names != nil, into: &config)
        }
    }

    /// `scope.roles = "default" | "minimum"`: the preset's named set of application roles.
    private func readRoleSet(_ set: String, namesGiven: Bool, into config: inout SetupConfig) {
        let sets = Preset.named(config.preset)?.roleSets ?? [:]
        if namesGiven {
            problems.append(
                FieldError(field: "scope.roles", message: "and roles.names are both set; keep one (a named set, or the roles listed)"))
        } else if let roles = sets[set] {
            config.roles = roles
        } else if sets.isEmpty {
            problems.append(
                FieldError(
                    field: "scope.roles",
                    message: "preset \"\(config.preset)\" has no named role sets; list the roles in roles.names instead"))
        } else {
            problems.append(
                FieldError(
                    field: "scope.roles",
                    message: "'\(FieldRules.printable(set))' is not one of: \(sets.keys.sorted().joined(separator: ", "))"))
        }
    }

    /// `service_account.access`, `redirect_uri` and `scopes`, each typed once; a preset's
    /// delegated defaults fill what delegated access leaves out.
    private func readAccess(_ account: TOMLTable?, into config: inout SetupConfig) {
        if let access = choice(string(account, "access", "service_account.access"), "service_account.access", AppAccess.allCases) {
            config.access = access
        }
        let preset = Preset.named(config.preset)
        if let raw = string(account, "redirect_uri", "service_account.redirect_uri") {
            switch FieldRules.redirectURI(raw) {
            case .success(let url): config.redirectURI = url
            case .failure(let error): problems.append(error)
            }
        } else if config.access == .delegated {
            config.redirectURI = preset?.delegated?.redirectURI
        }
        guard let value = account?["scopes"] else { return }
        if let word = value.string {
            switch word {
            case "default": config.delegatedScopes = .defaultSet
            case "minimum": config.delegatedScopes = .minimum
            default:
                problems.append(
                    FieldError(
                        field: "service_account.scopes",
                        message: "'\(FieldRules.printable(word))' is not \"default\" or \"minimum\"; or list the permissions, e.g. [\"User.Read\", \"offline_access\"]"))
            }
        } else if let names = strings(account, "scopes", "service_account.scopes") {
            config.delegatedScopes = .list(names)
        }
        if config.access == .application && config.delegatedScopes == .defaultSet {
            problems.append(
                FieldError(
                    field: "service_account.scopes",
                    message: "is for delegated access only; application access is limited by roles.names and the scope: set service_account.access = \"delegated\" or remove scopes"))
        }
    }

    func readConnect(into config: inout SetupConfig) {
        let connect = subtable("connect")
        config.inScopeMailbox = string(connect, "in_scope_mailbox", "connect.in_scope_mailbox")
        config.outOfScopeMailbox = string(connect, "out_of_scope_mailbox", "connect.out_of_scope_mailbox")
        if let minutes = int(connect, "deadline_minutes", "connect.deadline_minutes") {
            config.waitDeadlineMinutes = minutes
        }
        if let flag = bool(connect, "remove_tenant_wide_grants", "connect.remove_tenant_wide_grants") {
            config.removeTenantWideGrants = flag
        }
    }

    // MARK: Values

    private func checkKeys(_ table: TOMLTable, _ name: String) {
        let known = ConfigLoader.knownKeys[name] ?? []
        for key in table.keys where !known.contains(key) {
            problems.append(
                FieldError(
                    field: name.isEmpty ? key : "\(name).\(key)",
                    message: "is not a known setting; check the spelling (known: \(known.sorted().joined(separator: ", ")))"
                ))
        }
    }

    private func subtable(_ key: String) -> TOMLTable? {
        guard let value = table[key] else { return nil }
        guard let sub = value.table else {
            problems.append(FieldError(field: key, message: "must be a table: [\(key)]"))
            return nil
        }
        checkKeys(sub, key)
        return sub
    }

    /// The value at `key` as `extract` reads it, or nil; a value of another type is a problem
    /// that says what the field `must be`.
    private func value<T>(
        _ table: TOMLTable?, _ key: String, _ field: String, mustBe: String, _ extract: (TOMLValueConvertible) -> T?
    ) -> T? {
        guard let value = table?[key] else { return nil }
        guard let typed = extract(value) else {
            problems.append(FieldError(field: field, message: "must be \(mustBe)"))
            return nil
        }
        return typed
    }

    private func string(_ table: TOMLTable?, _ key: String, _ field: String) -> String? {
        value(table, key, field, mustBe: "a string in quotes") { $0.string }
    }

    private func int(_ table: TOMLTable?, _ key: String, _ field: String) -> Int? {
        value(table, key, field, mustBe: "a whole number") { $0.int }
    }

    private func bool(_ table: TOMLTable?, _ key: String, _ field: String) -> Bool? {
        value(table, key, field, mustBe: "true or false") { $0.bool }
    }

    private func strings(_ table: TOMLTable?, _ key: String, _ field: String) -> [String]? {
        guard let value = table?[key] else { return nil }
        guard let array = value.array else {
            problems.append(FieldError(field: field, message: "must be a list of strings, e.g. [\"a@contoso.com\"]"))
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

    private func choice<T: RawRepresentable>(_ raw: String?, _ field: String, _ all: [T]) -> T?
    where T.RawValue == String {
        guard let raw else { return nil }
        guard let value = T(rawValue: raw) else {
            problems.append(
                FieldError(
                    field: field,
                    message: "'\(FieldRules.printable(raw))' is not one of: \(all.map(\.rawValue).joined(separator: ", "))"
                ))
            return nil
        }
        return value
    }

    /// A secret's source from its pair of keys in `table`: one of them, never both.
    private func secretSource(_ table: TOMLTable?, _ name: String, variable: String, file: String) -> SecretSource? {
        let variableValue = string(table, variable, "\(name).\(variable)")
        let fileValue = string(table, file, "\(name).\(file)")
        if variableValue != nil && fileValue != nil {
            problems.append(
                FieldError(
                    field: "\(name).\(variable)",
                    message: "and \(name).\(file) are both set; keep the one that holds the secret"))
        }
        return SecretSource(variable: variableValue, file: fileValue)
    }
}
