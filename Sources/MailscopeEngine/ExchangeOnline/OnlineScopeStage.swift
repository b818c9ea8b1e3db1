import Foundation
import MailscopeCore
import MicrosoftClients


/// The scope stage's reads of the tenant.
struct ScopeReads: Sendable {
    /// The service principal whose assignments were read (nil: none yet, nothing read).
    var servicePrincipalID: String?
    /// Scopes with the configured name.
    var scopes: [JSONValue]
    /// Role definition id (lowercased) → name.
    var roleNames: [String: String]
    /// The service principal's role assignments.
    var assignments: [JSONValue]?
}

extension ExchangeOnlineDriver {
    // MARK: Scope

    /// The filter the scope must have, or nil while the group does not exist yet.
    var wantedFilter: String? {
        switch config.scopeKind {
        case .rooms: EndEventEarly.widens(config) ? EndEventEarly.filter : Quoting.roomMailboxFilter
        case .group: facts.group.map { Quoting.memberOfGroupFilter(groupDN: $0.distinguishedName) }
        }
    }

    /// The Exchange application role definitions: id → name (read once per run).
    func roleDefinitions(graph: GraphClient) async throws -> [String: String] {
        let map = try await Self.roleDefinitions(known: facts.roleDefinitions, graph: graph)
        facts.roleDefinitions = map
        return map
    }

    /// The role definitions, `known` or read.
    static func roleDefinitions(known: [String: String]?, graph: GraphClient) async throws -> [String: String] {
        if let known { return known }
        let definitions = try await graph.list(.exchangeRoleDefinitions())
        var map: [String: String] = [:]
        for definition in definitions {
            if let id = definition["id"].string, let name = definition["displayName"].string {
                map[id.lowercased()] = name
            }
        }
        return map
    }

    /// The scope stage's reads, made at once: the scope by name and, once the app has a service
    /// principal, its role assignments with the role names.
    func readScope(graph: GraphClient) async throws -> ScopeReads {
        let spID = facts.servicePrincipalID
        let scopesRequest = GraphRequest.customAppScopes(displayName: config.scopeName)
        async let scopes = graph.list(scopesRequest)
        let known = facts.roleDefinitions
        async let names = spID == nil ? [:] : Self.roleDefinitions(known: known, graph: graph)
        async let assignments =
            spID == nil
            ? nil
            : graph.list(.exchangeRoleAssignments(of: spID ?? ""))
        let reads = ScopeReads(
            servicePrincipalID: spID, scopes: try await scopes, roleNames: try await names,
            assignments: try await assignments)
        if spID != nil { facts.roleDefinitions = reads.roleNames }
        return reads
    }

    /// The scope stage's reads made ahead (by an overlapped check), or nil when one failed: the
    /// stage then reads again itself and reports the failure.
    func prefetchScopeReads() async -> ScopeReads? {
        guard let (graph, _) = try? clients() else { return nil }
        return try? await readScope(graph: graph)
    }

