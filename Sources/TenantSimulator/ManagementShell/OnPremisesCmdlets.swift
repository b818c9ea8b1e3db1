import Crypto
import Foundation
import MailscopeCore

/// A cmdlet's failure in the Exchange Management Shell (Exchange Server), as PowerShell reports it.
public struct ManagementShellError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The cmdlet that failed, e.g. `New-ManagementRoleAssignment`.
    public var cmdlet: String
    /// The message, e.g. `The operation couldn't be performed because object 'x' couldn't be found on 'DC01.contoso.com'.`
    public var message: String
    /// PowerShell's `ErrorCategory` name: `NotSpecified`, `InvalidArgument`, `ObjectNotFound`, …
    public var category: String
    /// The .NET exception type, e.g. `Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException`.
    public var exceptionType: String
    /// PowerShell's `FullyQualifiedErrorId`, e.g. `[Server=EX01] [FailureCategory=Cmdlet-ManagementObjectNotFoundException] 8C3D1A07,Get-Mailbox`.
    public var fullyQualifiedErrorId: String

    /// The exception type's last component, e.g. `ManagementObjectNotFoundException`.
    public var exceptionName: String { exceptionType.split(separator: ".").last.map(String.init) ?? exceptionType }

    /// The error as the shell prints it:
    ///
    /// ```
    /// <message>
    ///     + CategoryInfo          : NotSpecified: (:) [Get-Mailbox], ManagementObjectNotFoundException
    ///     + FullyQualifiedErrorId : …
    /// ```
    public var description: String {
        """
        \(message)
            + CategoryInfo          : \(category): (:) [\(cmdlet)], \(exceptionName)
            + FullyQualifiedErrorId : \(fullyQualifiedErrorId)
        """
    }
}

/// Exchange Server's Management Shell on the simulated organisation: the same directory, scopes and
/// RBAC propagation as Exchange Online, plus role assignments to users (`ApplicationImpersonation`,
/// which Exchange Online removed) and `New-Mailbox` with a password.
extension SimulatedTenant {
    /// The role that lets a service account act as the mailboxes in its scope through EWS.
    public static let applicationImpersonationRole = "ApplicationImpersonation"
    /// The NetBIOS name of the simulated Active Directory domain (`CONTOSO\alias`).
    public static let netBIOSDomain = "CONTOSO"
    /// The domain controller named in Exchange Server's "couldn't be found on" messages.
    static let domainController = "DC01.contoso.com"
    /// The Exchange server's name.
    static let onPremisesServer = "EX01"

    /// The cmdlets the Exchange Management Shell runs, with their parameters: Exchange Online's
    /// recipient, group and scope cmdlets, without the service-principal ones, with user role
    /// assignments and `New-Mailbox`.
    static let onPremisesCmdlets: [String: Set<String>] = {
        var table = cmdlets
        for onlineOnly in [
            "Get-UnifiedGroup", "Get-ServicePrincipal", "New-ServicePrincipal", "Remove-ServicePrincipal",
            "Test-ServicePrincipalAuthorization",
        ] {
            table.removeValue(forKey: onlineOnly)
        }
        table["New-Mailbox"] = [
            "Name", "Alias", "UserPrincipalName", "PrimarySmtpAddress", "Password", "DisplayName", "FirstName", "LastName",
            "OrganizationalUnit", "SamAccountName", "ResetPasswordOnNextLogon", "Database",
        ]
        table["Get-ManagementRoleAssignment"] = ["Identity", "RoleAssignee", "Role", "GetEffectiveUsers", "Delegating", "Enabled"]
        table["New-ManagementRoleAssignment"] = ["Name", "Role", "User", "CustomRecipientWriteScope"]
        table["Set-ManagementRoleAssignment"] = ["Identity", "CustomRecipientWriteScope", "Enabled"]
        table["Get-ManagementRoleAssignment"]?.formUnion(["AssignmentMethod", "RoleAssigneeType"])
        table["Remove-ManagementRoleAssignment"] = ["Identity"]
        table.merge(legacyAccessCmdlets) { own, _ in own }
        return table
    }()

