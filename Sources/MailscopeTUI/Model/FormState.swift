import Foundation
import MailscopeCore
import MailscopeEngine

/// The form's answers as the admin edits them: choices as values, free text as inputs.
public struct FormState: Sendable, Equatable {
    /// The chosen target: Exchange Online or Exchange Server.
    public var target: SetupTarget
    /// The chosen preset's key.
    public var presetID: String
    /// The chosen sign-in method.
    public var signIn: SignInMethod
    /// The chosen scope kind.
    public var scopeKind: ScopeKind
    /// The chosen group kind.
    public var groupKind: GroupKind
    /// How the service account signs in to EWS (Exchange Server).
    public var ewsAuthentication: HTTPAuthentication.Scheme
    /// Where the service account's password is read from (Exchange Server).
    public var passwordSource: PasswordSource
    /// Where the admin app's client secret is read from (client-secret sign-in).
    public var secretSource: PasswordSource
    /// Whose app the integration signs in as (Exchange Online).
    public var connection: AppConnection
    /// Delegated access: the preset's minimum set of permissions rather than its default.
    public var minimumDelegatedScopes: Bool
    /// Delegated access: a config's own list of permissions, kept until the admin picks one of
    /// the guide's sets instead.
    public var configuredDelegatedScopes: [String]?
    /// Whether the vendor calls EWS (Exchange Online).
    public var usesEWS: Bool
    /// Eptura's End Event Early: the rooms scope widened to the organizers (a warned choice).
    public var endEventEarly: Bool
    /// The free-text fields.
    public var inputs: [FormField: TextInput] {
        didSet { refreshMemberList() }
    }
    /// The members field read as a list; rebuilt only when its text changes.
    public private(set) var memberList = MemberList("")
    /// The page shown.
    public var page: FormPage = .tenant
    /// The focused field.
    public var focus: FormField = .tenant
    /// Fields the admin changed (a preset change keeps these).
    public var edited: Set<FormField> = []
    /// Fields the admin has left or typed in; an empty one shows as invalid only then.
    public var touched: Set<FormField> = []

    /// A form filled with `answers`.
    public init(answers: WizardAnswers) {
        target = answers.target
        presetID = answers.presetID
        signIn = answers.signIn
        scopeKind = answers.scopeKind
        groupKind = answers.groupKind
        ewsAuthentication = answers.ewsAuthentication
        passwordSource =
            answers.passwordEnvironmentVariable != nil && answers.passwordFile == nil ? .environmentVariable : .file
        secretSource = answers.secretFile != nil && answers.secretEnvironmentVariable == nil ? .file : .environmentVariable
        connection =
            answers.vendorAppID != nil ? .vendorApp : answers.access == .delegated ? .delegatedApp : .newApp
        minimumDelegatedScopes = answers.delegatedScopes == .minimum
        if case .list(let names) = answers.delegatedScopes { configuredDelegatedScopes = names }
        let preset = Preset.named(answers.presetID)
        usesEWS = answers.usesEWS ?? preset?.usesEWS ?? false
        endEventEarly = answers.endEventEarly ?? false
        inputs = [
            .vendorAppID: TextInput(answers.vendorAppID ?? ""),
            .mailboxUser: TextInput(answers.mailboxUser ?? ""),
            .redirectURI: TextInput(answers.redirectURI ?? preset?.delegated?.redirectURI.absoluteString ?? ""),
            .clientID: TextInput(answers.clientID ?? ""),
            .secretVariable: TextInput(answers.secretEnvironmentVariable ?? ""),
            .secretFile: TextInput(answers.secretFile ?? ""),
            .certificateFile: TextInput(answers.certificateFile ?? ""),
            .privateKeyFile: TextInput(answers.privateKeyFile ?? ""),
            .ewsURL: TextInput(answers.ewsURL),
            .serviceAccountAddress: TextInput(answers.serviceAccountAddress),
            .serviceAccountLogon: TextInput(answers.serviceAccountLogon ?? ""),
            .passwordFile: TextInput(answers.passwordFile ?? ""),
            .passwordVariable: TextInput(answers.passwordEnvironmentVariable ?? ""),
            .groupAddress: TextInput(answers.groupAddress ?? ""),
            .groupAlias: TextInput(answers.groupAlias ?? ""),
            .inScopeMailbox: TextInput(answers.inScopeMailbox ?? ""),
            .outOfScopeMailbox: TextInput(answers.outOfScopeMailbox),
            .tenant: TextInput(answers.tenant),
            .serviceAccountName: TextInput(answers.serviceAccountName),
            .groupName: TextInput(answers.groupName),
            .members: TextInput(answers.members.joined(separator: "\n")),
            .scopeName: TextInput(answers.scopeName),
            .roles: TextInput(answers.roles.map(Self.shortRoleName).joined(separator: ", ")),
        ]
        memberList = MemberList(text(.members))
    }

