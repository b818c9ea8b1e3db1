import Foundation

// The guides' "users added to the group later work after about 30 minutes" (issue 16): a re-check
// names each direct member added since the last run, with its own wait. Exchange Online's group
// scope (the directory's direct members); the journal keeps the members of the last run.

extension SetupEngine {
    /// The group's direct mailbox members as read in this run (lower-cased primary addresses), or
    /// `nil` when no group scope was read.
    var membersRead: [String]? {
        guard !isServer, config.scopeKind == .group, facts.group != nil else { return nil }
        return facts.directMembers.filter { !$0.isGroup }.map { $0.address.lowercased() }.sorted()
    }

    /// Records the members read in this run as the last run's.
    func recordMembersRead() {
        guard let members = membersRead else { return }
        journal.lastMembers = members
        journal.lastMembersAt = environment.clock.now
        persist()
    }

    /// `reports` with a warning on the group's report for each member added since the last run:
    /// such a member is reached only once Exchange applies it (about 30 minutes in the vendor
    /// guides; Exchange Online documents 30 minutes to 2 hours). The updated report is emitted, and
    /// the members read become the last run's.
    func notingMembersAdded(to reports: [StageReport]) -> [StageReport] {
        guard let current = membersRead else { return reports }
        defer { recordMembersRead() }
        guard let last = journal.lastMembers, let since = journal.lastMembersAt,
            let index = reports.firstIndex(where: { $0.stage == .distributionGroup })
        else { return reports }
        let known = Set(last)
        let added = current.filter { !known.contains($0) }
        guard !added.isEmpty else { return reports }
        var reports = reports
        let minutes = Int(environment.clock.now.timeIntervalSince(since) / 60)
        let vendor = PresetConnections.of(config.preset).vendor
        let guide = vendor == "the integration" ? "" : "\(vendor)'s guide says about 30 minutes; "
        for address in added {
            reports[index].warnings.append(
                "\(address) joined the group since the last run (\(minutes) min ago): a member added later is reached once Exchange applies it (\(guide)Exchange Online documents 30 minutes to 2 hours); re-check after that"
            )
        }
        emit(.stage(reports[index]))
        return reports
    }
}
