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
        case .rooms: Quoting.roomMailboxFilter
        case .group: facts.group.map { Quoting.memberOfGroupFilter(groupDN: $0.distinguishedName) }
        }
    }

    /// Graph beta's RBAC for Applications endpoints (documented; the same objects as Exchange's
    /// management scopes and management role assignments).
    static let roleManagement = "/beta/roleManagement/exchange"

    /// The Exchange application role definitions: id → name (read once per run).
    func roleDefinitions(graph: GraphClient) async throws -> [String: String] {
        let map = try await Self.roleDefinitions(known: facts.roleDefinitions, graph: graph)
        facts.roleDefinitions = map
        return map
    }

    /// The role definitions, `known` or read.
    static func roleDefinitions(known: [String: String]?, graph: GraphClient) async throws -> [String: String] {
        if let known { return known }
        let definitions = try await graph.list("\(Self.roleManagement)/roleDefinitions")
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
        let scopesPath = GraphClient.path(
            "\(Self.roleManagement)/customAppScopes",
            [("$filter", "displayName eq \(GraphClient.literal(config.scopeName))")]
        )
        async let scopes = graph.list(scopesPath)
        let known = facts.roleDefinitions
        async let names = spID == nil ? [:] : Self.roleDefinitions(known: known, graph: graph)
        async let assignments =
            spID == nil
            ? nil
            : graph.list(
                GraphClient.path(
                    "\(Self.roleManagement)/roleAssignments",
                    [("$filter", "principalId eq '/ServicePrincipals/\(spID ?? "")'")]
                )
            )
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

    func observeScope() async throws -> StageObservation {
        let (graph, _) = try clients()
        if let dn = facts.group?.distinguishedName, dn.contains(where: FieldRules.typographicQuotes.contains) {
            throw EngineError(
                stage: .scope,
                message: "the group's distinguished name contains a typographic quote, which Exchange's filter parser reads as a quote",
                fix: "rename the group without ‘ ’ ‚ ‛ (a plain apostrophe is fine), then run again")
        }
        var evidence: [String] = []
        var steps: [StepReport] = []
        var writes: [Write] = []
        var warnings: [String] = []
        let filter = wantedFilter ?? Quoting.memberOfGroupFilter(groupDN: "<DN of \(config.groupName)>")

        let reads: ScopeReads
        if let prefetched = facts.scopeReads {
            reads = prefetched
            facts.scopeReads = nil
        } else {
            reads = try await readScope(graph: graph)
        }
        let scope = reads.scopes.first
        var exclusive = false
        facts.scopeID = scope?["id"].string
        let storedFilter = scope?["customAttributes"]["RecipientFilter"].string ?? ""
        evidence.append(
            "GET \(Self.roleManagement)/customAppScopes?$filter=displayName eq '\(config.scopeName)' → \(scope == nil ? "none" : "filter \(storedFilter)")"
        )
        if let scope {
            if scope["customAttributes"]["Exclusive"].bool == true {
                exclusive = true
                warnings.append("scope \"\(config.scopeName)\" is exclusive: exclusive scopes do not restrict apps")
                steps.append(
                    StepReport(
                        name: "exclusive scope", status: .failed,
                        detail: "exclusive scopes are not supported for apps; the scope does not restrict the app"))
            }
            if wantedFilter == nil {
                steps.append(StepReport(name: "management scope", status: .needsChange, detail: "waits for the group"))
            } else if Self.sameFilter(storedFilter, filter) {
                steps.append(StepReport(name: "management scope", status: .verified, detail: storedFilter))
            } else {
                writes.append(.updateScope(name: config.scopeName, filter: filter))
                steps.append(
                    StepReport(
                        name: "management scope",
                        status: .needsChange,
                        detail: "filter is \(storedFilter.isEmpty ? "empty" : storedFilter), should be \(filter)"
                    )
                )
            }
        } else {
            let all = try await graph.list("\(Self.roleManagement)/customAppScopes")
            evidence.append("GET \(Self.roleManagement)/customAppScopes → \(all.count) scope(s)")
            warnings += Self.lookAlikeWarnings(
                kind: "scope", name: config.scopeName, existing: all.compactMap { $0["displayName"].string })
            writes.append(.createScope(name: config.scopeName, filter: filter))
            steps.append(StepReport(name: "management scope", status: .needsChange, detail: "missing"))
        }

        // The app's role assignments.
        let existing = reads.assignments ?? []
        let names = reads.roleNames
        if let spID = reads.servicePrincipalID {
            evidence.append(
                "GET \(Self.roleManagement)/roleAssignments?$filter=principalId eq '/ServicePrincipals/\(spID)' → \(existing.count)"
            )
        }
        func roleName(_ assignment: JSONValue) -> String {
            names[(assignment["roleDefinitionId"].string ?? "").lowercased()] ?? assignment["roleDefinitionId"].string
                ?? "?"
        }
        let scopeID = facts.scopeID?.lowercased()
        for role in config.roles {
            let bound = existing.contains {
                roleName($0).caseInsensitiveCompare(role) == .orderedSame && scopeID != nil
                    && $0["appScopeId"].string?.lowercased() == scopeID
            }
            if bound {
                steps.append(StepReport(name: role, status: .verified, detail: "bound to \(config.scopeName)"))
            } else {
                writes.append(
                    .createRoleAssignment(name: config.assignmentName(for: role), role: role, scope: config.scopeName)
                )
                steps.append(StepReport(name: role, status: .needsChange, detail: "not assigned with this scope"))
            }
        }
        // An assignment without any scope reaches every mailbox; one with another scope reaches more.
        for assignment in existing {
            guard let id = assignment["id"].string else { continue }
            let appScope = assignment["appScopeId"].string?.lowercased()
            if appScope != nil && appScope == scopeID { continue }
            let role = roleName(assignment)
            let directoryScope = assignment["directoryScopeId"].string ?? "/"
            if appScope == nil && directoryScope == "/" {
                writes.append(.removeRoleAssignment(id: id, role: role))
                steps.append(
                    StepReport(
                        name: role,
                        status: .needsChange,
                        detail: "an assignment without a scope reaches every mailbox"
                    )
                )
            } else {
                warnings.append("the app also holds \(role) with scope \(appScope ?? directoryScope)")
            }
        }
        let status: StageStatus = exclusive ? .failed : writes.isEmpty ? .verified : .needsChange
        let detail =
            exclusive
            ? "\(config.scopeName) is an exclusive scope, which does not restrict an app"
            : writes.isEmpty
                ? "\(config.scopeName): \(filter); \(config.roles.count) role(s) bound" : "\(writes.count) change(s) needed"
        return StageObservation(
            report: StageReport(
                stage: .scope,
                status: status,
                detail: detail,
                evidence: evidence,
                warnings: warnings,
                fix: exclusive
                    ? "an exclusive scope cannot be made ordinary (Set-ManagementScope has no -Exclusive): remove the "
                        + "app's role assignments on it and the scope (Remove-ManagementScope), then run mailscope apply"
                    : nil,
                steps: steps
            ),
            writes: writes
        )
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
                "POST",
                "\(Self.roleManagement)/customAppScopes",
                body: [
                    "type": "RecipientScope", "displayName": .string(name),
                    "customAttributes": ["Exclusive": false, "RecipientFilter": .string(filter)],
                ]
            )
            facts.scopeID = created.body["id"].string
        } catch let error as MicrosoftError where error.isAlreadyExists {
            log(.info, "already present: \(error.message)")
            let found = try await graph.list(
                GraphClient.path(
                    "\(Self.roleManagement)/customAppScopes",
                    [("$filter", "displayName eq \(GraphClient.literal(name))")]))
            facts.scopeID = found.first?["id"].string
        }
    }

    func updateScope() async throws {
        let (graph, _) = try clients()
        guard let filter = wantedFilter, let id = facts.scopeID else { return }
        try await graph.write(
            "PATCH",
            "\(Self.roleManagement)/customAppScopes/\(GraphClient.segment(id))",
            body: ["customAttributes": ["Exclusive": false, "RecipientFilter": .string(filter)]],
            idempotent: true
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
                "POST",
                "\(Self.roleManagement)/roleAssignments",
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
            try await graph.write(
                "DELETE",
                "\(Self.roleManagement)/roleAssignments/\(GraphClient.segment(id))",
                body: nil,
                idempotent: true
            )
        } catch let error as MicrosoftError where error.isNotFound {}
    }
}