    private mutating func refreshMemberList() {
        let members = text(.members)
        if members != memberList.text { memberList = MemberList(members) }
    }

    /// Rewrites the members field one entry a line, each mailbox once (after a paste, and when
    /// the focus leaves it).
    public mutating func normalizeMembers() {
        let normalized = MemberList.normalized(text(.members))
        guard normalized != text(.members) else { return }
        inputs[.members] = TextInput(normalized)
    }

    /// The answers the form holds now.
    public var answers: WizardAnswers {
        WizardAnswers(
            presetID: presetID,
            tenant: text(.tenant).trimmingCharacters(in: .whitespaces),
            signIn: signIn,
            serviceAccountName: text(.serviceAccountName),
            groupName: scopeKind == .group ? text(.groupName) : "",
            groupKind: groupKind,
            members: scopeKind == .group ? memberList.addresses : [],
            scopeKind: scopeKind,
            scopeName: text(.scopeName),
            roles: Self.list(text(.roles)).map(Self.fullRoleName),
            target: target,
            ewsURL: trimmed(.ewsURL),
            ewsAuthentication: ewsAuthentication,
            serviceAccountAddress: trimmed(.serviceAccountAddress),
            serviceAccountLogon: optional(.serviceAccountLogon),
            passwordFile: passwordSource == .file ? optional(.passwordFile) : nil,
            passwordEnvironmentVariable: passwordSource == .environmentVariable ? optional(.passwordVariable) : nil,
            groupAddress: scopeKind == .group ? optional(.groupAddress) : nil,
            inScopeMailbox: optional(.inScopeMailbox),
            outOfScopeMailbox: trimmed(.outOfScopeMailbox),
            clientID: signIn == .deviceCode ? nil : optional(.clientID),
            secretEnvironmentVariable: signIn == .clientSecret && secretSource == .environmentVariable
                ? optional(.secretVariable) : nil,
            secretFile: signIn == .clientSecret && secretSource == .file ? optional(.secretFile) : nil,
            certificateFile: signIn == .certificate ? optional(.certificateFile) : nil,
            privateKeyFile: signIn == .certificate ? optional(.privateKeyFile) : nil,
            groupAlias: scopeKind == .group ? optional(.groupAlias) : nil,
            vendorAppID: target == .exchangeOnline && connection == .vendorApp ? optional(.vendorAppID) : nil,
            access: isApplicable(.redirectURI) ? .delegated : nil,
            redirectURI: isApplicable(.redirectURI) ? optional(.redirectURI) : nil,
            delegatedScopes: isApplicable(.delegatedScopes)
                ? configuredDelegatedScopes.map(DelegatedScopes.list) ?? (minimumDelegatedScopes ? .minimum : nil) : nil,
            usesEWS: isApplicable(.usesEWS) && usesEWS != (Preset.named(presetID)?.usesEWS ?? false) ? usesEWS : nil,
            endEventEarly: isApplicable(.endEventEarly) && endEventEarly ? true : nil,
            mailboxUser: isApplicable(.mailboxUser) ? optional(.mailboxUser) : nil
        )
    }

