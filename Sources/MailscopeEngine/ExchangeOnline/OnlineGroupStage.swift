import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeOnlineDriver {
    // MARK: Distribution group

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
        var evidence: [String] = []
        var warnings: [String] = []
        var steps: [StepReport] = []
        var writes: [Write] = []
        let alias = config.effectiveGroupAlias

        // The group as Exchange sees it (its DN is what the scope filter needs).
        let found: JSONValue?
        if config.groupKind == .microsoft365 {
            found = try await exchange.find("Get-UnifiedGroup", ["Identity": .string(alias)])
            evidence.append("Get-UnifiedGroup -Identity '\(alias)' → \(found == nil ? "not found" : "found")")
        } else {
            found = try await exchange.find("Get-DistributionGroup", ["Identity": .string(alias)])
            evidence.append("Get-DistributionGroup -Identity '\(alias)' → \(found == nil ? "not found" : "found")")
        }
        // The group's direct members first (999 a page): configured addresses found among them
        // need no lookup of their own; the rest are resolved with batched Graph lookups.
        var direct: [DirectMember] = []
        if let found, let dn = found["DistinguishedName"].string {
            direct = try await directMembers(
                of: GroupFacts(
                    name: found["Name"].string ?? config.groupName,
                    address: found["PrimarySmtpAddress"].string ?? "",
                    distinguishedName: dn,
                    objectID: found["ExternalDirectoryObjectId"].string ?? "",
                    recipientTypeDetails: found["RecipientTypeDetails"].string ?? ""
                ),
                graph: graph,
                exchange: exchange
            )
        }
        let members = try await resolveMembers(graph: graph, known: direct)
        facts.members = members
        for member in members {
            if member.objectID == nil {
                warnings.append("\(member.configured) does not exist in the directory; it is left out")
            } else if member.isGroup {
                warnings.append(
                    "\(member.configured) is a group: group scopes count direct members only, so its members would NOT be in scope; list its mailboxes instead"
                )
            } else if let primary = member.primary, primary.lowercased() != member.configured.lowercased() {
                warnings.append(
                    "\(member.configured) is an alias; the primary SMTP address is \(primary) (used instead)"
                )
            }
        }
        // One write per mailbox: case variants, repeats and an alias beside its primary address
        // are the same object; each duplicate dropped is named.
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
        if config.scopeKind == .group && wanted.isEmpty {
            // Nothing could be proven and the scope would cover nobody: stop before any write.
            let configured = config.members.prefix(5).joined(separator: ", ") + (config.members.count > 5 ? ", …" : "")
            return StageObservation(
                report: StageReport(
                    stage: .distributionGroup,
                    status: .failed,
                    detail:
                        "none of the \(config.members.count) configured member(s) is a mailbox in this tenant (\(configured))",
                    evidence: evidence,
                    warnings: warnings,
                    fix:
                        "list existing user or room mailboxes by their primary SMTP address in group.members (Get-Mailbox shows them); nothing was written",
                    steps: [StepReport(name: "members", status: .failed, detail: "no configured member resolves to a mailbox")]
                ),
                writes: []
            )
        }

        guard let found, let dn = found["DistinguishedName"].string else {
            facts.group = nil
            // A new name that looks like an existing group's is a takeover or a typo waiting to
            // happen: say so (TR39 skeletons), and name any mix of scripts.
            let existing = try await graph.list(
                GraphClient.path("/v1.0/groups", [("$select", "displayName,mailNickname"), ("$top", "999")]))
            evidence.append("GET /v1.0/groups?$select=displayName,mailNickname → \(existing.count) group(s)")
            warnings += Self.lookAlikeWarnings(
                kind: "group", name: config.groupName,
                existing: existing.flatMap { [$0["displayName"].string, $0["mailNickname"].string].compactMap { $0 } })
            writes.append(.createGroup(name: config.groupName, alias: alias, kind: config.groupKind))
            writes += wanted.map { .addMember(address: $0.primary ?? $0.configured, objectID: $0.objectID ?? "") }
            steps.append(StepReport(name: "group", status: .needsChange, detail: "missing"))
            steps.append(StepReport(name: "members", status: .needsChange, detail: "\(wanted.count) to add"))
            return StageObservation(
                report: StageReport(
                    stage: .distributionGroup,
                    status: .needsChange,
                    detail: "no group \"\(config.groupName)\" yet",
                    evidence: evidence,
                    warnings: warnings,
                    steps: steps
                ),
                writes: writes
            )
        }
        let group = GroupFacts(
            name: found["Name"].string ?? config.groupName,
            address: found["PrimarySmtpAddress"].string ?? "",
            distinguishedName: dn,
            objectID: found["ExternalDirectoryObjectId"].string ?? "",
            recipientTypeDetails: found["RecipientTypeDetails"].string ?? ""
        )
        facts.group = group
        journal.ids["groupObjectID"] = group.objectID
        steps.append(
            StepReport(name: "group", status: .verified, detail: "\(group.address) (\(group.recipientTypeDetails))")
        )
        let expectedType: String
        switch config.groupKind {
        case .distribution: expectedType = "MailUniversalDistributionGroup"
        case .mailEnabledSecurity: expectedType = "MailUniversalSecurityGroup"
        case .microsoft365: expectedType = "GroupMailbox"
        }
        if !group.recipientTypeDetails.isEmpty && group.recipientTypeDetails != expectedType {
            warnings.append(
                "the existing group is a \(group.recipientTypeDetails), not a \(expectedType); it is used as it is"
            )
        }

        facts.directMembers = direct
        evidence.append("direct members: \(direct.count)")
        let present = Set(direct.map(\.objectID))
        let missing = wanted.filter { !present.contains($0.objectID ?? "") }
        writes += missing.map { .addMember(address: $0.primary ?? $0.configured, objectID: $0.objectID ?? "") }
        for nested in direct where nested.isGroup {
            warnings.append(
                "the group contains the group \(nested.address): its members are NOT in scope (direct members only)"
            )
        }
        let configuredIDs = Set(wanted.compactMap(\.objectID))
        let extra = direct.filter { !$0.isGroup && !configuredIDs.contains($0.objectID) }
        if !extra.isEmpty {
            warnings.append(
                "\(extra.count) member(s) not in the config are in scope too: \(extra.prefix(5).map(\.address).joined(separator: ", "))\(extra.count > 5 ? ", …" : "")"
            )
        }
        steps.append(
            StepReport(
                name: "members",
                status: missing.isEmpty ? .verified : .needsChange,
                detail: missing.isEmpty
                    ? "\(wanted.count) configured member(s) present"
                    : "missing: \(missing.map { $0.primary ?? $0.configured }.joined(separator: ", "))"
            )
        )
        let detail =
            missing.isEmpty
            ? "\(group.address): \(direct.count) direct member(s)"
            : "\(missing.count) member(s) missing from \(group.address)"
        return StageObservation(
            report: StageReport(
                stage: .distributionGroup,
                status: missing.isEmpty ? .verified : .needsChange,
                detail: detail,
                evidence: evidence,
                warnings: warnings,
                steps: steps
            ),
            writes: writes
        )
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
        func filter(_ address: String) -> String {
            "proxyAddresses/any(p:p eq \(GraphClient.literal("smtp:" + address)))"
        }
        let lookups = addresses.enumerated().filter { resolvedKnown[$0.offset] == nil }
        let userRequests = lookups.map { index, address in
            BatchRequest(
                id: "\(index)",
                url: GraphClient.path(
                    "/users",
                    [("$filter", filter(address)), ("$select", "id,mail,userPrincipalName,proxyAddresses")]
                )
            )
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
                BatchRequest(
                    id: "\(index)",
                    url: GraphClient.path("/groups", [("$filter", filter(addresses[index])), ("$select", "id,mail")])
                )
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
                    "/v1.0/groups/\(GraphClient.segment(group.objectID))/members?$select=id,mail,userPrincipalName,proxyAddresses&$top=999"
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
            let existing = try await graph.list(
                GraphClient.path("/v1.0/groups", [("$filter", "mailNickname eq \(GraphClient.literal(alias))")]))
            if existing.isEmpty {
                let owner = try await groupOwnerReference(graph: graph)
                do {
                    try await graph.write(
                        "POST",
                        "/v1.0/groups",
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
                    "POST",
                    "/v1.0/groups/\(GraphClient.segment(group.objectID))/members/$ref",
                    body: [
                        "@odata.id": .string("\(graph.base.absoluteString)/v1.0/directoryObjects/\(objectID)")
                    ]
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
            owner = try await graph.get("/v1.0/me?$select=id")
        } else {
            owner = try await graph.get(
                "/v1.0/servicePrincipals(appId=\(GraphClient.literal(config.clientID ?? "")))?$select=id")
        }
        guard let id = owner["id"].string else {
            throw EngineError(
                stage: .distributionGroup, message: "cannot read the object id of the group's owner", fix: "run again")
        }
        let kind = config.signIn == .deviceCode ? "users" : "servicePrincipals"
        return "\(graph.base.absoluteString)/v1.0/\(kind)/\(id)"
    }
}
