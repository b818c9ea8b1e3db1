@testable import TenantSimulator

/// One cmdlet call the fake Exchange received.
struct Call: Equatable, CustomStringConvertible {
    /// The cmdlet name as spelled in the script.
    var name: String
    /// The parameters as the runner received them.
    var parameters: [String: ShellValue]

    /// The call on one line, for failure messages.
    var description: String {
        name + " " + parameters.keys.sorted().map { "-\($0) \(parameters[$0]!)" }.joined(separator: " ")
    }
}

/// A dictionary-backed, in-memory Exchange: mailboxes, distribution groups, management scopes and role
/// assignments, recording every cmdlet call.
actor FakeExchange {
    /// Mailboxes by lowercased name, alias, UPN and SMTP address.
    private(set) var mailboxes: [String: [String: ShellValue]] = [:]
    /// Distribution groups by lowercased name, alias and SMTP address.
    private(set) var groups: [String: [String: ShellValue]] = [:]
    /// Management scopes by lowercased name.
    private(set) var scopes: [String: [String: ShellValue]] = [:]
    /// Management role assignments by lowercased name.
    private(set) var assignments: [String: [String: ShellValue]] = [:]
    /// Every call received, in order.
    private(set) var calls: [Call] = []

    /// Adds a distribution group directly (as if created earlier).
    func addGroup(name: String, alias: String, smtp: String) {
        let group: [String: ShellValue] = [
            "Name": .string(name), "Alias": .string(alias), "PrimarySmtpAddress": .string(smtp),
            "Identity": .string(name), "DistinguishedName": .string("CN=\(name),OU=Groups,DC=contoso,DC=com"),
            "Members": .array([]),
        ]
        for key in [name, alias, smtp] { groups[key.lowercased()] = group }
    }

    /// Adds a management scope directly.
    func addScope(name: String, filter: String) {
        scopes[name.lowercased()] = ["Name": .string(name), "Identity": .string(name),
                                     "RecipientRestrictionFilter": .string(filter)]
    }

    /// Adds a role assignment directly.
    func addAssignment(name: String, role: String, user: String, scope: String? = nil) {
        var assignment: [String: ShellValue] = ["Name": .string(name), "Identity": .string(name),
                                                "Role": .string(role), "RoleAssignee": .string(user)]
        if let scope { assignment["CustomRecipientWriteScope"] = .string(scope) }
        assignments[name.lowercased()] = assignment
    }

    /// Runs a cmdlet, as the interpreter's `CmdletRunner`.
    func run(_ name: String, _ parameters: [String: ShellValue]) throws -> [ShellValue] {
        calls.append(Call(name: name, parameters: parameters))
        func text(_ key: String) -> String? {
            guard let entry = parameters.first(where: { $0.key.lowercased() == key.lowercased() }) else { return nil }
            switch entry.value {
            case .string(let value): return value
            case .object(let object): if case .string(let identity)? = object["Identity"] { return identity }
            default: break
            }
            return nil
        }
        func notFound(_ identity: String) -> ShellCmdletError {
            ShellCmdletError(message: "The operation couldn't be performed because object '\(identity)' couldn't be "
                             + "found on 'DC1.contoso.com'.", category: "ManagementObjectNotFoundException",
                             isNotFound: true)
        }
        switch name.lowercased() {
        case "new-mailbox":
            let mailboxName = text("Name") ?? ""
            let mailbox: [String: ShellValue] = [
                "Name": .string(mailboxName), "Alias": .string(text("Alias") ?? ""),
                "PrimarySmtpAddress": .string(text("PrimarySmtpAddress") ?? ""), "Identity": .string(mailboxName),
            ]
            if mailboxes[mailboxName.lowercased()] != nil {
                throw ShellCmdletError(message: "The mailbox \"\(mailboxName)\" already exists.")
            }
            for key in [mailboxName, text("Alias"), text("UserPrincipalName"), text("PrimarySmtpAddress")] {
                if let key { mailboxes[key.lowercased()] = mailbox }
            }
            return [.object(mailbox)]
        case "get-mailbox":
            let identity = text("Identity") ?? ""
            guard let mailbox = mailboxes[identity.lowercased()] else { throw notFound(identity) }
            return [.object(mailbox)]
        case "new-distributiongroup":
            let groupName = text("Name") ?? ""
            addGroup(name: groupName, alias: text("Alias") ?? groupName, smtp: text("PrimarySmtpAddress") ?? "")
            var group = groups[groupName.lowercased()]!
            group["Members"] = parameters["Members"] ?? .array([])
            for key in [groupName, text("Alias"), text("PrimarySmtpAddress")] {
                if let key { groups[key.lowercased()] = group }
            }
            return [.object(group)]
        case "get-distributiongroup":
            let identity = text("Identity") ?? ""
            guard let group = groups[identity.lowercased()] else { throw notFound(identity) }
            return [.object(group)]
        case "add-distributiongroupmember":
            let identity = text("Identity") ?? ""
            guard groups[identity.lowercased()] != nil else { throw notFound(identity) }
            return []
        case "get-managementscope":
            let identity = text("Identity") ?? ""
            guard let scope = scopes[identity.lowercased()] else { throw notFound(identity) }
            return [.object(scope)]
        case "new-managementscope":
            let scopeName = text("Name") ?? ""
            guard scopes[scopeName.lowercased()] == nil else {
                throw ShellCmdletError(message: "The management scope \"\(scopeName)\" already exists.")
            }
            addScope(name: scopeName, filter: text("RecipientRestrictionFilter") ?? "")
            return [.object(scopes[scopeName.lowercased()]!)]
        case "set-managementscope":
            let identity = text("Identity") ?? ""
            guard scopes[identity.lowercased()] != nil else { throw notFound(identity) }
            scopes[identity.lowercased()]?["RecipientRestrictionFilter"] = parameters["RecipientRestrictionFilter"]
            return []
        case "get-managementroleassignment":
            if let identity = text("Identity") {
                guard let assignment = assignments[identity.lowercased()] else { throw notFound(identity) }
                return [.object(assignment)]
            }
            let role = text("Role")?.lowercased()
            let assignee = text("RoleAssignee")?.lowercased()
            return assignments.keys.sorted().compactMap { key in
                let assignment = assignments[key]!
                if let role, case .string(let value)? = assignment["Role"], value.lowercased() != role { return nil }
                if let assignee, case .string(let value)? = assignment["RoleAssignee"], value.lowercased() != assignee {
                    return nil
                }
                return .object(assignment)
            }
        case "new-managementroleassignment":
            let assignmentName = text("Name") ?? ""
            guard assignments[assignmentName.lowercased()] == nil else {
                throw ShellCmdletError(message: "The role assignment \"\(assignmentName)\" already exists.")
            }
            addAssignment(name: assignmentName, role: text("Role") ?? "", user: text("User") ?? "",
                          scope: text("CustomRecipientWriteScope"))
            return [.object(assignments[assignmentName.lowercased()]!)]
        case "remove-managementroleassignment":
            let identity = text("Identity") ?? ""
            guard assignments.removeValue(forKey: identity.lowercased()) != nil else { throw notFound(identity) }
            return []
        case "set-managementroleassignment":
            let identity = text("Identity") ?? ""
            guard assignments[identity.lowercased()] != nil else { throw notFound(identity) }
            assignments[identity.lowercased()]?["CustomRecipientWriteScope"] = parameters["CustomRecipientWriteScope"]
            return []
        default:
            throw ShellCmdletError(message: "The term '\(name)' is not recognized as the name of a cmdlet.",
                                   category: "CommandNotFoundException")
        }
    }

    /// A `CmdletRunner` backed by this fake.
    nonisolated var runner: CmdletRunner {
        { name, parameters in try await self.run(name, parameters) }
    }
}

/// Parses and runs `script` against `exchange`; returns the transcript and the calls the script made.
func run(_ script: String, input: [String] = [], on exchange: FakeExchange = FakeExchange()) async throws
    -> (ShellTranscript, [Call]) {
    let before = await exchange.calls.count
    let transcript = try await ManagementShellScript(script).run(input: input, cmdlets: exchange.runner)
    return (transcript, Array(await exchange.calls[before...]))
}