    /// The pages the form shows for the chosen target, in order: those with a question that
    /// applies (delegated access has no scope to ask about).
    public var pages: [FormPage] { FormPage.pages(for: target).filter { !fields(on: $0).isEmpty } }

    /// The page after `page`, if any.
    public func page(after page: FormPage) -> FormPage? {
        guard let index = pages.firstIndex(of: page), index + 1 < pages.count else { return nil }
        return pages[index + 1]
    }

    /// The page before `page`, if any.
    public func page(before page: FormPage) -> FormPage? {
        guard let index = pages.firstIndex(of: page), index > 0 else { return nil }
        return pages[index - 1]
    }

    /// The page `field` is on for the chosen target.
    public func page(of field: FormField) -> FormPage? { field.page(for: target) }

    /// The fields `page` shows for the chosen target: the applicable ones, and group fields a rooms
    /// scope does not use (shown as such). The password field of the source not chosen is hidden.
    public func displayedFields(on page: FormPage) -> [FormField] {
        page.fields(for: target).filter { field in
            switch field {
            case .passwordFile: passwordSource == .file
            case .passwordVariable: passwordSource == .environmentVariable
            // Delegated access has no group: its fields go (a rooms scope shows them as not used).
            case .groupName, .groupAlias, .groupKind, .members, .groupAddress:
                !(target == .exchangeOnline && connection == .delegatedApp)
            case .clientID, .secretSource, .secretVariable, .secretFile, .certificateFile, .privateKeyFile,
                .vendorAppID, .serviceAccountName, .mailboxUser, .redirectURI, .delegatedScopes, .usesEWS,
                .endEventEarly, .scopeKind, .scopeName, .roles:
                isApplicable(field)
            default: true
            }
        }
    }

    /// Whether `field` may stay empty (an empty optional field takes its default).
    public func isOptional(_ field: FormField) -> Bool {
        switch field {
        case .serviceAccountLogon, .groupAddress, .groupAlias, .mailboxUser, .redirectURI: true
        case .inScopeMailbox: scopeKind == .group
        default: false
        }
    }

    private func trimmed(_ field: FormField) -> String { text(field).trimmingCharacters(in: .whitespaces) }

    private func optional(_ field: FormField) -> String? {
        let value = trimmed(field)
        return value.isEmpty ? nil : value
    }

    /// The text of a free-text field.
    public func text(_ field: FormField) -> String { inputs[field]?.text ?? "" }

    /// Whether `field` applies to the current answers: the target asks it, and group fields do not
    /// apply to a rooms scope.
    public func isApplicable(_ field: FormField) -> Bool {
        guard page(of: field) != nil else { return false }
        let preset = Preset.named(presetID)
        // Delegated access: each user's own rights limit it; no group, scope or role applies.
        let delegated = target == .exchangeOnline && connection == .delegatedApp
        switch field {
        case .groupName, .groupAlias, .groupKind, .members, .groupAddress: return scopeKind == .group && !delegated
        case .scopeKind, .scopeName, .roles: return !delegated
        // Whose app it is, the guide's licensed user consents to it (as `mailscope apply` reads it).
        case .mailboxUser: return preset?.licensedMailbox == true
        case .redirectURI, .delegatedScopes: return delegated
        // Asked where the guide connects over EWS, or for a custom integration (the others use Graph).
        case .usesEWS: return !delegated && (preset?.usesEWS == true || presetID == "custom")
        case .endEventEarly: return preset?.offersEndEventEarly == true && scopeKind == .rooms && !delegated
        case .passwordFile: return passwordSource == .file
        case .passwordVariable: return passwordSource == .environmentVariable
        case .clientID: return signIn != .deviceCode
        case .secretSource: return signIn == .clientSecret
        case .secretVariable: return signIn == .clientSecret && secretSource == .environmentVariable
        case .secretFile: return signIn == .clientSecret && secretSource == .file
        case .certificateFile, .privateKeyFile: return signIn == .certificate
        case .vendorAppID: return connection == .vendorApp
        // The vendor's app has the vendor's name; on Exchange Server the name is the mailbox's.
        case .serviceAccountName: return target == .exchangeServer || connection != .vendorApp
        default: return true
        }
    }

