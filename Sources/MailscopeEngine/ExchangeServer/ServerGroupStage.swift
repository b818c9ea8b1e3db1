import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeServerDriver {
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
        var evidence: [String] = []
        var warnings: [String] = []
        var problems: [String] = []
        // Each configured member, resolved to its primary address: the one candidate that holds the
        // address exactly, as `SMTP:` matches partially (never the first candidate).
        var primaries: [String] = []
        for (index, member) in config.members.enumerated() {
            let result = try await ewsCall(.distributionGroup) { try await ews.resolve(member) }
            switch result {
            case .success(let found):
                guard let entry = EWSMailbox.exactMatch(of: member, in: found) else {
                    let others = found.map(\.address).filter { !$0.isEmpty }
                    evidence.append("ResolveNames \(member) → no exact match among \(found.count) candidate(s)")
                    problems.append(
                        others.isEmpty
                            ? "group.members[\(index)] '\(member)' resolves to no mailbox"
                            : "group.members[\(index)] '\(member)' is no mailbox's SMTP address; ResolveNames found only "
                                + "addresses that begin the same way (\(others.prefix(5).joined(separator: ", "))\(others.count > 5 ? ", …" : ""))"
                    )
                    continue
                }
                evidence.append("ResolveNames \(member) → \(entry.address) (\(entry.mailboxType))")
                if entry.isGroup {
                    // Never handed to the admin's command: a nested group's members are out of scope.
                    warnings.append(
                        "group.members[\(index)] '\(member)' is a group: scopes count direct members only, so its members would NOT be in scope; it is left out (list its mailboxes instead)"
                    )
                    continue
                }
                if entry.address.caseInsensitiveCompare(member) != .orderedSame {
                    warnings.append(
                        "group.members[\(index)] '\(member)' is an alias of '\(entry.address)': the primary address is used (EWS impersonation refuses an alias with ErrorNonPrimarySmtpAddress); give '\(entry.address)' to the product too"
                    )
                }
                if let first = primaries.first(where: { $0.caseInsensitiveCompare(entry.address) == .orderedSame }) {
                    warnings.append("group.members[\(index)] '\(member)' is the same mailbox as \(first); the duplicate is dropped")
                    continue
                }
                primaries.append(entry.address)
            case .failure(let error):
                evidence.append("ResolveNames \(member) → \(error.code)")
                problems.append("group.members[\(index)] '\(member)' is not a mailbox Exchange knows (\(error.code))")
            }
        }
        var expanded = try await ewsCall(.distributionGroup) { try await ews.expandDistributionList(group) }
        // Some servers answer ExpandDL of a missing group with Success and no members: an empty
        // answer counts as a group only when ResolveNames finds a group at that address.
        if case .success(let entries) = expanded, entries.isEmpty {
            let found = try await ewsCall(.distributionGroup) { try await ews.resolve(group) }
            let isGroup = (try? found.get()).flatMap { EWSMailbox.exactMatch(of: group, in: $0) }?.isGroup ?? false
            evidence.append("ResolveNames \(group) → \(isGroup ? "a group" : "no group")")
            if !isGroup {
                expanded = .failure(EWSResponseError(code: "ErrorNameResolutionNoResults", message: "no group at \(group)", status: 200))
            }
        }
        switch expanded {
        case .failure(let error):
            evidence.append("ExpandDL \(group) → \(error.code)")
            let report = StageReport(
                stage: .distributionGroup,
                status: problems.isEmpty ? .needsChange : .failed,
                detail: problems.first ?? "the group \(group) does not exist yet",
                evidence: evidence,
                warnings: warnings,
                fix: problems.isEmpty ? nil : "correct group.members and run again"
            )
            // A step is handed over only once every member resolves: never a command with a member
            // the admin would have to correct afterwards.
            return StageObservation(
                report: report, writes: problems.isEmpty ? [.shellStep(ServerSteps.createGroup(config, members: primaries))] : [])
        case .success(let entries):
            evidence.append("ExpandDL \(group) → \(entries.count) direct member\(entries.count == 1 ? "" : "s")")
            let present = Set(entries.map { $0.address.lowercased() })
            for nested in entries where nested.isGroup {
                warnings.append(
                    "\(nested.address) is a nested group in \(group): its members are not in scope (direct members only)"
                )
            }
            let missing = primaries.filter { !present.contains($0.lowercased()) }
            var seen: Set<String> = []
            let unique = missing.filter { seen.insert($0.lowercased()).inserted }
            let wanted = Set(primaries.map { $0.lowercased() })
            let extra = entries.filter { !wanted.contains($0.address.lowercased()) }
            if !extra.isEmpty {
                warnings.append(
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
            return StageObservation(
                report: StageReport(
                    stage: .distributionGroup,
                    status: status,
                    detail: detail,
                    evidence: evidence,
                    warnings: warnings + problems.dropFirst(),
                    fix: problems.isEmpty ? nil : "correct group.members and run again"
                ),
                writes: unique.isEmpty || !problems.isEmpty ? [] : [.shellStep(ServerSteps.addMembers(config, members: unique))]
            )
        }
    }

    /// The mailbox that must be reachable: the configured one, or the first member as written.
}
