import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeServerDriver {
    /// The configured members as EWS resolved them: the primary address of each mailbox to keep
    /// (in order, without duplicates), and each member that is no mailbox (a problem to correct).
    struct ServerMembers {
        /// The primary SMTP addresses of the members to have in the group.
        var primaries: [String] = []
        /// A line for each configured member that does not resolve to a mailbox, or that breaks a
        /// rule of the preset's guide (Nylas: a primary address, the service account's domain).
        var problems: [String] = []
    }

    /// Reads the group and its direct members through EWS: each configured member resolved to its
    /// primary address, the group expanded, and the shell step that creates it or adds the
    /// missing members (only once every member resolves).
    func observeServerGroup() async throws -> StageObservation {
        guard config.scopeKind == .group else {
            return StageObservation(
                report: StageReport(
                    stage: .distributionGroup,
                    status: .skipped,
                    detail: "the scope covers room mailboxes by filter; no group needed"
                ),
                writes: []
            )
        }
        let ews = try requireEWS()
        let group = config.effectiveGroupAddress
        var findings = StageFindings()
        var members = ServerMembers()
        for (index, member) in config.members.enumerated() {
            let result = try await ewsCall(.distributionGroup) { try await ews.resolve(member) }
            judgeMember(member, at: index, resolved: result, into: &members, findings: &findings)
        }
        switch try await expandGroup(group, ews: ews, into: &findings) {
        case .failure(let error):
            findings.evidence.append("ExpandDL \(group) → \(error.code)")
            // A step is handed over only once every member resolves: never a command with a member
            // the admin would have to correct afterwards.
            if members.problems.isEmpty {
                findings.writes = [.shellStep(ServerSteps.createGroup(config, members: members.primaries))]
            }
            findings.warnings += members.problems.dropFirst()
            nylasStep(members, into: &findings)
            return findings.observation(
                stage: .distributionGroup,
                status: members.problems.isEmpty ? .needsChange : .failed,
                detail: members.problems.first ?? "the group \(group) does not exist yet",
                fix: members.problems.isEmpty ? nil : "correct group.members and run again"
            )
        case .success(let entries):
            expandedMembers = entries.filter { !$0.isGroup }.map { $0.address.lowercased() }.sorted()
            return serverGroupMembership(entries, group: group, members: members, findings: findings)
        }
    }

    /// One configured member, resolved: its primary address is kept when it is a mailbox that
    /// holds the address exactly (`SMTP:` matches partially, so never the first candidate);
    /// a group, an alias and a duplicate are named; anything else is a problem.
    private func judgeMember(
        _ member: String, at index: Int, resolved result: Result<[EWSMailbox], EWSResponseError>,
        into members: inout ServerMembers, findings: inout StageFindings
    ) {
        switch result {
        case .success(let found):
            guard let entry = EWSMailbox.exactMatch(of: member, in: found) else {
                let others = found.map(\.address).filter { !$0.isEmpty }
                findings.evidence.append("ResolveNames \(member) → no exact match among \(found.count) candidate(s)")
                members.problems.append(
                    others.isEmpty
                        ? "group.members[\(index)] '\(member)' resolves to no mailbox"
                        : "group.members[\(index)] '\(member)' is no mailbox's SMTP address; ResolveNames found only "
                            + "addresses that begin the same way (\(others.prefix(5).joined(separator: ", "))\(others.count > 5 ? ", …" : ""))"
                )
                return
            }
            findings.evidence.append("ResolveNames \(member) → \(entry.address) (\(entry.mailboxType))")
            if entry.isGroup {
                // Never handed to the admin's command: a nested group's members are out of scope.
                findings.warnings.append(
                    "group.members[\(index)] '\(member)' is a group: scopes count direct members only, so its members would NOT be in scope; it is left out (list its mailboxes instead)"
                )
                return
            }
            if NylasRules.apply(to: config) {
                // Nylas's guide: an alias, or another domain than the service account's, cannot be connected.
                members.problems += NylasRules.problems(configured: member, primary: entry.address, index: index, config: config)
            } else if entry.address.caseInsensitiveCompare(member) != .orderedSame {
                findings.warnings.append(
                    "group.members[\(index)] '\(member)' is an alias of '\(entry.address)': the primary address is used (EWS impersonation refuses an alias with ErrorNonPrimarySmtpAddress); give '\(entry.address)' to the product too"
                )
            }
            if let first = members.primaries.first(where: { $0.caseInsensitiveCompare(entry.address) == .orderedSame }) {
                findings.warnings.append("group.members[\(index)] '\(member)' is the same mailbox as \(first); the duplicate is dropped")
                return
            }
            members.primaries.append(entry.address)
        case .failure(let error):
            findings.evidence.append("ResolveNames \(member) → \(error.code)")
            members.problems.append("group.members[\(index)] '\(member)' is not a mailbox Exchange knows (\(error.code))")
        }
    }

    /// The group's direct members (ExpandDL). Some servers answer ExpandDL of a missing group with
    /// Success and no members: an empty answer counts as a group only when ResolveNames finds a
    /// group at that address.
    private func expandGroup(
        _ group: String, ews: EWSClient, into findings: inout StageFindings
    ) async throws -> Result<[EWSMailbox], EWSResponseError> {
        let expanded = try await ewsCall(.distributionGroup) { try await ews.expandDistributionList(group) }
        guard case .success(let entries) = expanded, entries.isEmpty else { return expanded }
        let found = try await ewsCall(.distributionGroup) { try await ews.resolve(group) }
        let isGroup = (try? found.get()).flatMap { EWSMailbox.exactMatch(of: group, in: $0) }?.isGroup ?? false
        findings.evidence.append("ResolveNames \(group) → \(isGroup ? "a group" : "no group")")
        if !isGroup {
            return .failure(EWSResponseError(code: "ErrorNameResolutionNoResults", message: "no group at \(group)", status: 200))
        }
        return expanded
    }

    /// The group exists: its direct members compared with the wanted ones (nested groups and
    /// members not in the config named), and the step that adds the missing ones.
    private func serverGroupMembership(
        _ entries: [EWSMailbox], group: String, members: ServerMembers, findings: StageFindings
    ) -> StageObservation {
        var findings = findings
        let (primaries, problems) = (members.primaries, members.problems)
        findings.evidence.append("ExpandDL \(group) → \(entries.count) direct member\(entries.count == 1 ? "" : "s")")
        let present = Set(entries.map { $0.address.lowercased() })
        for nested in entries where nested.isGroup {
            findings.warnings.append(
                "\(nested.address) is a nested group in \(group): its members are not in scope (direct members only)"
            )
        }
        let missing = primaries.filter { !present.contains($0.lowercased()) }
        var seen: Set<String> = []
        let unique = missing.filter { seen.insert($0.lowercased()).inserted }
        let wanted = Set(primaries.map { $0.lowercased() })
        let extra = entries.filter { !wanted.contains($0.address.lowercased()) }
        if !extra.isEmpty {
            findings.warnings.append(
                "\(extra.count) direct member\(extra.count == 1 ? "" : "s") not in the config (in scope too): "
                    + extra.prefix(5).map(\.address).joined(separator: ", ")
            )
        }
        let status: StageStatus = !problems.isEmpty ? .failed : unique.isEmpty ? .verified : .needsChange
        let detail =
            problems.first
            ?? (unique.isEmpty
                ? "all \(primaries.count) mailboxes are direct members of \(group)"
                : "\(unique.count) of \(primaries.count) mailboxes are not direct members of \(group) yet")
        findings.warnings += problems.dropFirst()
        nylasStep(members, into: &findings)
        if !unique.isEmpty && problems.isEmpty {
            findings.writes = [.shellStep(ServerSteps.addMembers(config, members: unique))]
        }
        return findings.observation(
            stage: .distributionGroup,
            status: status,
            detail: detail,
            fix: problems.isEmpty ? nil : "correct group.members and run again"
        )
    }
}

extension ExchangeServerDriver {
    /// Nylas's rules as a step of the group stage: every member by its primary address, in the
    /// service account's domain (the problems themselves are the stage's detail and warnings).
    func nylasStep(_ members: ServerMembers, into findings: inout StageFindings) {
        guard NylasRules.apply(to: config) else { return }
        let broken = members.problems.filter { $0.contains("Nylas") }
        findings.step(
            "Nylas: primary addresses, one domain", broken.isEmpty ? .verified : .failed,
            broken.isEmpty
                ? "every member by its primary address, in \(config.serviceAccountDomain) like \(config.serviceAccountAddress ?? "the service account")"
                : "\(broken.count) problem\(broken.count == 1 ? "" : "s"): \(broken.joined(separator: "; "))")
    }

    /// The group's members ExpandDL answered in this run (MemberArrivals).
    var directMembersRead: [String]? { run.config.scopeKind == .group ? expandedMembers : nil }

    var memberPropagation: String { "Exchange Server's cache can take up to 2 hours" }
}
