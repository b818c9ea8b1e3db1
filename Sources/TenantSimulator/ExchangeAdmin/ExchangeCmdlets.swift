import Foundation
import MailscopeCore

/// The cmdlets the simulated Exchange runs, with the parameters each accepts.
extension SimulatedTenant {
    static let cmdlets: [String: Set<String>] = [
        "Get-DistributionGroup": ["Identity", "ResultSize"],
        "New-DistributionGroup": [
            "Name", "Alias", "DisplayName", "Type", "PrimarySmtpAddress", "Members", "Notes", "ManagedBy",
            "MemberJoinRestriction", "MemberDepartRestriction", "RequireSenderAuthenticationEnabled",
        ],
        "Get-UnifiedGroup": ["Identity", "ResultSize"],
        "Get-DistributionGroupMember": ["Identity", "ResultSize"],
        "Add-DistributionGroupMember": ["Identity", "Member", "BypassSecurityGroupManagerCheck"],
        "Remove-DistributionGroupMember": ["Identity", "Member", "BypassSecurityGroupManagerCheck"],
        "Get-Recipient": ["Identity", "ResultSize", "RecipientTypeDetails", "Filter", "RecipientPreviewFilter"],
        "Get-Mailbox": ["Identity", "ResultSize", "RecipientTypeDetails", "Filter"],
        "Get-ServicePrincipal": ["Identity"],
        "New-ServicePrincipal": ["AppId", "ObjectId", "ServiceId", "DisplayName"],
        "Remove-ServicePrincipal": ["Identity"],
        "Get-ManagementScope": ["Identity"],
        "New-ManagementScope": ["Name", "RecipientRestrictionFilter", "Exclusive", "RecipientRoot", "Force"],
        "Set-ManagementScope": ["Identity", "RecipientRestrictionFilter", "Name", "Force"],
        "Remove-ManagementScope": ["Identity", "Force"],
        "Get-ManagementRole": ["Identity", "RoleType"],
        "Get-ManagementRoleAssignment": ["Identity", "RoleAssignee", "Role", "GetEffectiveUsers", "Delegating"],
        "New-ManagementRoleAssignment": [
            "Name", "Role", "App", "User", "CustomResourceScope", "CustomRecipientWriteScope", "RecipientGroupScope",
            "RecipientAdministrativeUnitScope",
        ],
        "Set-ManagementRoleAssignment": ["Identity", "CustomResourceScope", "Enabled"],
        "Remove-ManagementRoleAssignment": ["Identity"],
        "Test-ServicePrincipalAuthorization": ["Identity", "Resource"],
        // office-docs-powershell exchange/exchange-ps/ExchangePowerShell/Get-OrganizationConfig.md;
        // the switch is named on Set-OrganizationConfig.md (-EwsAllowedAppIDs).
        "Get-OrganizationConfig": ["RetrieveEwsOperationAccessPolicy"],
        // office-docs-powershell exchange/exchange-ps/ExchangePowerShell/Set-OrganizationConfig.md (EWS parameters).
        "Set-OrganizationConfig": ["EwsEnabled", "EwsAllowedAppIDs"],
    ].merging(accessPolicyCmdlets) { own, _ in own }.merging(mailboxPermissionCmdlets) { own, _ in own }