    /// The fields of `page` that apply, in focus order.
    public func fields(on page: FormPage) -> [FormField] { page.fields(for: target).filter(isApplicable) }

    /// What is wrong with `field`'s value, if anything (using the engine's `FieldRules`).
    public func error(for field: FormField) -> FieldError? {
        guard isApplicable(field) else { return nil }
        if target == .exchangeServer { return serverError(for: field) }
        switch field {
        case .preset, .signIn, .scopeKind, .groupKind, .target, .secretSource, .connection, .delegatedScopes, .usesEWS,
            .endEventEarly:
            return nil
        case .mailboxUser: return configError(for: field)
        case .redirectURI:
            guard let raw = optional(.redirectURI) else { return nil }
            if case .failure(let error) = FieldRules.redirectURI(raw) { return error }
            return nil
        case .clientID, .secretVariable, .secretFile, .certificateFile, .privateKeyFile:
            return configError(for: field)
        case .vendorAppID:
            guard optional(.vendorAppID) != nil else {
                return FieldError(
                    field: "service_account.app_id",
                    message: "give the application (client) ID the vendor publishes for its app (a GUID)")
            }
            return configError(for: field)
        case .ewsURL, .ewsAuthentication, .serviceAccountAddress, .serviceAccountLogon, .passwordSource,
            .passwordFile, .passwordVariable, .groupAddress, .inScopeMailbox, .outOfScopeMailbox:
            return nil
        case .tenant: return FieldRules.tenant(text(.tenant), field: "tenant")
        case .serviceAccountName:
            return FieldRules.displayName(text(.serviceAccountName), field: "service account name")
        case .groupName:
            // Any script: the alias (ASCII) is derived, shown beside the alias field, and editable.
            return FieldRules.displayName(text(.groupName), field: "group name", maximumLength: 64)
        case .groupAlias:
            return FieldRules.alias(optional(.groupAlias) ?? derivedGroupAlias, field: "group alias")
        case .members: return memberList.firstError
        case .scopeName: return FieldRules.exchangeName(text(.scopeName), field: "scope name")
        case .roles: return FieldRules.roles(Self.list(text(.roles)).map(Self.fullRoleName), field: "roles")
        }
    }

    /// The config's own validation (`SetupConfig.validationErrors`) of the answers, for the
    /// problems of `field`'s config keys: the same rules and words as `mailscope apply`.
    private func configError(for field: FormField) -> FieldError? {
        if field == .secretVariable,
            let problem = Self.variableNameProblem(trimmed(.secretVariable), field: "auth.secret_env", holds: "secret")
        {
            return problem
        }
        let keys = Self.configKeys(of: field)
        guard !keys.isEmpty else { return nil }
        return answers.setupConfig().validationErrors().first { error in
            keys.contains { error.field == $0 || error.field.hasPrefix($0 + "[") }
        }
    }

    /// The configuration keys whose problems `field` shows.
    static func configKeys(of field: FormField) -> [String] {
        switch field {
        case .ewsURL: ["server.ews_url"]
        case .ewsAuthentication: ["server.auth"]
        case .serviceAccountName: ["service_account.name"]
        case .serviceAccountAddress: ["service_account.address"]
        case .serviceAccountLogon: ["service_account.logon"]
        case .passwordFile, .passwordVariable: ["service_account.password_env", "service_account.password_file"]
        case .groupName: ["group.name"]
        case .groupAlias: ["group.alias"]
        case .groupKind: ["group.kind"]
        case .groupAddress: ["group.address"]
        case .members: ["group.members"]
        case .scopeName: ["scope.name"]
        case .inScopeMailbox: ["connect.in_scope_mailbox"]
        case .outOfScopeMailbox: ["connect.out_of_scope_mailbox"]
        case .clientID: ["auth.client_id"]
        case .secretVariable, .secretFile: ["auth.secret_env", "auth.secret_file"]
        case .certificateFile: ["auth.certificate_file"]
        case .privateKeyFile: ["auth.private_key_file"]
        case .vendorAppID: ["service_account.app_id"]
        case .mailboxUser: ["service_account.mailbox"]
        case .redirectURI: ["service_account.redirect_uri"]
        case .endEventEarly: ["scope.end_event_early"]
        case .preset: ["target", "method"]  // a preset whose guide has no path on the target (PresetConnections)
        case .target, .tenant, .signIn, .passwordSource, .secretSource, .scopeKind, .roles, .connection,
            .delegatedScopes, .usesEWS:
            []
        }
    }