    /// Reads the management scope and the app's role assignments: the scope must exist with the
    /// wanted filter (and not be exclusive), each configured role must be bound to it, and no
    /// assignment may reach every mailbox.
    func observeScope() async throws -> StageObservation {
        let (graph, _) = try clients()
        if let dn = facts.group?.distinguishedName, dn.contains(where: FieldRules.typographicQuotes.contains) {
            throw EngineError(
                stage: .scope,
                message: "the group's distinguished name contains a typographic quote, which Exchange's filter parser reads as a quote",
                fix: "rename the group without ‘ ’ ‚ ‛ (a plain apostrophe is fine), then run again")
        }
        var findings = StageFindings()
        let filter = wantedFilter ?? Quoting.memberOfGroupFilter(groupDN: "<DN of \(config.groupName)>")
        let reads: ScopeReads
        if let prefetched = facts.scopeReads {
            reads = prefetched
            facts.scopeReads = nil
        } else {
            reads = try await readScope(graph: graph)
        }
        let exclusive = try await judgeScope(reads.scopes.first, filter: filter, graph: graph, into: &findings)
        if EndEventEarly.widens(config) { findings.warnings.insert(EndEventEarly.warning, at: 0) }
        judgeRoleAssignments(reads, into: &findings)
        // The vendor's own app: its tenant-wide grants go last, after the scoped assignments above.
        let cameBack = try await vendorGrantRemovals(into: &findings)
        // Legacy application access policies go last, once the scoped assignments replace them.
        let refusal = try await judgeAccessPolicies(hasAssignments: !(reads.assignments ?? []).isEmpty, into: &findings)
        try await judgeDelegateAccess(into: &findings)
        if let refusal {
            // Nothing of this stage is written while the policy's group is in question: apply stops
            // before its first write (a failed stage with no change).
            findings.writes = []
            return findings.observation(stage: .scope, status: .failed, detail: refusal.0, fix: refusal.1)
        }
        let writes = findings.writes
        let status: StageStatus = exclusive || cameBack != nil ? .failed : writes.isEmpty ? .verified : .needsChange
        let detail =
            exclusive
            ? "\(config.scopeName) is an exclusive scope, which does not restrict an app"
            : cameBack.map { "exposed: tenant-wide grant(s) " + $0 }
                ?? (writes.isEmpty
                    ? "\(config.scopeName): \(filter); \(config.assignedRoles.count) role(s) bound"
                    : "\(writes.count) change(s) needed")
        return findings.observation(
            stage: .scope,
            status: status,
            detail: detail,
            fix: exclusive
                ? "an exclusive scope cannot be made ordinary (Set-ManagementScope has no -Exclusive): remove the "
                    + "app's role assignments on it and the scope (Remove-ManagementScope), then run mailscope apply"
                : cameBack != nil
                    ? "run mailscope apply: it removes the grant again once the scoped roles are in scope; the Entra "
                        + "admin center (Enterprise applications → \(appDisplayName) → Permissions) shows the consent, "
                        + "and admins should not consent to the vendor's app again"
                    : nil
        )
    }

    /// Judges the scope of the configured name: its filter (updated when it differs, waiting
    /// while the group does not exist), or, when there is none, a new one with a warning for a
    /// look-alike name. Returns whether the scope is exclusive (which never restricts an app).
    private func judgeScope(
        _ scope: JSONValue?, filter: String, graph: GraphClient, into findings: inout StageFindings
    ) async throws -> Bool {
        facts.scopeID = scope?["id"].string
        let storedFilter = scope?["customAttributes"]["RecipientFilter"].string ?? ""
        findings.evidence.append(
            GraphRequest.customAppScopes(displayName: config.scopeName).answered(
                scope == nil ? "none" : "filter \(storedFilter)"))
        guard let scope else {
            let everyScope = GraphRequest.customAppScopes()
            let all = try await graph.list(everyScope)
            findings.evidence.append(everyScope.answered("\(all.count) scope(s)"))
            findings.warnings += Self.lookAlikeWarnings(
                kind: "scope", name: config.scopeName, existing: all.compactMap { $0["displayName"].string })
            findings.writes.append(.createScope(name: config.scopeName, filter: filter))
            findings.step("management scope", .needsChange, "missing")
            return false
        }
        let exclusive = scope["customAttributes"]["Exclusive"].bool == true
        if exclusive {
            findings.warnings.append("scope \"\(config.scopeName)\" is exclusive: exclusive scopes do not restrict apps")
            findings.step(
                "exclusive scope", .failed, "exclusive scopes are not supported for apps; the scope does not restrict the app")
        }
        if wantedFilter == nil {
            findings.step("management scope", .needsChange, "waits for the group")
        } else if Self.sameFilter(storedFilter, filter) {
            findings.step("management scope", .verified, storedFilter)
        } else {
            findings.writes.append(.updateScope(name: config.scopeName, filter: filter))
            findings.step(
                "management scope", .needsChange,
                "filter is \(storedFilter.isEmpty ? "empty" : storedFilter), should be \(filter)")
        }
        return exclusive
    }