    /// Runs `cmdlet` as Exchange Online (`InvokeCommand`) or, when `cmdlet.onPremises`, as the
    /// Exchange Management Shell of Exchange Server (see `OnPremisesCmdlets.swift`).
    func run(_ cmdlet: CmdletInvocation, token: AccessTokenClaims?, context: RequestContext, warnings: inout [String])
        throws(ExchangeFailure) -> CmdletOutput
    {
        if cmdlet.onPremises, let output = try runOnPremises(cmdlet) { return output }
        switch cmdlet.name {
        case "Get-DistributionGroup":
            return try listGroups(cmdlet, kinds: [.distribution, .mailEnabledSecurity], warnings: &warnings)
        case "Get-UnifiedGroup":
            return try listGroups(cmdlet, kinds: [.microsoft365], warnings: &warnings)
        case "New-DistributionGroup": return try newDistributionGroup(cmdlet)
        case "Get-DistributionGroupMember":
            let group = try distributionGroup(cmdlet.required("Identity"))
            let members = (rbac.memberships[group.id]?.ordered ?? []).filter(directory.isRecipient)
            return .recipients(try limit(members, cmdlet, warnings: &warnings))
        case "Add-DistributionGroupMember", "Remove-DistributionGroupMember":
            return try changeMember(cmdlet, adding: cmdlet.name.hasPrefix("Add"))
        case "Get-Recipient":
            return try listRecipients(cmdlet, mailboxesOnly: false, warnings: &warnings)
        case "Get-Mailbox":
            return try listRecipients(cmdlet, mailboxesOnly: true, warnings: &warnings)
        case "Get-ServicePrincipal":
            if let identity = cmdlet.optionalIdentity {
                return .rows([servicePrincipalRow(try exchangeServicePrincipal(identity))])
            }
            return .rows(rbac.servicePrincipals.values.sorted { $0.displayName < $1.displayName }.map(servicePrincipalRow))
        case "New-ServicePrincipal": return try newServicePrincipal(cmdlet, context: context)
        case "Remove-ServicePrincipal":
            let pointer = try exchangeServicePrincipal(try cmdlet.required("Identity"))
            beginRBACChange()
            rbac.servicePrincipals.removeValue(forKey: pointer.objectId)
            for (key, assignment) in rbac.assignments where assignment.app == pointer.objectId {
                rbac.assignments.removeValue(forKey: key)
            }
            return .rows([])
        case "Get-ManagementScope":
            if let identity = cmdlet.string("Identity") { return .rows([scopeRow(try scope(named: identity))]) }
            return .rows(rbac.scopes.values.sorted { $0.name < $1.name }.map(scopeRow))
        case "New-ManagementScope", "Set-ManagementScope": return try saveScope(cmdlet)
        case "Remove-ManagementScope":
            let found = try scope(named: try cmdlet.required("Identity"))
            let referencing =
                rbac.assignments.values.filter { $0.customResourceScope?.equalsIgnoringCase(found.name) ?? false }.map(\.name)
                + rbac.userAssignments.values.filter {
                    $0.customRecipientWriteScope?.equalsIgnoringCase(found.name) ?? false
                }.map(\.name)
            if let user = referencing.sorted().first {
                throw .invalid(
                    "Management scope \"\(found.name)\" can't be removed because it's referenced by the management role assignment \"\(user)\".")
            }
            beginRBACChange()
            rbac.scopes.removeValue(forKey: found.name.lowercased())
            return .rows([])
        case "Get-ManagementRole":
            let pattern = cmdlet.string("Identity") ?? "*"
            let roles = Catalog.applicationRoles.filter { Self.wildcard(pattern, matches: $0.name) }
            if roles.isEmpty, !pattern.contains("*") { throw .notFound(pattern) }
            return .rows(
                roles.map { role in
                    [
                        "Name": .string(role.name), "Identity": .string(role.name), "RoleType": "ApplicationPermission",
                        "IsEndUserRole": false,
                        "Description": .string("Grants \(role.permissions.joined(separator: ", ")) to applications."),
                    ]
                })
        case "Get-ManagementRoleAssignment": return try listAssignments(cmdlet)
        case "New-ManagementRoleAssignment": return try newAssignment(cmdlet)
        case "Set-ManagementRoleAssignment":
            var assignment = try assignment(named: try cmdlet.required("Identity"))
            if cmdlet.value("CustomResourceScope") != nil {
                let scopeName = cmdlet.string("CustomResourceScope")
                assignment.customResourceScope = try scopeName.map { name throws(ExchangeFailure) in try scope(named: name).name }
            }
            if let enabled = cmdlet.bool("Enabled") { assignment.enabled = enabled }
            beginRBACChange()
            rbac.assignments[assignment.name.lowercased()] = assignment
            return .rows([])
        case "Remove-ManagementRoleAssignment":
            let assignment = try assignment(named: try cmdlet.required("Identity"))
            beginRBACChange()
            rbac.assignments.removeValue(forKey: assignment.name.lowercased())
            return .rows([])
        case "Test-ServicePrincipalAuthorization": return try testAuthorization(cmdlet)
        case "Get-ApplicationAccessPolicy", "New-ApplicationAccessPolicy", "Remove-ApplicationAccessPolicy",
            "Test-ApplicationAccessPolicy":
            return try runAccessPolicyCmdlet(cmdlet)
        case "Get-MailboxPermission", "Add-MailboxPermission", "Remove-MailboxPermission":
            return try runLegacyAccess(cmdlet) ?? .rows([])
        default:
            if let output = try runOrganizationConfig(cmdlet) { return output }
            throw .invalid("The term '\(cmdlet.name)' is not recognized as a name of a cmdlet.")
        }
    }