    /// Exchange Server: the engine's own validation of the config these answers make, so a message
    /// names the config key and the fix exactly as `mailscope apply` would.
    private func serverError(for field: FormField) -> FieldError? {
        let keys = Self.configKeys(of: field)
        guard !keys.isEmpty else { return nil }
        if field == .passwordVariable, let problem = Self.variableNameProblem(trimmed(.passwordVariable)) {
            return problem
        }
        // Without a typed address the group's address is derived; its problems show on the account's address.
        if field == .groupAddress, optional(.groupAddress) == nil { return nil }
        return answers.setupConfig().validationErrors().first { error in
            keys.contains { error.field == $0 || error.field.hasPrefix($0 + "[") }
        }
    }

    /// What is wrong with `name` as an environment variable's name, if anything.
    static func variableNameProblem(
        _ name: String,
        field: String = "service_account.password_env",
        holds: String = "password"
    ) -> FieldError? {
        guard !name.isEmpty else { return nil }  // the engine's validation names the missing source
        let valid =
            name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
            && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        guard !valid else { return nil }
        return FieldError(
            field: field,
            message:
                "'\(FieldRules.printable(name))' is not an environment variable's name (letters, digits and _); give the variable's NAME, never the \(holds)"
        )
    }

    /// Whether `field` is empty and not yet touched: shown as "required" rather than invalid.
    public func isPristineAndEmpty(_ field: FormField) -> Bool {
        !field.isChoice && text(field).trimmingCharacters(in: .whitespaces).isEmpty && !touched.contains(field)
    }

    /// The alias an empty alias field stands for: derived from the group name.
    public var derivedGroupAlias: String { SetupConfig.derivedAlias(from: text(.groupName).trimmingCharacters(in: .whitespaces)) }

    /// The first field on `page` or an earlier page that is invalid.
    public func firstInvalidField(through page: FormPage) -> FormField? {
        pages.filter { $0 <= page }.flatMap(fields(on:)).first { error(for: $0) != nil }
    }

    /// The value shown for a choice field.
    public func choiceTitle(_ field: FormField) -> String {
        switch field {
        case .preset: Preset.named(presetID)?.displayName ?? presetID
        case .signIn: signIn.title
        case .scopeKind: scopeKind.title
        case .groupKind: groupKind.title
        case .target: target.title
        case .ewsAuthentication: ewsAuthentication.title
        case .passwordSource: passwordSource.title
        case .secretSource: secretSource.title
        case .connection: connection.title
        case .delegatedScopes:
            configuredDelegatedScopes.map { "as configured: \($0.joined(separator: " "))" }
                ?? (minimumDelegatedScopes ? "the guide's minimum" : "the guide's default")
        case .usesEWS: usesEWS ? "yes: allow-list the app (EWS ends 1 Apr 2027)" : "no: Microsoft Graph only"
        case .endEventEarly: endEventEarly ? "yes: widen to the organizers (warned)" : "no: room mailboxes only"
        default: text(field)
        }
    }

