import Foundation

// The guides' "users added to the group later work after about 30 minutes" (issue 16): a re-check
// names each direct member added since the last run, with its own wait. The state directory keeps
// the members the last run read (members.json beside the journal); a driver says which members it read (the directory's direct members
// on Exchange Online, ExpandDL's on Exchange Server).

extension TargetDriver {
    /// A driver that does not read the group's direct members has none.
    var directMembersRead: [String]? { nil }
}

extension SetupEngine {
    /// Records the members read in this run as the last run's.
    func recordMembersRead() {
        guard let members = driver.directMembersRead else { return }
        do {
            try run.store.saveLastMembers(members)
        } catch {
            run.log(.warning, "could not keep the group's members at \(run.store.membersURL.path): \(error)")
            return
        }
        run.journal.lastMembersAt = run.environment.clock.now
        run.persist()
    }

    /// `reports` with a warning on the group's report for each member added since the last run:
    /// such a member is reached only once Exchange applies it (about 30 minutes in the vendor
    /// guides; Exchange Online documents 30 minutes to 2 hours). The updated report is emitted, and
    /// the members read become the last run's.
    func notingMembersAdded(to reports: [StageReport]) -> [StageReport] {
        guard let current = driver.directMembersRead else { return reports }
        defer { recordMembersRead() }
        guard let since = run.journal.lastMembersAt, let last = run.store.lastMembers(),
            let index = reports.firstIndex(where: { $0.stage == .distributionGroup })
        else { return reports }
        let known = Set(last)
        let added = current.filter { !known.contains($0) }
        guard !added.isEmpty else { return reports }
        var reports = reports
        let minutes = Int(run.environment.clock.now.timeIntervalSince(since) / 60)
        let vendor = PresetConnections.of(run.config.preset).vendor
        let guide = vendor == "the integration" ? "" : "\(vendor)'s guide says about 30 minutes; "
        let documented = driver.memberPropagation
        for address in added {
            reports[index].warnings.append(
                "\(address) joined the group since the last run (\(minutes) min ago): a member added later is reached once Exchange applies it (\(guide)\(documented)); re-check after that"
            )
        }
        run.emit(.stage(reports[index]))
        return reports
    }
}