    /// Runs `name` with `parameters` in the Exchange Management Shell of Exchange Server (the
    /// on-premises context, no token), for the EMS script interpreter. Parameter names are compared
    /// case-insensitively; switches are `true`; `-Confirm`, `-ErrorAction`, `-WarningAction`,
    /// `-Verbose` and `-Debug` are accepted and ignored. Returns the output objects as rows (the
    /// properties `Get-…` shows), or the error PowerShell would print.
    public func runManagementShellCmdlet(name: String, parameters: [String: JSONValue]) -> Result<
        [JSONValue], ManagementShellError
    > {
        guard let definition = Self.onPremisesCmdlets.first(where: { $0.key.equalsIgnoringCase(name) }) else {
            return .failure(
                shellError(
                    name,
                    .invalid(
                        "The term '\(name)' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.",
                        type: "System.Management.Automation.CommandNotFoundException")))
        }
        let invocation = CmdletInvocation(name: definition.key, parameters: parameters, onPremises: true)
        let allowed = definition.value.union(["Confirm", "ErrorAction", "WarningAction", "Verbose", "Debug"])
        if let unknown = parameters.keys.sorted().first(where: { name in !allowed.contains { $0.equalsIgnoringCase(name) } }) {
            return .failure(
                shellError(
                    definition.key,
                    .invalid(
                        "A parameter cannot be found that matches parameter name '\(unknown)'.", type: ExchangeFailure.parameterType)))
        }
        let base = servedBases.last ?? URL(string: "http://127.0.0.1:0")!
        let context = RequestContext(options: options, endpoints: SimulatorEndpoints(base: base), requestID: "", clientRequestID: "")
        do throws(ExchangeFailure) {
            var warnings: [String] = []
            switch try run(invocation, token: nil, context: context, warnings: &warnings) {
            case .rows(let rows): return .success(rows)
            case .recipients(let references): return .success(references.map(recipientRow))
            }
        } catch {
            return .failure(shellError(definition.key, error))
        }
    }

    /// An Exchange failure as the shell reports it, naming the domain controller rather than Exchange
    /// Online's server.
    private func shellError(_ cmdlet: String, _ failure: ExchangeFailure) -> ManagementShellError {
        let shortType = failure.exceptionType.split(separator: ".").last.map(String.init) ?? failure.exceptionType
        let category: String
        switch shortType {
        case "ParameterBindingException", "TaskArgumentException", "InvalidFilterException": category = "InvalidArgument"
        case "CommandNotFoundException": category = "ObjectNotFound"
        default: category = "NotSpecified"
        }
        let hex = String(Self.fingerprint(failure.exceptionType + cmdlet) & 0xFFFF_FFFF, radix: 16, uppercase: true)
        let errorID = String(repeating: "0", count: max(0, 8 - hex.count)) + hex
        let qualified =
            shortType == "CommandNotFoundException"
            ? "CommandNotFoundException"
            : "[Server=\(Self.onPremisesServer)] [FailureCategory=Cmdlet-\(shortType)] \(errorID),\(cmdlet)"
        return ManagementShellError(
            cmdlet: cmdlet,
            message: failure.message.replacingOccurrences(of: "'\(Catalog.exchangeServer)'", with: "'\(Self.domainController)'"),
            category: category, exceptionType: failure.exceptionType, fullyQualifiedErrorId: qualified)
    }