    // MARK: Recipients and groups

    /// Applies `ResultSize` (default 1000, `Unlimited` for all), warning when results were cut.
    private func limit<T>(_ items: [T], _ cmdlet: CmdletInvocation, warnings: inout [String]) throws(ExchangeFailure) -> [T] {
        let requested = cmdlet.string("ResultSize")
        if requested?.equalsIgnoringCase("Unlimited") == true { return items }
        var size = 1000
        if let requested {
            guard let value = Int(requested), value > 0 else {
                throw .invalid(
                    "Cannot bind parameter 'ResultSize'. Cannot convert value \"\(requested)\" to type \"Microsoft.Exchange.Data.Unlimited`1[System.UInt32]\".",
                    type: ExchangeFailure.parameterType)
            }
            size = value
        }
        if items.count > size {
            if requested == nil {
                warnings.append(
                    "There are more results available than are currently displayed. To view them, increase the value for the ResultSize parameter.")
            }
            return Array(items.prefix(size))
        }
        return items
    }

    func resolve(_ identity: String) throws(ExchangeFailure) -> DirectoryObjectReference {
        switch directory.recipient(identity: identity) {
        case .found(let reference): return reference
        case .notFound: throw .notFound(identity)
        case .ambiguous: throw .ambiguous(identity)
        }
    }

    /// A distribution list or mail-enabled security group by any identity.
    private func distributionGroup(_ identity: String) throws(ExchangeFailure) -> DirectoryGroup {
        guard case .group(let id) = try resolve(identity), let group = directory.groups[id],
            group.kind == .distribution || group.kind == .mailEnabledSecurity
        else { throw .notFound(identity) }
        return group
    }

    private func listGroups(_ cmdlet: CmdletInvocation, kinds: Set<GroupKind>, warnings: inout [String])
        throws(ExchangeFailure) -> CmdletOutput
    {
        if let identity = cmdlet.optionalIdentity {
            guard case .group(let id) = try resolve(identity), let group = directory.groups[id], kinds.contains(group.kind) else {
                throw .notFound(identity)
            }
            return .recipients([.group(group.id)])
        }
        let all = directory.groupOrder.filter { directory.groups[$0].map { kinds.contains($0.kind) } ?? false }
            .map(DirectoryObjectReference.group)
        return .recipients(try limit(all, cmdlet, warnings: &warnings))
    }

    private func listRecipients(_ cmdlet: CmdletInvocation, mailboxesOnly: Bool, warnings: inout [String])
        throws(ExchangeFailure) -> CmdletOutput
    {
        if let identity = cmdlet.string("Identity") {
            let reference = try resolve(identity)
            if mailboxesOnly, Self.userID(reference) == nil { throw .notFound(identity) }
            return .recipients([reference])
        }
        let types = cmdlet.strings("RecipientTypeDetails").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        for type in types where !Catalog.recipientTypeDetails.contains(where: { $0.equalsIgnoringCase(type) }) {
            throw .invalid(
                "Cannot bind parameter 'RecipientTypeDetails'. Cannot convert value \"\(type)\" to type \"Microsoft.Exchange.Data.Directory.Recipient.RecipientTypeDetails\".",
                type: ExchangeFailure.parameterType)
        }
        var candidates: [DirectoryObjectReference]
        if types.count == 1, types[0].equalsIgnoringCase("RoomMailbox") {
            candidates = directory.roomOrder.map(DirectoryObjectReference.user)
        } else {
            candidates = directory.mailboxOrder.map(DirectoryObjectReference.user)
            if !mailboxesOnly {
                candidates += directory.groupOrder.filter { directory.groups[$0]?.kind.isMailEnabled ?? false }
                    .map(DirectoryObjectReference.group)
            }
            if !types.isEmpty {
                candidates = candidates.filter { reference in
                    let type = recipientTypeDetails(reference)
                    return types.contains { type?.equalsIgnoringCase($0) ?? false }
                }
            }
        }
        if let text = cmdlet.string("Filter") ?? cmdlet.string("RecipientPreviewFilter") {
            let filter = try recipientFilter(text)
            candidates = candidates.filter { reference in
                filter.matches(recipientTypeDetails: recipientTypeDetails(reference)) { dn in
                    guard let group = directory.group(distinguishedName: dn) else { return false }
                    return rbac.memberships[group.id]?.contains(reference.id) ?? false
                }
            }
        }
        return .recipients(try limit(candidates, cmdlet, warnings: &warnings))
    }

