import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeServerDriver {
    func observeServerScope() async throws -> StageObservation {
        let observation = try await observeImpersonationScope()
        return try await withDelegateAccess(observation)
    }

    /// Mailbox FullAccess of the service account on the integration's mailboxes (the "delegate
    /// access" the Eptura guide warns about): it reaches the whole mailbox whatever the scope. Read
    /// over EWS as the account itself, without impersonation; each one found is named and its
    /// removal is a shell step.
    func withDelegateAccess(_ observation: StageObservation) async throws -> StageObservation {
        let ews = try requireEWS()
        let own = (config.serviceAccountAddress ?? "").lowercased()
        var seen: Set<String> = []
        let mailboxes = (config.members + [config.inScopeMailbox, config.outOfScopeMailbox].compactMap { $0 }).filter {
            $0.lowercased() != own && seen.insert($0.lowercased()).inserted
        }
        guard !mailboxes.isEmpty else { return observation }
        let opened = try await ews.calendarsOpenedAsDelegate(mailboxes)
        var result = observation
        let logon = config.serviceAccountLogon ?? config.serviceAccountAddress ?? ""
        result.report.evidence.append(
            "GetFolder calendar of \(mailboxes.count) mailbox(es) as \(logon), without impersonation → "
                + (opened.isEmpty ? "ErrorAccessDenied for each (no delegate access)" : "opened: \(opened.joined(separator: ", "))"))
        guard !opened.isEmpty else { return result }
        if let removed = serverStepPropagating("remove-full-access") {
            // Removed by this setup and not yet in effect: not verified yet (the wait proves it).
            result.report.steps.append(
                StepReport(
                    name: "delegate access", status: .notVerified,
                    detail: "FullAccess on \(opened.joined(separator: ", ")) removed at \(Timestamps.iso8601(removed)); "
                        + "still in effect"))
            if result.report.status == .verified { result.report.status = .notVerified }
            return result
        }
        result.writes.append(.shellStep(ServerSteps.removeFullAccess(config, mailboxes: opened)))
        result.report.steps.append(
            StepReport(
                name: "delegate access", status: .needsChange,
                detail: "FullAccess on \(opened.joined(separator: ", ")): the account opens the whole mailbox, outside any scope"))
        let delegated = "delegate access (FullAccess) on \(opened.joined(separator: ", ")) reaches those mailboxes whatever the scope"
        if result.report.status == .verified || result.report.status == .notVerified {
            result.report.status = .needsChange
            result.report.detail = delegated
        } else {
            result.report.detail += "; \(delegated)"
        }
        return result
    }

    /// The impersonation probe's verdict on the scope.
    func observeImpersonationScope() async throws -> StageObservation {
        let probe = try await serverProbeNow()
        let repair = Write.shellStep(ServerSteps.repairScope(config))
        let propagating = serverStepPropagating("repair-scope") ?? serverStepPropagating("assign-impersonation")
            ?? serverStepPropagating("add-members")
        func report(_ status: StageStatus, _ detail: String, writes: [Write] = [], fix: String? = nil) -> StageObservation {
            StageObservation(
                report: StageReport(stage: .scope, status: status, detail: detail, evidence: probe.lines, fix: fix),
                writes: writes
            )
        }
        if probe.inScopeError?.code == "ErrorImpersonationDenied" {
            return report(.pending, "waits for the impersonation role")
        }
        if aliasProblem(probe) != nil { return report(.notVerified, "not tested: the in-scope mailbox is an alias") }
        let outside = probe.outOfScope?.mailbox ?? "?"
        let inside = probe.inScope?.mailbox ?? "?"
        if EndEventEarly.widens(config), probe.inScopeAllowed == true {
            return endEventEarlyScope(probe, propagating: propagating, repair: repair)
        }
        switch (probe.inScopeAllowed, probe.outOfScopeDenied) {
        case (true, true):
            return report(.verified, "limited to scope \"\(config.scopeName)\": \(inside) reachable, \(outside) refused")
        case (_, false):
            if let ranAt = propagating {
                return report(
                    .notVerified,
                    "the account still reaches \(outside) outside the scope; changed at \(Timestamps.iso8601(ranAt)), waiting for Exchange"
                )
            }
            return report(
                .needsChange,
                "exposure: the account reaches \(outside), OUTSIDE the scope: the scope's filter was widened, or the account "
                    + "holds ApplicationImpersonation another way (an unscoped assignment, or a role group with the "
                    + "organisation-wide default scope, as the Eptura and Nylas guides create)",
                writes: [repair]
            )
        case (false, _):
            if let ranAt = propagating {
                return report(
                    .notVerified,
                    "\(inside) not reachable yet; changed at \(Timestamps.iso8601(ranAt)), waiting for Exchange"
                )
            }
            return report(
                .needsChange,
                "the scope does not cover \(inside) (ErrorImpersonateUserDenied): the scope's filter or the group changed",
                writes: [repair]
            )
        default:
            return report(.notVerified, "no verdict: see the evidence")
        }
    }

    /// End Event Early, chosen: the mailbox outside the rooms (connect.out_of_scope_mailbox, an
    /// organizer's) must be reachable: listed as the widened access, never a failure. Refused, the
    /// scope was not widened: the repair step sets the widened filter.
    private func endEventEarlyScope(_ probe: ServerProbe, propagating: Date?, repair: Write) -> StageObservation {
        let organizer = probe.outOfScope?.mailbox ?? "the out-of-scope mailbox"
        var report = StageReport(stage: .scope, status: .verified, detail: "", evidence: probe.lines)
        var writes: [Write] = []
        switch probe.outOfScopeDenied {
        case .some(false):
            report.detail =
                "scope \"\(config.scopeName)\" widened for End Event Early, as chosen: \(probe.inScope?.mailbox ?? "the room") and \(organizer) reachable"
        case .some(true):
            if let ranAt = propagating {
                report.status = .notVerified
                report.detail =
                    "\(organizer) not reachable yet; the widened scope was set at \(Timestamps.iso8601(ranAt)), waiting for Exchange"
            } else {
                report.status = .needsChange
                report.detail = "End Event Early is on, but \(organizer) is refused: the scope is not widened"
                writes = [repair]
            }
        case .none:
            report.status = .notVerified
            report.detail = "no verdict for \(organizer): see the evidence"
        }
        report.warnings = [EndEventEarly.warning]
        return StageObservation(report: report, writes: writes)
    }
}
