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
}