    private func recipientTypeDetails(_ reference: DirectoryObjectReference) -> String? {
        switch reference {
        case .user(let id): directory.users[id]?.recipientTypeDetails
        case .group(let id): directory.groups[id]?.recipientTypeDetails
        }
    }

    /// One recipient as `Get-Recipient`/`Get-Mailbox`/`Get-DistributionGroup(Member)` show it.
    func recipientRow(_ reference: DirectoryObjectReference) -> JSONValue {
        switch reference {
        case .user(let id):
            guard let user = directory.users[id] else { return [:] }
            return [
                "Name": .string(user.mailNickname), "Identity": .string(user.mailNickname),
                "Alias": .string(user.mailNickname), "DisplayName": .string(user.displayName),
                "PrimarySmtpAddress": .string(user.primarySmtpAddress ?? ""),
                "UserPrincipalName": .string(user.userPrincipalName),
                "RecipientType": "UserMailbox", "RecipientTypeDetails": .string(user.recipientTypeDetails ?? "User"),
                "EmailAddresses": .array(user.proxyAddresses.map(JSONValue.string)),
                "ExternalDirectoryObjectId": .string(user.id),
                "DistinguishedName": .string(user.distinguishedName ?? ""), "Guid": .string(user.exchangeGuid),
            ]
        case .group(let id):
            guard let group = directory.groups[id] else { return [:] }
            return [
                "Name": .string(group.name), "Identity": .string(group.name), "Alias": .string(group.mailNickname),
                "DisplayName": .string(group.displayName), "PrimarySmtpAddress": .string(group.primarySmtpAddress ?? ""),
                "RecipientType": .string(
                    group.kind == .mailEnabledSecurity ? "MailUniversalSecurityGroup" : "MailUniversalDistributionGroup"),
                "RecipientTypeDetails": .string(group.recipientTypeDetails ?? ""),
                "GroupType": .string(group.kind == .mailEnabledSecurity ? "Universal, SecurityEnabled" : "Universal"),
                "EmailAddresses": .array(group.proxyAddresses.map(JSONValue.string)),
                "ExternalDirectoryObjectId": .string(group.id),
                "DistinguishedName": .string(group.distinguishedName ?? ""), "Guid": .string(group.exchangeGuid),
                "ManagedBy": [], "Notes": group.description.map(JSONValue.string) ?? .null,
            ]
        }
    }

    /// Exchange's limit on names (recipients, role assignments): 64 characters.
    static func checkNameLength(_ name: String) throws(ExchangeFailure) {
        guard name.count <= 64 else {
            throw .invalid(
                "The length of the property is too long. The maximum length is 64 and the length of the value provided is \(name.count).",
                type: "Microsoft.Exchange.Data.DataValidationException")
        }
    }

