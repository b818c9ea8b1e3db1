import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeOnlineDriver {
    // MARK: Distribution group

    /// Reads the distribution group and its members: resolves each configured address, names
    /// aliases, groups and duplicates, and says whether the group and which members are missing.
    func observeGroup() async throws -> StageObservation {
        guard config.scopeKind == .group else {
            facts.group = nil
            return StageObservation(
                report: StageReport(
                    stage: .distributionGroup,
                    status: .skipped,
                    detail:
                        "the scope covers room mailboxes by filter; no group is needed (rooms added later are covered)"
                ),
                writes: []
            )
        }
        let (graph, exchange) = try clients()
        var findings = StageFindings()
        let group = try await findGroup(exchange: exchange, into: &findings)
        // The group's direct members first (999 a page): configured addresses found among them
        // need no lookup of their own; the rest are resolved with batched Graph lookups.
        var direct: [DirectMember] = []
        if let group {
            direct = try await directMembers(of: group, graph: graph, exchange: exchange)
        }
        let members = try await resolveMembers(graph: graph, known: direct)
        facts.members = members
        findings.warnings += Self.memberWarnings(members)
        let wanted = Self.uniqueMailboxes(members, warnings: &findings.warnings)
        if config.scopeKind == .group && wanted.isEmpty {
            return noMailboxToScope(findings)
        }
        let observation =
            if let group {
                existingGroup(group, direct: direct, wanted: wanted, findings: findings)
            } else {
                try await missingGroup(wanted: wanted, graph: graph, findings: findings)
            }
        return nylasChecked(observation, members: members)
    }

    /// Nylas's guide (`NylasRules`): each member by its primary address (Graph's `mail` and the
    /// `SMTP:` entry of `proxyAddresses`), in the domain of the service account's licensed mailbox.
    /// A member that breaks either cannot be connected by Nylas: the stage fails naming each, and
    /// writes nothing until group.members is corrected.
    private func nylasChecked(_ observation: StageObservation, members: [ResolvedMember]) -> StageObservation {
        guard NylasRules.apply(to: config) else { return observation }
        var observation = observation
        var problems: [String] = []
        for (index, member) in members.enumerated() where !member.isGroup && member.objectID != nil {
            problems += NylasRules.problems(
                configured: member.configured, primary: member.primary ?? member.configured, index: index, config: config)
        }
        var report = observation.report
        guard !problems.isEmpty else {
            let domain =
                NylasRules.serviceAccountAddress(config).map { "in the domain of \($0)" }
                ?? "domain not compared: an Entra app has no domain (service_account.mailbox gives the service account one)"
            report.steps.append(
                StepReport(name: "Nylas: primary addresses, one domain", status: .verified, detail: "every member by its primary address; \(domain)"))
            observation.report = report
            return observation
        }
        report.steps.append(
            StepReport(name: "Nylas: primary addresses, one domain", status: .failed, detail: "\(problems.count) problem(s)"))
        report.status = .failed
        report.detail = problems[0]
        report.warnings += problems.dropFirst()
        report.warnings.removeAll { $0.contains(" is an alias; the primary SMTP address is ") }
        report.fix = "correct group.members and run again (nothing was written): " + problems.joined(separator: "; ")
        observation.report = report
        observation.writes = []
        return observation
    }

    /// The group as Exchange sees it (its DN is what the scope filter needs); nil when Exchange
    /// has no group of the configured alias, or one without a DN.
    private func findGroup(
        exchange: ExchangeAdminClient, into findings: inout StageFindings
    ) async throws -> GroupFacts? {
        let alias = config.effectiveGroupAlias
        let command = config.groupKind == .microsoft365 ? "Get-UnifiedGroup" : "Get-DistributionGroup"
        let found = try await exchange.find(command, ["Identity": .string(alias)])
        findings.evidence.append("\(command) -Identity '\(alias)' → \(found == nil ? "not found" : "found")")
        guard let found, let dn = found["DistinguishedName"].string else { return nil }
        return GroupFacts(
            name: found["Name"].string ?? config.groupName,
            address: found["PrimarySmtpAddress"].string ?? "",
            distinguishedName: dn,
            objectID: found["ExternalDirectoryObjectId"].string ?? "",
            recipientTypeDetails: found["RecipientTypeDetails"].string ?? ""
        )
    }

    /// A warning for each configured member that is left out or replaced: not in the directory,
    /// a group (its members would not be in scope), or an alias of another primary address.
    private static func memberWarnings(_ members: [ResolvedMember]) -> [String] {
        members.compactMap { member in
            if member.objectID == nil {
                return "\(member.configured) does not exist in the directory; it is left out"
            } else if member.isGroup {
                return "\(member.configured) is a group: group scopes count direct members only, so its members would NOT be in scope; list its mailboxes instead"
            } else if let primary = member.primary, primary.lowercased() != member.configured.lowercased() {
                return "\(member.configured) is an alias; the primary SMTP address is \(primary) (used instead)"
            }
            return nil
        }
    }

    /// One mailbox per directory object: case variants, repeats and an alias beside its primary
    /// address are the same object, so one write each; each duplicate dropped is named.
    private static func uniqueMailboxes(_ members: [ResolvedMember], warnings: inout [String]) -> [ResolvedMember] {
        var wanted: [ResolvedMember] = []
        var firstByID: [String: ResolvedMember] = [:]
        for member in members where !member.isGroup {
            guard let id = member.objectID else { continue }
            if let first = firstByID[id] {
                let same =
                    first.configured.caseInsensitiveCompare(member.configured) == .orderedSame
                    ? "a repeat of \(first.configured)" : "the same mailbox as \(first.configured) (\(member.primary ?? first.configured))"
                warnings.append("\(member.configured) is \(same); the duplicate is dropped")
            } else {
                firstByID[id] = member
                wanted.append(member)
            }
        }
        return wanted
    }

    /// No configured member is a mailbox: nothing could be proven and the scope would cover
    /// nobody, so the stage fails before any write.
    private func noMailboxToScope(_ findings: StageFindings) -> StageObservation {
        var findings = findings
        let configured = config.members.prefix(5).joined(separator: ", ") + (config.members.count > 5 ? ", …" : "")
        findings.step("members", .failed, "no configured member resolves to a mailbox")
        return findings.observation(
            stage: .distributionGroup,
            status: .failed,
            detail: "none of the \(config.members.count) configured member(s) is a mailbox in this tenant (\(configured))",
            fix:
                "list existing user or room mailboxes by their primary SMTP address in group.members (Get-Mailbox shows them); nothing was written"
        )
    }

    /// No group yet: it is to be created with every wanted mailbox. A new name that looks like an
    /// existing group's is a takeover or a typo waiting to happen: say so (TR39 skeletons), and
    /// name any mix of scripts.
    private func missingGroup(
        wanted: [ResolvedMember], graph: GraphClient, findings: StageFindings
    ) async throws -> StageObservation {
        var findings = findings
        facts.group = nil
        let everyGroup = GraphRequest.groups(select: ["displayName", "mailNickname"], top: 999)
        let existing = try await graph.list(everyGroup)
        findings.evidence.append(everyGroup.answered("\(existing.count) group(s)"))
        findings.warnings += Self.lookAlikeWarnings(
            kind: "group", name: config.groupName,
            existing: existing.flatMap { [$0["displayName"].string, $0["mailNickname"].string].compactMap { $0 } })
        findings.writes.append(
            .createGroup(name: config.groupName, alias: config.effectiveGroupAlias, kind: config.groupKind))
        findings.writes += wanted.map { .addMember(address: $0.primary ?? $0.configured, objectID: $0.objectID ?? "") }
        findings.step("group", .needsChange, "missing")
        findings.step("members", .needsChange, "\(wanted.count) to add")
        return findings.observation(
            stage: .distributionGroup, status: .needsChange, detail: "no group \"\(config.groupName)\" yet")
    }

    /// The group exists: it is recorded, its kind checked, and its direct members compared with
    /// the wanted mailboxes (missing ones added; nested groups and extra members named).
    private func existingGroup(
        _ group: GroupFacts, direct: [DirectMember], wanted: [ResolvedMember], findings: StageFindings
    ) -> StageObservation {
        var findings = findings
        facts.group = group
        journal.ids["groupObjectID"] = group.objectID
        findings.step("group", .verified, "\(group.address) (\(group.recipientTypeDetails))")
        let expectedType = Self.recipientType(of: config.groupKind)
        if !group.recipientTypeDetails.isEmpty && group.recipientTypeDetails != expectedType {
            findings.warnings.append(
                "the existing group is a \(group.recipientTypeDetails), not a \(expectedType); it is used as it is"
            )
        }
        facts.directMembers = direct
        findings.evidence.append("direct members: \(direct.count)")
        let missing = judgeMembers(direct: direct, wanted: wanted, into: &findings)
        let detail =
            missing.isEmpty
            ? "\(group.address): \(direct.count) direct member(s)"
            : "\(missing.count) member(s) missing from \(group.address)"
        return findings.observation(
            stage: .distributionGroup, status: missing.isEmpty ? .verified : .needsChange, detail: detail)
    }

    /// Compares the group's direct members with the wanted mailboxes: a write for each missing
    /// one, a warning for nested groups and members not in the config, and the members step.
    /// Returns the missing mailboxes.
    private func judgeMembers(
        direct: [DirectMember], wanted: [ResolvedMember], into findings: inout StageFindings
    ) -> [ResolvedMember] {
        let present = Set(direct.map(\.objectID))
        let missing = wanted.filter { !present.contains($0.objectID ?? "") }
        findings.writes += missing.map { .addMember(address: $0.primary ?? $0.configured, objectID: $0.objectID ?? "") }
        for nested in direct where nested.isGroup {
            findings.warnings.append(
                "the group contains the group \(nested.address): its members are NOT in scope (direct members only)"
            )
        }
        let configuredIDs = Set(wanted.compactMap(\.objectID))
        let extra = direct.filter { !$0.isGroup && !configuredIDs.contains($0.objectID) }
        if !extra.isEmpty {
            findings.warnings.append(
                "\(extra.count) member(s) not in the config are in scope too: \(extra.prefix(5).map(\.address).joined(separator: ", "))\(extra.count > 5 ? ", …" : "")"
            )
        }
        findings.step(
            "members",
            missing.isEmpty ? .verified : .needsChange,
            missing.isEmpty
                ? "\(wanted.count) configured member(s) present"
                : "missing: \(missing.map { $0.primary ?? $0.configured }.joined(separator: ", "))"
        )
        return missing
    }

    /// The `RecipientTypeDetails` Exchange gives a group of `kind`.
    private static func recipientType(of kind: GroupKind) -> String {
        switch kind {
        case .distribution: "MailUniversalDistributionGroup"
        case .mailEnabledSecurity: "MailUniversalSecurityGroup"
        case .microsoft365: "GroupMailbox"
        }
    }

    /// Resolves each configured address: from the group's `known` direct members when one of
    /// their SMTP addresses matches, otherwise with Graph `$batch` (users, then groups for the misses).
    func resolveMembers(graph: GraphClient, known: [DirectMember]) async throws -> [ResolvedMember] {
        let addresses = config.members
        guard !addresses.isEmpty else { return [] }
        var byAddress: [String: DirectMember] = [:]
        for member in known {
            for address in member.addresses { byAddress[address] = member }
        }
        var resolvedKnown: [Int: ResolvedMember] = [:]
        for (index, address) in addresses.enumerated() {
            if let member = byAddress[address.lowercased()] {
                resolvedKnown[index] = ResolvedMember(
                    configured: address,
                    primary: member.address,
                    objectID: member.objectID,
                    isGroup: member.isGroup
                )
            }
        }
        let lookups = addresses.enumerated().filter { resolvedKnown[$0.offset] == nil }
        let userRequests = lookups.map { index, address in
            BatchRequest(
                id: "\(index)",
                .users(withAddress: address, select: ["id", "mail", "userPrincipalName", "proxyAddresses"]))
        }
        let users = try await graph.batch(userRequests)
        var resolved = addresses.enumerated().map { index, address in
            resolvedKnown[index] ?? ResolvedMember(configured: address, primary: nil, objectID: nil, isGroup: false)
        }
        var misses: [Int] = []
        for answer in users {
            guard let index = Int(answer.id) else { continue }
            guard answer.status == 200 else {
                throw GraphClient.error(of: answer, request: "GET /users (member lookup)")
            }
            if let user = answer.body["value"].array?.first {
                let primary =
                    user["proxyAddresses"].strings.first { $0.hasPrefix("SMTP:") }.map { String($0.dropFirst(5)) }
                    ?? user["mail"].string
                resolved[index] = ResolvedMember(
                    configured: addresses[index],
                    primary: primary,
                    objectID: user["id"].string,
                    isGroup: false
                )
            } else {
                misses.append(index)
            }
        }
        if !misses.isEmpty {
            let groupRequests = misses.map { index in
                BatchRequest(id: "\(index)", .groups(withAddress: addresses[index], select: ["id", "mail"]))
            }
            for answer in try await graph.batch(groupRequests) {
                guard let index = Int(answer.id) else { continue }
                guard answer.status == 200 else { throw GraphClient.error(of: answer, request: "GET /groups (member lookup)") }
                guard let group = answer.body["value"].array?.first else { continue }
                resolved[index] = ResolvedMember(
                    configured: addresses[index],
                    primary: group["mail"].string,
                    objectID: group["id"].string,
                    isGroup: true
                )
            }
        }
        return resolved
    }

    /// The group's direct members: from Graph (999 a page), or from Exchange while Graph has not
    /// replicated a group just created.
    func directMembers(
        of group: GroupFacts,
        graph: GraphClient,
        exchange: ExchangeAdminClient
    ) async throws -> [DirectMember] {
        if !group.objectID.isEmpty {
            do {
                return try await graph.list(
                    .members(
                        of: group.objectID, select: ["id", "mail", "userPrincipalName", "proxyAddresses"], top: 999)
                ) { member in
                    let proxies = member["proxyAddresses"].strings
                    let primary = proxies.first { $0.hasPrefix("SMTP:") }.map { String($0.dropFirst(5)) }
                    let smtp = proxies.filter { $0.lowercased().hasPrefix("smtp:") }.map {
                        String($0.dropFirst(5)).lowercased()
                    }
                    return DirectMember(
                        objectID: member["id"].string ?? "",
                        address: primary ?? member["mail"].string ?? member["userPrincipalName"].string ?? member["id"]
                            .string ?? "",
                        isGroup: member["@odata.type"].string == "#microsoft.graph.group",
                        addresses: Set(smtp + [member["mail"].string?.lowercased()].compactMap { $0 })
                    )
                }
            } catch let error as MicrosoftError where error.isNotFound {
                // Not replicated to Graph yet: ask Exchange.
            }
        }
        let members = try await exchange.invoke(
            "Get-DistributionGroupMember",
            ["Identity": .string(group.distinguishedName), "ResultSize": "Unlimited"]
        )
        return members.map { member in
            DirectMember(
                objectID: member["ExternalDirectoryObjectId"].string ?? "",
                address: member["PrimarySmtpAddress"].string ?? "",
                isGroup: (member["RecipientTypeDetails"].string ?? "").contains("Group"),
                addresses: Set([member["PrimarySmtpAddress"].string?.lowercased()].compactMap { $0 })
            )
        }
    }

    // MARK: Writes

    func createGroup(named name: String, alias: String, kind: GroupKind) async throws {
        let (graph, exchange) = try clients()
        if kind == .microsoft365 {
            // Graph first: the group may exist there before Exchange has synchronised it.
            let existing = try await graph.list(.groups(mailNickname: alias))
            if existing.isEmpty {
                let owner = try await groupOwnerReference(graph: graph)
                do {
                    try await graph.write(
                        .createGroup(),
                        body: [
                            "displayName": .string(name), "mailNickname": .string(alias), "mailEnabled": true,
                            "securityEnabled": false, "groupTypes": ["Unified"],
                            "owners@odata.bind": [.string(owner)],
                        ]
                    )
                } catch let error as MicrosoftError where error.isAlreadyExists {
                    log(.info, "already present: \(error.message)")
                }
            }
        } else {
            try await tolerateExisting {
                try await exchange.invoke(
                    "New-DistributionGroup",
                    [
                        "Name": .string(name), "Alias": .string(alias), "DisplayName": .string(name),
                        "Type": .string(kind == .distribution ? "Distribution" : "Security"),
                    ]
                )
            }
        }
        // Only the group named by its alias (see `ExchangeAdminClient.find`), waiting while
        // Exchange has not synchronised it yet.
        let cmdlet = kind == .microsoft365 ? "Get-UnifiedGroup" : "Get-DistributionGroup"
        let group = try await retryingNotYetReplicated {
            guard let group = try await exchange.find(cmdlet, ["Identity": .string(alias)]) else {
                throw MicrosoftError(
                    service: .exchange, status: 404, code: "ManagementObjectNotFoundException",
                    message: "\(alias) is not visible in Exchange yet", request: cmdlet)
            }
            return group
        }
        if let dn = group["DistinguishedName"].string {
            facts.group = GroupFacts(
                name: group["Name"].string ?? name,
                address: group["PrimarySmtpAddress"].string ?? "",
                distinguishedName: dn,
                objectID: group["ExternalDirectoryObjectId"].string ?? "",
                recipientTypeDetails: group["RecipientTypeDetails"].string ?? ""
            )
        }
    }

    func addMember(address: String, objectID: String) async throws {
        let (graph, exchange) = try clients()
        guard let group = facts.group else {
            throw EngineError(
                stage: .distributionGroup,
                message: "the group is not known yet",
                fix: "run again"
            )
        }
        if config.groupKind == .microsoft365 {
            do {
                try await graph.write(
                    .addMember(to: group.objectID),
                    body: ["@odata.id": .string(graph.reference(.directoryObjects, id: objectID))]
                )
            } catch let error as MicrosoftError where error.message.contains("already exist") {}
        } else {
            try await tolerateExisting {
                try await exchange.invoke(
                    "Add-DistributionGroupMember",
                    [
                        "Identity": .string(group.distinguishedName), "Member": .string(address),
                        "BypassSecurityGroupManagerCheck": true,
                    ]
                )
            }
        }
    }

    /// The owner of a Microsoft 365 group mailscope creates, as an `owners@odata.bind` reference:
    /// the signed-in admin (delegated sign-in), or the automation app's own service principal
    /// (app-only: "The app can assign itself as the group's owner"). Without an owner an app-only
    /// creation makes the group "anonymously", and with Group.Create "the group will not be
    /// modifiable" (microsoft-graph-docs-contrib api-reference/v1.0/api/group-post-groups.md).
    func groupOwnerReference(graph: GraphClient) async throws -> String {
        let owner: JSONValue
        if config.signIn == .deviceCode {
            owner = try await graph.get(.me())
        } else {
            owner = try await graph.get(.servicePrincipal(appID: config.clientID ?? "", select: ["id"]))
        }
        guard let id = owner["id"].string else {
            throw EngineError(
                stage: .distributionGroup, message: "cannot read the object id of the group's owner", fix: "run again")
        }
        return graph.reference(config.signIn == .deviceCode ? .users : .servicePrincipals, id: id)
    }
}

extension ExchangeOnlineDriver {
    /// The group's direct mailbox members this run read (MemberArrivals).
    var directMembersRead: [String]? {
        guard run.config.scopeKind == .group, facts.group != nil else { return nil }
        return facts.directMembers.filter { !$0.isGroup }.map { $0.address.lowercased() }.sorted()
    }

    var memberPropagation: String { "Exchange Online documents 30 minutes to 2 hours" }
}
