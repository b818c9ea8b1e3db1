import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeServerDriver {
    func observeServerAccount() async throws -> StageObservation {
        let ews = try requireEWS()
        let address = config.serviceAccountAddress ?? ""
        let logon = config.serviceAccountLogon ?? address
        let ran = journal.completedWrites.contains { if case .shellStep(let step) = $0.write { step.id == "create-mailbox" } else { false } }
        do {
            let answer = try await ews.calendar()
            noteServiceAccountSignIn(accepted: true, logon: logon)
            switch answer {
            case .success(let folder):
                let version = folder.serverVersion.map { " (Exchange \($0))" } ?? ""
                return StageFindings(evidence: ["GetFolder calendar as \(logon) → NoError\(version)"]).observation(
                    stage: .serviceAccount, status: .verified,
                    detail: "\(logon) signs in to EWS (\(config.ewsAuthentication.rawValue)) and its own calendar answers")
            case .failure(let error) where error.code == "ErrorNonExistentMailbox":
                return StageFindings(
                    evidence: ["GetFolder calendar as \(logon) → \(error.code)"],
                    writes: [.shellStep(ServerSteps.enableMailbox(config))]
                ).observation(
                    stage: .serviceAccount, status: .needsChange,
                    detail: "\(logon) signs in but has no mailbox (impersonation needs one)")
            case .failure(let error):
                return StageFindings(evidence: ["GetFolder calendar as \(logon) → \(error.code)"]).observation(
                    stage: .serviceAccount, status: .failed,
                    detail: "\(logon) signs in, but its calendar answers \(error.code): \(error.message)",
                    fix: "check the service account's mailbox in the Exchange admin center")
            }
        } catch EWSError.unauthorized {
            noteServiceAccountSignIn(accepted: false, logon: logon)
            var report = StageReport(
                stage: .serviceAccount,
                status: .needsChange,
                detail: "EWS refuses \(logon): the account does not exist yet, or its password differs from mailscope's",
                evidence: ["GetFolder calendar as \(logon) → 401"]
            )
            if ran {
                report.warnings.append(
                    "the create step ran before; if the account exists, its password differs from service_account.password_* (or it is locked out)"
                )
            }
            return StageObservation(report: report, writes: [.shellStep(ServerSteps.createMailbox(config))])
        } catch let error as EWSError {
            return try await ewsCall(.serviceAccount) { throw error }
        } catch is ServiceAccountSignInRefused {
            throw EngineError(stage: .serviceAccount, message: "EWS refused the sign-in", fix: "check service_account.password_*")
        }
    }

    /// The preflight proves only that EWS answers and which sign-in it offers; whether it accepts the
    /// service account is known once the service account stage signs in. The sign-in stage then says
    /// which it is: verified when EWS accepts the account, not verified yet while it refuses it (the
    /// account is missing, or its password differs), never "verified" beside "EWS refuses".
    func noteServiceAccountSignIn(accepted: Bool, logon: String) {
        guard var report = journal.reports.first(where: { $0.stage == .signIn }),
            report.status == .verified || report.status == .notVerified
        else { return }
        let host = ewsHost
        let scheme = config.ewsAuthentication == .ntlm ? "NTLM" : "Basic"
        let status: StageStatus = accepted ? .verified : .notVerified
        let detail =
            accepted
            ? "EWS at \(host) accepts \(logon) with \(scheme)"
            : "EWS refuses \(logon) with \(scheme) until the service account exists with mailscope's password (EWS at \(host) answers)"
        guard report.status != status || report.detail != detail else { return }
        report.status = status
        report.detail = detail
        run.keep(report, save: false)
        emit(.stage(report))
    }
}
