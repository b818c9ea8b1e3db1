import Foundation
import MailscopeCore
import MicrosoftClients

extension ExchangeServerDriver {
    var serverInScopeMailbox: String? { config.inScopeMailbox ?? config.members.first }

    /// Probes impersonation both ways (reused within one pass; a write clears it).
    func serverProbeNow() async throws -> ServerProbe {
        if let serverProbe { return serverProbe }
        let ews = try requireEWS()
        let logon = config.serviceAccountLogon ?? config.serviceAccountAddress ?? ""
        var probe = ServerProbe(inScope: nil, outOfScope: nil, lines: [], at: environment.clock.now)
        func line(_ mailbox: String, _ result: Result<EWSFolder, EWSResponseError>) -> String {
            switch result {
            case .success: "GetFolder calendar of \(mailbox) as \(logon) with ExchangeImpersonation → NoError"
            case .failure(let error):
                "GetFolder calendar of \(mailbox) as \(logon) with ExchangeImpersonation → \(error.code)"
                    + (error.values["Primary"].map { " (primary: \($0))" } ?? "")
            }
        }
        if let mailbox = serverInScopeMailbox {
            let result = try await ewsCall(.connect) { try await ews.calendar(impersonating: mailbox) }
            probe.inScope = (mailbox, result)
            probe.lines.append(line(mailbox, result))
        }
        if let mailbox = config.outOfScopeMailbox {
            let result = try await ewsCall(.connect) { try await ews.calendar(impersonating: mailbox) }
            probe.outOfScope = (mailbox, result)
            probe.lines.append(line(mailbox, result))
        }
        serverProbe = probe
        return probe
    }

    /// Whether the step `id` ran and the propagation window since the last change is still open.
    func serverStepPropagating(_ id: String) -> Date? {
        guard
            let ran = journal.completedWrites.last(where: {
                if case .shellStep(let step) = $0.write { step.id == id } else { false }
            }),
            let changedAt = journal.rbacChangedAt,
            ran.at > (journal.verifiedAt ?? .distantPast)
        else { return nil }
        let deadline = changedAt.addingTimeInterval(TimeInterval(config.waitDeadlineMinutes) * 60)
        return environment.clock.now < deadline ? ran.at : nil
    }

    func aliasProblem(_ probe: ServerProbe) -> String? {
        guard let error = probe.inScopeError, error.code == "ErrorNonPrimarySmtpAddress", let mailbox = probe.inScope?.mailbox
        else { return nil }
        let primary = error.values["Primary"].map { "'\($0)'" } ?? "its primary address"
        return "'\(mailbox)' is an alias of \(primary): EWS impersonation refuses it (ErrorNonPrimarySmtpAddress); use the primary SMTP address in the config and in the product"
    }

    // MARK: Propagation wait

    /// The probe as poll evidence: on Exchange Server only the effective state can be observed.
    func pollEvidence(_ probe: ServerProbe) -> PollEvidence {
        var evidence = PollEvidence(
            at: probe.at,
            configuredInScope: nil,
            configuredOutOfScope: nil,
            inScopeAllowed: probe.inScopeAllowed,
            outOfScopeDenied: probe.outOfScopeDenied,
            lines: probe.lines
        )
        evidence.configuredUnobservable = true
        return evidence
    }

    /// One poll of the wait: a fresh probe.
    func poll() async throws -> PollEvidence {
        serverProbe = nil
        do {
            return pollEvidence(try await serverProbeNow())
        } catch is ServiceAccountSignInRefused {
            throw EngineError(
                stage: .connect,
                message: "EWS no longer accepts the service account's sign-in (401)",
                fix: "the password changed, expired or the account is locked out: correct service_account.password_* and run again"
            )
        }
    }

