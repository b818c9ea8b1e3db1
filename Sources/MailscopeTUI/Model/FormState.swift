import Foundation
import MailscopeEngine

/// The form's answers as the admin edits them: choices as values, free text as inputs.
public struct FormState: Sendable, Equatable {
    /// The chosen preset's key.
    public var presetID: String
    /// The chosen sign-in method.
    public var signIn: SignInMethod
    /// The chosen scope kind.
    public var scopeKind: ScopeKind
    /// The chosen group kind.
    public var groupKind: GroupKind
    /// The free-text fields.
    public var inputs: [FormField: TextInput]
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
        presetID = answers.presetID
        signIn = answers.signIn
        scopeKind = answers.scopeKind
        groupKind = answers.groupKind
        inputs = [
            .tenant: TextInput(answers.tenant),
            .serviceAccountName: TextInput(answers.serviceAccountName),
            .groupName: TextInput(answers.groupName),
            .members: TextInput(answers.members.joined(separator: ", ")),
            .scopeName: TextInput(answers.scopeName),
            .roles: TextInput(answers.roles.map(Self.shortRoleName).joined(separator: ", ")),
        ]
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
            members: scopeKind == .group ? Self.list(text(.members)) : [],
            scopeKind: scopeKind,
            scopeName: text(.scopeName),
            roles: Self.list(text(.roles)).map(Self.fullRoleName)
        )
    }

    /// The text of a free-text field.
    public func text(_ field: FormField) -> String { inputs[field]?.text ?? "" }

    /// Whether `field` applies to the current answers (group fields do not for a rooms scope).
    public func isApplicable(_ field: FormField) -> Bool {
        switch field {
        case .groupName, .groupKind, .members: scopeKind == .group
        default: true
        }
    }

    /// The fields of `page` that apply, in focus order.
    public func fields(on page: FormPage) -> [FormField] { page.fields.filter(isApplicable) }

    /// What is wrong with `field`'s value, if anything (using the engine's `FieldRules`).
    public func error(for field: FormField) -> FieldError? {
        guard isApplicable(field) else { return nil }
        let answers = answers
        switch field {
        case .preset, .signIn, .scopeKind, .groupKind: return nil
        case .tenant: return FieldRules.tenant(text(.tenant), field: "tenant")
        case .serviceAccountName:
            return FieldRules.displayName(text(.serviceAccountName), field: "service account name")
        case .groupName:
            return FieldRules.displayName(text(.groupName), field: "group name", maximumLength: 64)
                ?? FieldRules.alias(
                    text(.groupName).filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") },
                    field: "group alias"
                )
        case .members:
            if answers.members.isEmpty {
                return FieldError(
                    field: "members",
                    message: "is empty; list the mailboxes (users and rooms) the app may reach"
                )
            }
            for member in answers.members {
                if let error = FieldRules.address(member, field: "members") { return error }
            }
            return nil
        case .scopeName: return FieldRules.exchangeName(text(.scopeName), field: "scope name")
        case .roles: return FieldRules.roles(answers.roles, field: "roles")
        }
    }

    /// Whether `field` is empty and not yet touched: shown as "required" rather than invalid.
    public func isPristineAndEmpty(_ field: FormField) -> Bool {
        !field.isChoice && text(field).trimmingCharacters(in: .whitespaces).isEmpty && !touched.contains(field)
    }

    /// The first field on `page` or an earlier page that is invalid.
    public func firstInvalidField(through page: FormPage) -> FormField? {
        FormPage.allCases.filter { $0 <= page }.flatMap(fields(on:)).first { error(for: $0) != nil }
    }

    /// The value shown for a choice field.
    public func choiceTitle(_ field: FormField) -> String {
        switch field {
        case .preset: Preset.named(presetID)?.displayName ?? presetID
        case .signIn: signIn.title
        case .scopeKind: scopeKind.title
        case .groupKind: groupKind.title
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
        case .groupKind: groupKind = next(GroupKind.allCases, groupKind)
        default: return
        }
        edited.insert(field)
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