    /// `-Name` (at most 64 characters) and `-Alias` (or one made from the name), as Exchange checks
    /// them when it creates a recipient.
    func nameAndAlias(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> (name: String, alias: String) {
        let name = try cmdlet.required("Name")
        try Self.checkNameLength(name)
        let alias =
            cmdlet.string("Alias")
            ?? String(name.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) })
        guard Self.isValidAlias(alias) else {
            throw .invalid(
                "The alias \"\(alias)\" isn't valid. An alias can contain letters, numbers and the characters ! # $ % & ' * + - / = ? ^ _ ` { | } ~ and periods that are not at the start or end.",
                type: "Microsoft.Exchange.Data.DataValidationException")
        }
        return (name, alias)
    }

    func newDistributionGroup(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput {
        let (name, alias) = try nameAndAlias(cmdlet)
        let type = cmdlet.string("Type") ?? "Distribution"
        let kind: GroupKind
        switch type.lowercased() {
        case "distribution": kind = .distribution
        case "security": kind = .mailEnabledSecurity
        default:
            throw .invalid(
                "Cannot bind parameter 'Type'. Cannot convert value \"\(type)\" to type \"Microsoft.Exchange.Data.Directory.Recipient.GroupType\".",
                type: ExchangeFailure.parameterType)
        }
        let primary = cmdlet.string("PrimarySmtpAddress") ?? "\(alias)@\(identity.defaultDomain)"
        let parts = primary.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw .invalid(
                "The email address \"\(primary)\" isn't correct. Please use this format: user name, the @ sign, followed by the domain name. For example, tonysmith@contoso.com or tony.smith@contoso.com.",
                type: "Microsoft.Exchange.Data.DataValidationException")
        }
        guard [identity.defaultDomain, identity.initialDomain].contains(parts[1].lowercased()) else {
            throw .invalid("The domain '\(parts[1])' isn't an accepted domain for your organization.")
        }
        let display = cmdlet.string("DisplayName") ?? name
        if directory.isTaken(name) {
            throw .alreadyExists("The name \"\(name)\" is already being used. Please try another name. (The object already exists.)")
        }
        let initialAddress = "\(alias)@\(identity.initialDomain)"
        for address in [primary, initialAddress] where directory.owner(ofAddress: address) != nil {
            throw .invalid(
                "The proxy address \"SMTP:\(address)\" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address.",
                type: "Microsoft.Exchange.Data.Directory.ADProxyAddressExistsException")
        }
        if directory.isTaken(alias) {
            throw .alreadyExists("The alias \"\(alias)\" is already being used. Please try another alias. (The object already exists.)")
        }
        var members: [DirectoryObjectReference] = []
        for member in cmdlet.strings("Members") { members.append(try resolve(member)) }
        let id = newGUID()
        let group = DirectoryGroup(
            id: id, displayName: display, name: name, mailNickname: alias, kind: kind,
            proxyAddresses: ["SMTP:\(primary)"] + (primary.lowercased() == initialAddress.lowercased() ? [] : ["smtp:\(initialAddress)"]),
            distinguishedName: Catalog.distinguishedName(name: name), exchangeGuid: newGUID(),
            description: cmdlet.string("Notes"), createdAt: now, sequence: directory.takeSequence())
        directory.add(group)
        var list = MemberList()
        for member in members { list.insert(member) }
        rbac.memberships[id] = list
        return .recipients([.group(id)])
    }

    /// Whether `alias` is a valid Exchange alias.
    static func isValidAlias(_ alias: String) -> Bool {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-/=?^_`{|}~."))
        return !alias.isEmpty && alias.count <= 64 && !alias.hasPrefix(".") && !alias.hasSuffix(".")
            && alias.unicodeScalars.allSatisfy { $0.isASCII && allowed.contains($0) }
    }

    private func changeMember(_ cmdlet: CmdletInvocation, adding: Bool) throws(ExchangeFailure) -> CmdletOutput {
        let group = try distributionGroup(try cmdlet.required("Identity"))
        let memberIdentity = try cmdlet.required("Member")
        let member = try resolve(memberIdentity)
        if group.kind == .mailEnabledSecurity, cmdlet.bool("BypassSecurityGroupManagerCheck") != true {
            throw .invalid(
                "You don't have sufficient permissions. This operation can only be performed by a manager of the group.",
                type: "Microsoft.Exchange.Configuration.Tasks.OperationRequiresGroupManagerException")
        }
        if adding {
            guard member.id != group.id else { throw .invalid("A group can't be a member of itself.") }
            guard insertMember(member, into: group.id) else {
                throw .invalid(
                    "The recipient \"\(memberIdentity)\" is already a member of the group \"\(group.name)\".",
                    type: "Microsoft.Exchange.Management.Tasks.MemberAlreadyExistsException")
            }
        } else {
            guard deleteMember(member.id, from: group.id) else {
                throw .invalid(
                    "The recipient \"\(memberIdentity)\" isn't a member of the group \"\(group.name)\".",
                    type: "Microsoft.Exchange.Management.Tasks.MemberNotFoundException")
            }
        }
        return .rows([])
    }

    // MARK: Service principal pointers

    func exchangeServicePrincipal(_ identity: String) throws(ExchangeFailure) -> ExchangeServicePrincipal {
        let key = identity.lowercased()
        if let pointer = rbac.servicePrincipals[key] { return pointer }
        let matches = rbac.servicePrincipals.values.filter {
            $0.appId.lowercased() == key || $0.displayName.lowercased() == key
        }
        guard matches.count <= 1 else { throw .ambiguous(identity) }
        guard let pointer = matches.first else { throw .notFound(identity) }
        return pointer
    }

    private func servicePrincipalRow(_ pointer: ExchangeServicePrincipal) -> JSONValue {
        [
            "AppId": .string(pointer.appId), "ObjectId": .string(pointer.objectId),
            "DisplayName": .string(pointer.displayName), "Identity": .string(pointer.objectId),
            "Name": .string(pointer.objectId),
        ]
    }

    private func newServicePrincipal(_ cmdlet: CmdletInvocation, context: RequestContext) throws(ExchangeFailure)
        -> CmdletOutput
    {
        let appID = try cmdlet.required("AppId").lowercased()
        guard let objectID = (cmdlet.string("ObjectId") ?? cmdlet.string("ServiceId"))?.lowercased(), !objectID.isEmpty else {
            throw .invalid(
                "Cannot process command because of one or more missing mandatory parameters: ObjectId.",
                type: ExchangeFailure.parameterType)
        }
        let lag = context.options.replicationLag
        guard let entra = registry.servicePrincipals[objectID], entra.appId.lowercased() == appID,
            isReplicated(entra.createdAt, lag: lag)
        else {
            let hint =
                registry.application(appID: appID)?.id == objectID
                ? " The ObjectId is the application registration's object id; use the Enterprise application (service principal) object id."
                : ""
            throw .invalid(
                "The service principal with ObjectId '\(objectID)' and AppId '\(appID)' wasn't found in Microsoft Entra ID.\(hint)",
                type: "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException")
        }
        if rbac.servicePrincipals[objectID] != nil || rbac.servicePrincipals.values.contains(where: { $0.appId == appID }) {
            throw .alreadyExists("A service principal with AppId '\(appID)' already exists.")
        }
        let pointer = ExchangeServicePrincipal(
            appId: entra.appId, objectId: entra.id, displayName: cmdlet.string("DisplayName") ?? entra.displayName)
        beginRBACChange()
        rbac.servicePrincipals[entra.id] = pointer
        return .rows([servicePrincipalRow(pointer)])
    }

    // MARK: Scopes

    func scope(named identity: String) throws(ExchangeFailure) -> ManagementScope {
        if let found = rbac.scopes[identity.lowercased()] { return found }
        if let found = rbac.scopes.values.first(where: { $0.guid == identity.lowercased() }) { return found }
        throw .notFound(identity)
    }

    private func scopeRow(_ scope: ManagementScope) -> JSONValue {
        [
            "Name": .string(scope.name), "Identity": .string(scope.name), "Guid": .string(scope.guid),
            "RecipientFilter": .string(scope.recipientFilter), "RecipientRoot": .null, "Exclusive": .bool(scope.exclusive),
            "ScopeRestrictionType": "RecipientScope",
        ]
    }

    /// Parses and validates an OPATH filter: every `MemberOfGroup` must name a mail-enabled group's DN.
    func recipientFilter(_ text: String) throws(ExchangeFailure) -> RecipientFilter {
        let filter: RecipientFilter
        do throws(RecipientFilterError) {
            filter = try RecipientFilter.parse(text)
        } catch {
            throw .invalid(error.message, type: "Microsoft.Exchange.Data.InvalidFilterException")
        }
        for dn in filter.referencedGroups where directory.group(distinguishedName: dn) == nil {
            throw .invalid(
                "The value '\(dn)' of property MemberOfGroup isn't the distinguished name of a group Exchange knows. Use the DistinguishedName of a distribution list, mail-enabled security group or Microsoft 365 group (Microsoft Entra security groups aren't supported).",
                type: "Microsoft.Exchange.Data.InvalidFilterException")
        }
        return filter
    }

    private func saveScope(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput {
        if cmdlet.bool("Exclusive") == true {
            throw .invalid("Exclusive management scopes aren't supported by the simulated tenant (they don't restrict apps).")
        }
        if cmdlet.name == "New-ManagementScope" {
            let name = try cmdlet.required("Name")
            let text = try cmdlet.required("RecipientRestrictionFilter")
            guard rbac.scopes[name.lowercased()] == nil else {
                throw .alreadyExists("The management scope \"\(name)\" already exists.")
            }
            let created = ManagementScope(name: name, recipientFilter: text, guid: newGUID(), filter: try recipientFilter(text))
            beginRBACChange()
            rbac.scopes[name.lowercased()] = created
            return .rows([scopeRow(created)])
        }
        var existing = try scope(named: try cmdlet.required("Identity"))
        let oldKey = existing.name.lowercased()
        if let text = cmdlet.string("RecipientRestrictionFilter") {
            existing.filter = try recipientFilter(text)
            existing.recipientFilter = text
        }
        if let name = cmdlet.string("Name"), !name.equalsIgnoringCase(existing.name) {
            guard rbac.scopes[name.lowercased()] == nil else {
                throw .alreadyExists("The management scope \"\(name)\" already exists.")
            }
            for (key, var assignment) in rbac.assignments where assignment.customResourceScope?.lowercased() == oldKey {
                assignment.customResourceScope = name
                rbac.assignments[key] = assignment
            }
            for (key, var assignment) in rbac.userAssignments
            where assignment.customRecipientWriteScope?.lowercased() == oldKey {
                assignment.customRecipientWriteScope = name
                rbac.userAssignments[key] = assignment
            }
            existing.name = name
        }
        beginRBACChange()
        rbac.scopes.removeValue(forKey: oldKey)
        rbac.scopes[existing.name.lowercased()] = existing
        return .rows([])
    }

    // MARK: Role assignments

    func assignment(named identity: String) throws(ExchangeFailure) -> ManagementRoleAssignment {
        if let found = rbac.assignments[identity.lowercased()] { return found }
        if let found = rbac.assignments.values.first(where: { $0.guid == identity.lowercased() }) { return found }
        throw .notFound(identity)
    }

    private func assignmentRow(_ assignment: ManagementRoleAssignment) -> JSONValue {
        let pointer = rbac.servicePrincipals[assignment.app]
        return [
            "Name": .string(assignment.name), "Identity": .string(assignment.name), "Guid": .string(assignment.guid),
            "Role": .string(assignment.role), "RoleAssignee": .string(assignment.app),
            "RoleAssigneeName": .string(pointer?.displayName ?? assignment.app), "RoleAssigneeType": "ServicePrincipal",
            "CustomResourceScope": assignment.customResourceScope.map(JSONValue.string) ?? .null,
            "RecipientWriteScope": assignment.customResourceScope == nil ? "Organization" : "CustomRecipientScope",
            "Enabled": .bool(assignment.enabled), "RoleAssignmentDelegationType": "Regular",
        ]
    }

    private func listAssignments(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput {
        var list = rbac.assignments.values.sorted { $0.name < $1.name }
        if let identity = cmdlet.string("Identity") {
            list = [try assignment(named: identity)]
        }
        if let assignee = cmdlet.string("RoleAssignee") {
            let pointer = try exchangeServicePrincipal(assignee)
            list = list.filter { $0.app == pointer.objectId }
        }
        if let role = cmdlet.string("Role") {
            list = list.filter { $0.role.equalsIgnoringCase(role) }
        }
        return .rows(list.map(assignmentRow))
    }

    private func newAssignment(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput {
        let roleName = try cmdlet.required("Role")
        if cmdlet.string("User") != nil {
            if roleName.equalsIgnoringCase("ApplicationImpersonation") { throw .notFound(roleName) }
            throw .invalid("The simulated tenant models role assignments to applications only (use -App).")
        }
        for unsupported in ["CustomRecipientWriteScope", "RecipientGroupScope", "RecipientAdministrativeUnitScope"]
        where cmdlet.value(unsupported) != nil {
            throw .invalid("The \(unsupported) parameter isn't supported by the simulated tenant; use CustomResourceScope.")
        }
        guard let role = Catalog.applicationRole(named: roleName) else { throw .notFound(roleName) }
        let pointer = try exchangeServicePrincipal(try cmdlet.required("App"))
        let scopeName = try cmdlet.string("CustomResourceScope").map { name throws(ExchangeFailure) in try scope(named: name).name }
        let name = cmdlet.string("Name") ?? String("\(role.name)-\(pointer.displayName)".prefix(64))
        try Self.checkNameLength(name)
        guard !rbac.hasAssignment(named: name) else {
            throw .alreadyExists("The role assignment \"\(name)\" already exists.")
        }
        let assignment = ManagementRoleAssignment(
            name: name, role: role.name, app: pointer.objectId, customResourceScope: scopeName, enabled: true,
            guid: newGUID())
        beginRBACChange()
        rbac.assignments[name.lowercased()] = assignment
        return .rows([assignmentRow(assignment)])
    }

    /// `Test-ServicePrincipalAuthorization`: the live RBAC state, Entra grants ignored. `InScope` is
    /// the word `True` or `False`, or `Not Run` without `-Resource`, as the cmdlet reference shows it
    /// (office-docs-powershell `exchange/exchange-ps/exchange/Test-ServicePrincipalAuthorization.md`,
    /// examples 1 and 2): a string, not a JSON Boolean.
    private func testAuthorization(_ cmdlet: CmdletInvocation) throws(ExchangeFailure) -> CmdletOutput {
        let pointer = try exchangeServicePrincipal(try cmdlet.required("Identity"))
        var user: DirectoryUser?
        if let resource = cmdlet.string("Resource") {
            guard case .user(let id) = try resolve(resource), let found = directory.users[id] else {
                throw .notFound(resource)
            }
            user = found
        }
        let assignments = rbac.assignments.values.filter { $0.app == pointer.objectId }.sorted { $0.name < $1.name }
        return .rows(
            assignments.map { assignment in
                let role = Catalog.applicationRole(named: assignment.role)
                let inScope: JSONValue
                if let user {
                    if let scopeName = assignment.customResourceScope {
                        let scope = rbac.scopes[scopeName.lowercased()]
                        inScope = Self.word(assignment.enabled && scope.map { self.scope($0, contains: user, in: rbac) } ?? false)
                    } else {
                        inScope = Self.word(assignment.enabled)
                    }
                } else {
                    inScope = "Not Run"
                }
                return [
                    "RoleName": .string(assignment.role),
                    "GrantedPermissions": .string((role?.permissions ?? []).joined(separator: ", ")),
                    "AllowedResourceScope": .string(assignment.customResourceScope ?? "Organization"),
                    "ScopeType": .string(assignment.customResourceScope == nil ? "Organization" : "CustomRecipientScope"),
                    "InScope": inScope,
                ]
            })
    }

    /// A Boolean as PowerShell prints it: `True` or `False`.
    private static func word(_ value: Bool) -> JSONValue { value ? "True" : "False" }

    /// PowerShell-style `*` wildcard match, case-insensitive.
    static func wildcard(_ pattern: String, matches text: String) -> Bool {
        let parts = pattern.lowercased().split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var remainder = Substring(text.lowercased())
        guard parts.count > 1 else { return pattern.equalsIgnoringCase(text) }
        guard remainder.hasPrefix(parts[0]) else { return false }
        remainder = remainder.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = remainder.range(of: part) else { return false }
            remainder = remainder[range.upperBound...]
        }
        let last = parts[parts.count - 1]
        return last.isEmpty || remainder.hasSuffix(last)
    }
}