    /// Moves a choice field's value by `offset` (wrapping).
    public mutating func cycleChoice(_ field: FormField, by offset: Int) {
        func next<T: Equatable>(_ all: [T], _ current: T) -> T {
            let index = all.firstIndex(of: current) ?? 0
            return all[((index + offset) % all.count + all.count) % all.count]
        }
        switch field {
        case .preset:
            let id = next(Preset.all.map(\.id), presetID)
            if let preset = Preset.named(id) { apply(preset) }
        case .signIn: signIn = next(SignInMethod.allCases, signIn)
        case .scopeKind: scopeKind = next(ScopeKind.allCases, scopeKind)
        case .groupKind: groupKind = next(groupKinds, groupKind)
        case .target:
            target = next(SetupTarget.all, target)
            if !groupKinds.contains(groupKind) { groupKind = .distribution }
        case .ewsAuthentication: ewsAuthentication = next(HTTPAuthentication.Scheme.allCases, ewsAuthentication)
        case .passwordSource: passwordSource = next(PasswordSource.allCases, passwordSource)
        case .secretSource: secretSource = next(PasswordSource.allCases, secretSource)
        case .connection: connection = next(connections, connection)
        case .delegatedScopes:
            if configuredDelegatedScopes != nil {
                configuredDelegatedScopes = nil  // from the config's own list to one of the guide's sets
            } else {
                minimumDelegatedScopes.toggle()
            }
        case .usesEWS: usesEWS.toggle()
        case .endEventEarly: endEventEarly.toggle()
        default: return
        }
        edited.insert(field)
    }

    /// The ways the preset's integration can connect: delegated access only where its guide has it.
    public var connections: [AppConnection] {
        Preset.named(presetID)?.delegated == nil ? AppConnection.allCases.filter { $0 != .delegatedApp } : AppConnection.allCases
    }

    /// The group kinds the target offers (Exchange Server has no Microsoft 365 groups).
    public var groupKinds: [GroupKind] {
        target == .exchangeServer ? GroupKind.allCases.filter { $0 != .microsoft365 } : GroupKind.allCases
    }

    /// The fields `answers` leaves out when their choice is not taken.
    static let unchosenFields: [FormField] = [
        .passwordFile, .passwordVariable, .clientID, .secretVariable, .secretFile, .certificateFile,
        .privateKeyFile, .groupName, .groupAlias, .members, .groupAddress, .vendorAppID, .mailboxUser, .redirectURI,
    ]

    /// Takes from `previous` the values of fields left empty here because their choice was not
    /// taken when the answers were made, and what the admin had edited.
    public mutating func keepUnchosenValues(from previous: FormState) {
        for field in Self.unchosenFields where text(field).isEmpty {
            guard let kept = previous.inputs[field], !kept.text.isEmpty else { continue }
            inputs[field] = kept
        }
        edited.formUnion(previous.edited)
    }

    /// Switches to `preset`, refilling the fields the admin has not edited with its defaults.
    public mutating func apply(_ preset: Preset) {
        presetID = preset.id
        func fill(_ field: FormField, _ value: String) {
            if !edited.contains(field) { inputs[field] = TextInput(value) }
        }
        fill(.serviceAccountName, preset.serviceAccountName)
        fill(.groupName, preset.groupName)
        fill(.scopeName, preset.scopeName)
        fill(.roles, preset.roles.map(Self.shortRoleName).joined(separator: ", "))
        if !edited.contains(.scopeKind) { scopeKind = preset.scopeKind }
        if !edited.contains(.usesEWS) { usesEWS = preset.usesEWS }
        if !preset.offersEndEventEarly { endEventEarly = false }
        if !connections.contains(connection) { connection = .newApp }
        fill(.redirectURI, preset.delegated?.redirectURI.absoluteString ?? "")
    }

    /// Splits a list typed as "a, b; c" into its items.
    static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\n" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// "Application Calendars.ReadWrite" → "Calendars.ReadWrite" (how the form shows roles).
    static func shortRoleName(_ role: String) -> String {
        role.hasPrefix("Application ") ? String(role.dropFirst("Application ".count)) : role
    }

    /// "Calendars.ReadWrite" → "Application Calendars.ReadWrite"; other text is kept as typed.
    static func fullRoleName(_ role: String) -> String {
        if role.hasPrefix("Application ") || role == "ApplicationImpersonation" { return role }
        let full = "Application " + role
        return ApplicationRole.known.contains(where: { $0.lowercased() == full.lowercased() }) ? full : role
    }
}
