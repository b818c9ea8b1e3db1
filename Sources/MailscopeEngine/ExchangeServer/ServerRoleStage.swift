import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeServerDriver {
    func observeServerRole() async throws -> StageObservation {
        let probe = try await serverProbeNow()
        let address = config.serviceAccountAddress ?? ""
        guard let inScope = probe.inScope else {
            return StageObservation(
                report: StageReport(stage: .impersonationRole, status: .notVerified, detail: "no in-scope mailbox to test"),
                writes: []
            )
        }
        if let alias = aliasProblem(probe) {
            return StageObservation(
                report: StageReport(
                    stage: .impersonationRole,
                    status: .failed,
                    detail: alias,
                    evidence: probe.lines,
                    fix: "replace the alias in the config (group.members / connect.in_scope_mailbox) with the primary address"
                ),
                writes: []
            )
        }
        switch inScope.result {
        case .success:
            return StageObservation(
                report: StageReport(
                    stage: .impersonationRole,
                    status: .verified,
                    detail: "\(address) holds ApplicationImpersonation: it impersonates \(inScope.mailbox)",
                    evidence: probe.lines
                ),
                writes: []
            )
        case .failure(let error) where error.code == "ErrorImpersonateUserDenied":
            return StageObservation(
                report: StageReport(
                    stage: .impersonationRole,
                    status: .verified,
                    detail: "\(address) holds ApplicationImpersonation (refusals are per mailbox: ErrorImpersonateUserDenied); see the scope",
                    evidence: probe.lines
                ),
                writes: []
            )
        case .failure(let error) where error.code == "ErrorImpersonationDenied":
            if let ranAt = serverStepPropagating("assign-impersonation") {
                return StageObservation(
                    report: StageReport(
                        stage: .impersonationRole,
                        status: .notVerified,
                        detail: "assigned at \(Timestamps.iso8601(ranAt)); not effective yet (Exchange applies it within about 2 hours)",
                        evidence: probe.lines
                    ),
                    writes: []
                )
            }
            return StageObservation(
                report: StageReport(
                    stage: .impersonationRole,
                    status: .needsChange,
                    detail: "\(address) has no ApplicationImpersonation role (ErrorImpersonationDenied): the assignment is missing, disabled or removed",
                    evidence: probe.lines
                ),
                writes: [.shellStep(ServerSteps.assignImpersonation(config))]
            )
        case .failure(let error):
            return StageObservation(
                report: StageReport(
                    stage: .impersonationRole,
                    status: error.code == "ErrorNonExistentMailbox" ? .failed : .notVerified,
                    detail: "impersonating \(inScope.mailbox) answers \(error.code): \(error.message)",
                    evidence: probe.lines,
                    fix: error.code == "ErrorNonExistentMailbox" ? "name an existing mailbox in the config" : nil
                ),
                writes: []
            )
        }
    }
}