    /// The on-premises variants of cmdlets; nil for those that behave as in Exchange Online.
    func runOnPremises(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput? {
        if let output = try runLegacyAccess(cmdlet) { return output }
        switch cmdlet.name {
        case "New-Mailbox": return try newMailbox(cmdlet)
        case "Get-ManagementRole":
            let pattern = cmdlet.string("Identity") ?? "*"
            guard Self.wildcard(pattern, matches: Self.applicationImpersonationRole) else {
                if pattern.contains("*") { return .rows([]) }
                throw .notFound(pattern)
            }
            return .rows([
                [
                    "Name": .string(Self.applicationImpersonationRole), "Identity": .string(Self.applicationImpersonationRole),
                    "RoleType": "ApplicationImpersonation", "IsEndUserRole": false,
                    "Description": "This role enables applications to impersonate users in an organization in order to perform tasks on behalf of the user.",
                ]
            ])
        case "Get-ManagementRoleAssignment": return .rows(try listUserAssignments(cmdlet))
        case "New-ManagementRoleAssignment": return try newUserAssignment(cmdlet)
        case "Set-ManagementRoleAssignment":
            var assignment = try userAssignment(named: try cmdlet.required("Identity"))
            if cmdlet.value("CustomRecipientWriteScope") != nil {
                assignment.customRecipientWriteScope = try cmdlet.string("CustomRecipientWriteScope").flatMap {
                    name throws(ExchangeFailure) in name.isEmpty ? nil : try scope(named: name).name
                }
            }
            if let enabled = cmdlet.bool("Enabled") { assignment.enabled = enabled }
            beginRBACChange()
            rbac.userAssignments[assignment.name.lowercased()] = assignment
            return .rows([])
        case "Remove-ManagementRoleAssignment":
            let assignment = try userAssignment(named: try cmdlet.required("Identity"))
            beginRBACChange()
            rbac.userAssignments.removeValue(forKey: assignment.name.lowercased())
            return .rows([])
        default:
            return nil
        }
    }

    // MARK: Users

    /// A mailbox user by UPN, alias, SMTP address (primary or alias), name, DN, GUID or `DOMAIN\alias`
    /// (`CONTOSO\alias` or `contoso.com\alias`).
    func onPremisesUser(_ identity: String) throws(ExchangeFailure) -> DirectoryUser {
        var key = identity.trimmingCharacters(in: .whitespaces)
        if let slash = key.firstIndex(of: "\\") {
            let domain = key[..<slash]
            guard domain.lowercased() == Self.netBIOSDomain.lowercased() || domain.lowercased() == self.identity.defaultDomain
            else { throw .notFound(identity) }
            key = String(key[key.index(after: slash)...])
        }
        guard case .user(let id) = try resolve(key), let user = directory.users[id] else { throw .notFound(identity) }
        return user
    }

    /// The user an EWS sign-in name names: a UPN (`svc@contoso.com`, no domain) or an alias with the
    /// domain `CONTOSO` or `contoso.com` (or none). Nil when nothing matches.
    func signInUser(name: String, domain: String) -> DirectoryUser? {
        let domainKey = domain.lowercased()
        if domainKey.isEmpty, name.contains("@") { return directory.user(userPrincipalName: name) }
        guard domainKey.isEmpty || domainKey == Self.netBIOSDomain.lowercased() || domainKey == identity.defaultDomain else {
            return nil
        }
        let matches = directory.objects(nickname: name).compactMap { reference -> DirectoryUser? in
            guard case .user(let id) = reference else { return nil }
            return directory.users[id]
        }
        return matches.count == 1 ? matches[0] : nil
    }

    private func newMailbox(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput {
        let (name, alias) = try nameAndAlias(cmdlet)
        let upn = cmdlet.string("UserPrincipalName") ?? "\(alias)@\(identity.defaultDomain)"
        let primary = cmdlet.string("PrimarySmtpAddress") ?? upn
        for address in [upn, primary] {
            let parts = address.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .invalid(
                    "The email address \"\(address)\" isn't correct. Please use this format: user name, the @ sign, followed by the domain name. For example, tonysmith@contoso.com or tony.smith@contoso.com.",
                    type: "Microsoft.Exchange.Data.DataValidationException")
            }
        }
        let primaryDomain = String(primary.split(separator: "@")[1]).lowercased()
        guard [identity.defaultDomain, identity.initialDomain].contains(primaryDomain) else {
            throw .invalid("The domain '\(primaryDomain)' isn't an accepted domain for your organization.")
        }
        guard let password = cmdlet.string("Password"), !password.isEmpty else {
            throw .invalid(
                "Cannot process command because of one or more missing mandatory parameters: Password.",
                type: ExchangeFailure.parameterType)
        }
        let dn = Catalog.distinguishedName(name: name)
        if directory.isTaken(name) || directory.isTaken(dn) || !directory.objects(displayName: name).filter(directory.isRecipient).isEmpty {
            throw .alreadyExists("The name \"\(name)\" is already being used. Please try another name. (The object already exists.)")
        }
        if directory.isTaken(alias) || !directory.objects(nickname: alias).isEmpty {
            throw .alreadyExists("The alias \"\(alias)\" is already being used. Please try another alias. (The object already exists.)")
        }
        if directory.user(userPrincipalName: upn) != nil {
            throw .alreadyExists(
                "The user principal name \"\(upn)\" is already being used by another user. Please try another user principal name. (The object already exists.)")
        }
        if directory.owner(ofAddress: primary) != nil {
            throw .invalid(
                "The proxy address \"SMTP:\(primary)\" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address.",
                type: "Microsoft.Exchange.Data.Directory.ADProxyAddressExistsException")
        }
        guard Self.meetsComplexity(password) else {
            throw .invalid(
                "Active Directory operation failed on \(Self.domainController). The server is unwilling to process the request. The password does not meet the length, complexity, or history requirement of the domain.",
                type: "Microsoft.Exchange.Data.Directory.ADOperationException")
        }
        // FirstName, LastName, OrganizationalUnit, Database… are accepted; the directory keeps none of them.
        let display = cmdlet.string("DisplayName") ?? name
        let user = DirectoryUser(
            id: newGUID(), displayName: display, userPrincipalName: upn, mailNickname: alias,
            proxyAddresses: ["SMTP:\(primary)"], recipientTypeDetails: "UserMailbox", accountEnabled: true,
            distinguishedName: dn, exchangeGuid: newGUID(), createdAt: now, sequence: directory.takeSequence())
        directory.add(user)
        storePassword(password, forUser: user.id)
        return .recipients([.user(user.id)])
    }

    /// Active Directory's default complexity rule: at least 7 characters from 3 of upper case,
    /// lower case, digits and other characters.
    static func meetsComplexity(_ password: String) -> Bool {
        guard password.count >= 7 else { return false }
        var classes = 0
        if password.contains(where: \.isUppercase) { classes += 1 }
        if password.contains(where: \.isLowercase) { classes += 1 }
        if password.contains(where: \.isNumber) { classes += 1 }
        if password.contains(where: { !$0.isLetter && !$0.isNumber }) { classes += 1 }
        return classes >= 3
    }

    // MARK: Passwords

    /// Stores `password` for user `id` as Active Directory would: a salted SHA-256 and the NT hash.
    func storePassword(_ password: String, forUser id: String) {
        let salt = (0..<16).map { _ in UInt8(truncatingIfNeeded: onPremisesGenerator.next()) }
        passwords[id] = StoredPassword(
            salt: Self.hex(salt), sha256: Self.hex(Array(SHA256.hash(data: salt + Array(password.utf8)))),
            ntHash: Self.hex(NTLMCrypto.ntHash(password: password)))
    }

    /// Whether `password` is user `id`'s password (false when none was set).
    func checkPassword(_ password: String, forUser id: String) -> Bool {
        guard let stored = passwords[id], let salt = Self.bytes(hex: stored.salt), let expected = Self.bytes(hex: stored.sha256)
        else { return false }
        return NTLMCrypto.constantTimeEqual(Array(SHA256.hash(data: salt + Array(password.utf8))), expected)
    }

    /// User `id`'s NT hash, or nil when the user has no password.
    func ntHash(ofUser id: String) -> [UInt8]? { passwords[id].flatMap { Self.bytes(hex: $0.ntHash) } }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(characters.count / 2)
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let byte = UInt8(String(decoding: characters[index..<(index + 2)], as: UTF8.self), radix: 16) else {
                return nil
            }
            result.append(byte)
        }
        return result
    }

    // MARK: Role assignments to users

    private func userAssignment(named identity: String) throws(ExchangeFailure) -> UserRoleAssignment {
        if let found = rbac.userAssignments[identity.lowercased()] { return found }
        if let found = rbac.userAssignments.values.first(where: { $0.guid == identity.lowercased() }) { return found }
        throw .notFound(identity)
    }

    /// `Get-ManagementRoleAssignment` on Exchange Server: by identity, role, role assignee (its
    /// direct assignments and those of its role groups), `-AssignmentMethod` (`Direct`, `RoleGroup`),
    /// `-RoleAssigneeType`, `-Enabled`; with `-GetEffectiveUsers`, one row per user who effectively
    /// holds the assignment (`EffectiveUserName`) (Get-ManagementRoleAssignment.md).
    private func listUserAssignments(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> [JSONValue] {
        var list = rbac.userAssignments.values.sorted { $0.name < $1.name }
        if let identity = cmdlet.string("Identity") { list = [try userAssignment(named: identity)] }
        if let assignee = cmdlet.string("RoleAssignee") {
            if let group = try? roleGroup(assignee) {
                list = list.filter { $0.roleGroup?.equalsIgnoringCase(group.name) == true }
            } else {
                let held = Set(assignments(heldBy: try onPremisesUser(assignee), in: rbac).map(\.name))
                list = list.filter { held.contains($0.name) }
            }
        }
        let methods = cmdlet.strings("AssignmentMethod").map { $0.lowercased() }
        if !methods.isEmpty {
            guard cmdlet.string("RoleAssignee") != nil else {
                throw .invalid("You must specify a value with the RoleAssignee parameter if you use the AssignmentMethod parameter.")
            }
            list = list.filter { methods.contains($0.roleGroup == nil ? "direct" : "rolegroup") }
        }
        if let type = cmdlet.string("RoleAssigneeType") {
            list = list.filter { type.equalsIgnoringCase($0.roleGroup == nil ? "User" : "RoleGroup") }
        }
        if let role = cmdlet.string("Role") { list = list.filter { Self.wildcard(role, matches: $0.role) } }
        if let enabled = cmdlet.bool("Enabled") { list = list.filter { $0.enabled == enabled } }
        guard cmdlet.bool("GetEffectiveUsers") == true else { return list.map(userAssignmentRow) }
        return list.flatMap { assignment -> [JSONValue] in
            let users = assignment.roleGroup.map { rbac.roleGroups[$0.lowercased()]?.members ?? [] } ?? [assignment.user]
            return users.map { id in
                guard case .object(var row) = userAssignmentRow(assignment) else { return .null }
                row["EffectiveUserName"] = .string(directory.users[id]?.mailNickname ?? id)
                return .object(row)
            }
        }
    }

    private func userAssignmentRow(_ assignment: UserRoleAssignment) -> JSONValue {
        let user = directory.users[assignment.user]
        let assignee = assignment.roleGroup ?? user?.mailNickname ?? assignment.user
        return [
            "Name": .string(assignment.name), "Identity": .string(assignment.name), "Guid": .string(assignment.guid),
            "Role": .string(assignment.role), "RoleAssignee": .string(assignee),
            "RoleAssigneeName": .string(assignee), "RoleAssigneeType": assignment.roleGroup == nil ? "User" : "RoleGroup",
            "CustomRecipientWriteScope": assignment.customRecipientWriteScope.map(JSONValue.string) ?? .null,
            "RecipientWriteScope": assignment.customRecipientWriteScope == nil ? "Organization" : "CustomRecipientScope",
            "ConfigWriteScope": "None", "Enabled": .bool(assignment.enabled), "RoleAssignmentDelegationType": "Regular",
        ]
    }

    private func newUserAssignment(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput {
        let roleName = try cmdlet.required("Role")
        guard roleName.equalsIgnoringCase(Self.applicationImpersonationRole) else {
            if Catalog.applicationRole(named: roleName) != nil { throw .notFound(roleName) }
            throw .invalid(
                "The simulated Exchange Server assigns the ApplicationImpersonation role only; '\(roleName)' isn't modelled.")
        }
        guard cmdlet.string("User") != nil else {
            throw .invalid(
                "Cannot process command because of one or more missing mandatory parameters: User.",
                type: ExchangeFailure.parameterType)
        }
        let user = try onPremisesUser(try cmdlet.required("User"))
        let scopeName = try cmdlet.string("CustomRecipientWriteScope").map { name throws(ExchangeFailure) in
            try scope(named: name).name
        }
        let name = cmdlet.string("Name") ?? String("\(Self.applicationImpersonationRole)-\(user.mailNickname)".prefix(64))
        try Self.checkNameLength(name)
        guard !rbac.hasAssignment(named: name) else {
            throw .alreadyExists("The role assignment \"\(name)\" already exists.")
        }
        let assignment = UserRoleAssignment(
            name: name, role: Self.applicationImpersonationRole, user: user.id, customRecipientWriteScope: scopeName,
            enabled: true, guid: newGUID())
        beginRBACChange()
        rbac.userAssignments[name.lowercased()] = assignment
        return .rows([userAssignmentRow(assignment)])
    }

    // MARK: Effective ApplicationImpersonation

    /// Whether `account` may impersonate `mailbox` under the propagated RBAC state.
    func impersonation(by account: DirectoryUser, of mailbox: DirectoryUser) -> ImpersonationDecision {
        let state = propagatedRBAC
        let assignments = assignments(heldBy: account, in: state).filter {
            $0.enabled && $0.role.equalsIgnoringCase(Self.applicationImpersonationRole)
        }
        guard !assignments.isEmpty else { return .noRole }
        let covered = assignments.contains { assignment in
            guard let scopeName = assignment.customRecipientWriteScope else { return true }
            guard let scope = state.scopes[scopeName.lowercased()] else { return false }
            return self.scope(scope, contains: mailbox, in: state)
        }
        return covered ? .allowed : .outOfScope
    }
}

/// The outcome of an `ApplicationImpersonation` check.
enum ImpersonationDecision: Equatable {
    /// An assignment covers the mailbox.
    case allowed
    /// The account has no (propagated, enabled) `ApplicationImpersonation` assignment: `ErrorImpersonationDenied`.
    case noRole
    /// It has one, but no assignment's scope contains the mailbox: `ErrorImpersonateUserDenied`.
    case outOfScope
}

// MARK: Inspection and fixtures

extension SimulatedTenant {
    /// Exchange Server role assignments to users (live).
    public func userRoleAssignments() -> [UserRoleAssignment] {
        rbac.userAssignments.values.sorted { $0.name < $1.name }
    }

    /// Sets (or replaces) the sign-in password of the user `identity` (UPN, alias or address), for
    /// EWS on Exchange Server. Pre-populated users have none and cannot sign in until one is set.
    public func setPassword(user identity: String, password: String) throws(SimulatorError) {
        guard let user = directory.user(userPrincipalName: identity) ?? mailboxUser(identity) else {
            throw .notFound(identity)
        }
        storePassword(password, forUser: user.id)
    }

    /// Whether the user `identity` has a sign-in password.
    public func hasPassword(user identity: String) -> Bool {
        guard let user = directory.user(userPrincipalName: identity) ?? mailboxUser(identity) else { return false }
        return passwords[user.id] != nil
    }

    /// Whether `account` may impersonate `mailbox` through EWS right now (the propagated RBAC state),
    /// exactly as an EWS request with an `ExchangeImpersonation` header would be decided.
    public func canImpersonate(account: String, mailbox: String) -> Bool {
        guard let caller = directory.user(userPrincipalName: account) ?? mailboxUser(account),
            let target = mailboxUser(mailbox), target.recipientTypeDetails != nil
        else { return false }
        return impersonation(by: caller, of: target) == .allowed
    }
}