    /// The connect stage's report on Exchange Server, naming the cause when access is wrong.
    func connectReport(_ evidence: PollEvidence, waiting: Bool, exposureCause: String?) -> StageReport {
        let now = environment.clock.now
        let changedAt = journal.rbacChangedAt
        let deadline = changedAt?.addingTimeInterval(TimeInterval(config.waitDeadlineMinutes) * 60)
        // Within the window of the last change, unless access was proven after that change.
        let provenSince = changedAt.map { (journal.verifiedAt ?? .distantPast) >= $0 } ?? true
        let withinWindow = !provenSince && (deadline.map { now < $0 } ?? false)
        let probe = serverProbe
        let steps = [
            StepReport.verdict(
                "in-scope: impersonate \(probe?.inScope?.mailbox ?? "?")", evidence.inScopeAllowed,
                yes: "NoError", no: probe?.inScopeError?.code ?? "denied"),
            StepReport.verdict(
                "out-of-scope: impersonate \(probe?.outOfScope?.mailbox ?? "?")", evidence.outOfScopeDenied,
                yes: "ErrorImpersonateUserDenied", no: "ALLOWED"),
        ]
        if EndEventEarly.widens(config), evidence.inScopeAllowed == true {
            return endEventEarlyConnect(evidence, waiting: waiting, withinWindow: withinWindow)
        }
        if evidence.isSettled {
            return StageReport.connect(
                .verified,
                "EWS impersonation works in scope and is refused outside it",
                poll: evidence,
                steps: steps
            )
        }
        if let probe, let alias = aliasProblem(probe) {
            return StageReport.connect(
                .failed,
                alias,
                poll: evidence,
                steps: steps,
                fix: "use the primary SMTP address"
            )
        }
        var cause: String
        if evidence.outOfScopeDenied == false {
            cause =
                "the account reaches \(probe?.outOfScope?.mailbox ?? "a mailbox") OUTSIDE the scope: the scope was widened or another ApplicationImpersonation assignment exists"
        } else if probe?.inScopeError?.code == "ErrorImpersonationDenied" {
            cause = "the service account has no ApplicationImpersonation role (ErrorImpersonationDenied)"
        } else if probe?.inScopeError?.code == "ErrorImpersonateUserDenied" {
            cause =
                "the scope does not cover \(probe?.inScope?.mailbox ?? "the in-scope mailbox") (ErrorImpersonateUserDenied): the scope's filter or the group changed"
        } else {
            cause = "no verdict from EWS: \(probe?.inScopeError.map { "\($0.code): \($0.message)" } ?? "see the evidence")"
        }
        if withinWindow, let changedAt {
            let minutes = Int(now.timeIntervalSince(changedAt) / 60)
            return StageReport.connect(
                waiting ? .waiting : .notVerified,
                "\(minutes) min since the last change (usually 30 min to 2 h): \(cause)",
                poll: evidence,
                steps: steps
            )
        }
        return StageReport.connect(
            .failed,
            cause,
            poll: evidence,
            steps: steps,
            fix: "run mailscope apply: it shows the Exchange Management Shell step that repairs it"
        )
    }

    /// End Event Early, chosen, with the room reachable: the organizer's mailbox outside the rooms
    /// answering is the widened access (listed, verified); refused, the scope is not widened yet.
    private func endEventEarlyConnect(_ evidence: PollEvidence, waiting: Bool, withinWindow: Bool) -> StageReport {
        let organizer = serverProbe?.outOfScope?.mailbox ?? "the out-of-scope mailbox"
        let steps = [
            StepReport.verdict(
                "in-scope: impersonate \(serverProbe?.inScope?.mailbox ?? "?")", evidence.inScopeAllowed, yes: "NoError",
                no: "denied"),
            StepReport.verdict(
                "End Event Early: impersonate \(organizer)", evidence.outOfScopeDenied.map { !$0 },
                yes: "NoError, as chosen", no: "ErrorImpersonateUserDenied: not widened"),
        ]
        var report: StageReport
        if evidence.outOfScopeDenied == false {
            report = StageReport.connect(
                .verified, "EWS impersonation works for the room and, as chosen for End Event Early, for \(organizer)",
                poll: evidence, steps: steps)
        } else if withinWindow || evidence.outOfScopeDenied == nil {
            report = StageReport.connect(
                waiting && withinWindow ? .waiting : .notVerified,
                "End Event Early's widened scope does not reach \(organizer) yet", poll: evidence, steps: steps)
        } else {
            report = StageReport.connect(
                .failed, "End Event Early is on, but \(organizer) is refused: the scope is not widened", poll: evidence,
                steps: steps, fix: "run mailscope apply: it shows the step that sets the widened filter")
        }
        report.warnings = [EndEventEarly.warning]
        return report
    }
}
