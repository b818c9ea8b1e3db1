import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeServerDriver {
    func observeServerScope() async throws -> StageObservation {
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
                "the account reaches \(outside), OUTSIDE the scope: the scope's filter was widened, or another ApplicationImpersonation assignment exists",
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