    /// Judges the app's role assignments: each configured role bound to the scope (or a write to
    /// bind it); an assignment without any scope reaches every mailbox (removed); one with
    /// another scope reaches more (named).
    private func judgeRoleAssignments(_ reads: ScopeReads, into findings: inout StageFindings) {
        let existing = reads.assignments ?? []
        let names = reads.roleNames
        if let spID = reads.servicePrincipalID {
            findings.evidence.append(GraphRequest.exchangeRoleAssignments(of: spID).answered("\(existing.count)"))
        }
        func roleName(_ assignment: JSONValue) -> String {
            names[(assignment["roleDefinitionId"].string ?? "").lowercased()] ?? assignment["roleDefinitionId"].string
                ?? "?"
        }
        let scopeID = facts.scopeID?.lowercased()
        for role in config.assignedRoles {
            let bound = existing.contains {
                roleName($0).caseInsensitiveCompare(role) == .orderedSame && scopeID != nil
                    && $0["appScopeId"].string?.lowercased() == scopeID
            }
            if bound {
                findings.step(role, .verified, "bound to \(config.scopeName)")
            } else {
                findings.writes.append(
                    .createRoleAssignment(name: config.assignmentName(for: role), role: role, scope: config.scopeName)
                )
                findings.step(role, .needsChange, "not assigned with this scope")
            }
        }
        for assignment in existing {
            guard let id = assignment["id"].string else { continue }
            let appScope = assignment["appScopeId"].string?.lowercased()
            if appScope != nil && appScope == scopeID { continue }
            let role = roleName(assignment)
            let directoryScope = assignment["directoryScopeId"].string ?? "/"
            if appScope == nil && directoryScope == "/" {
                findings.writes.append(.removeRoleAssignment(id: id, role: role))
                findings.step(role, .needsChange, "an assignment without a scope reaches every mailbox")
            } else {
                findings.warnings.append("the app also holds \(role) with scope \(appScope ?? directoryScope)")
            }
        }
    }

    /// Compares two OPATH filters the way Exchange stores them (it adds parentheses and may
    /// change quoting), ignoring case and outer parentheses.
    static func sameFilter(_ stored: String, _ wanted: String) -> Bool {
        func normal(_ filter: String) -> String {
            var text = filter.trimmingCharacters(in: .whitespaces)
            while text.hasPrefix("("), text.hasSuffix(")") {
                text = String(text.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
            }
            return text.lowercased().split(separator: " ").joined(separator: " ")
        }
        return normal(stored) == normal(wanted)
    }

    // MARK: Writes

    func createScope(named name: String) async throws {
        let (graph, _) = try clients()
        guard let filter = wantedFilter else {
            throw EngineError(
                stage: .scope,
                message: "the group's DN is not known yet",
                fix: "run again after the group exists"
            )
        }
        do {
            let created = try await graph.write(
                .createCustomAppScope(),
                body: [
                    "type": "RecipientScope", "displayName": .string(name),
                    "customAttributes": ["Exclusive": false, "RecipientFilter": .string(filter)],
                ]
            )
            facts.scopeID = created.body["id"].string
        } catch let error as MicrosoftError where error.isAlreadyExists {
            log(.info, "already present: \(error.message)")
            let found = try await graph.list(.customAppScopes(displayName: name))
            facts.scopeID = found.first?["id"].string
        }
    }

    func updateScope() async throws {
        let (graph, _) = try clients()
        guard let filter = wantedFilter, let id = facts.scopeID else { return }
        try await graph.write(
            .updateCustomAppScope(id: id),
            body: ["customAttributes": ["Exclusive": false, "RecipientFilter": .string(filter)]]
        )
    }

    func createRoleAssignment(role: String) async throws {
        let (graph, _) = try clients()
        guard let spID = facts.servicePrincipalID, let scopeID = facts.scopeID else {
            throw EngineError(
                stage: .scope,
                message: "the service principal or the scope is not known yet",
                fix: "run again"
            )
        }
        let definitions = try await roleDefinitions(graph: graph)
        guard
            let definition = definitions.first(where: { $0.value.caseInsensitiveCompare(role) == .orderedSame }
            )?.key
        else {
            throw EngineError(
                stage: .scope,
                message: "Exchange has no role named \(role)",
                fix: "check roles.names against Get-ManagementRole 'Application *'"
            )
        }
        do {
            try await graph.write(
                .createExchangeRoleAssignment(),
                body: [
                    "roleDefinitionId": .string(definition),
                    "principalId": .string("/ServicePrincipals/\(spID)"),
                    "directoryScopeId": .null, "appScopeId": .string(scopeID),
                ]
            )
        } catch let error as MicrosoftError where error.isAlreadyExists {
            log(.info, "already present: \(error.message)")
        }
    }

    func removeRoleAssignment(id: String) async throws {
        let (graph, _) = try clients()
        do {
            try await graph.write(.deleteExchangeRoleAssignment(id: id), body: nil)
        } catch let error as MicrosoftError where error.isNotFound {}
    }
}
