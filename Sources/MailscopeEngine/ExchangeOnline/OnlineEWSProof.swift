import Foundation
import MailscopeCore
import MicrosoftClients

/// The EWS proof as the app (`service_account.uses_ews`): `GetFolder` of the calendar with an
/// app-only token for Exchange Online and `ExchangeImpersonation` (+ `X-AnchorMailbox`) of the
/// mailbox (office-developer-exchange-docs
/// docs/exchange-web-services/how-to-authenticate-an-ews-application-by-using-oauth.md), through the
/// same EWS client the Exchange Server driver uses. The in-scope mailbox must answer, the
/// out-of-scope one must be refused. A change of `EwsAllowedAppIDs` takes up to 24 hours: until the
/// proof passes or that window ends, EWS is "not verified yet".
extension ExchangeOnlineDriver {
    /// The EWS answer codes that refuse a mailbox to the caller (office-developer-exchange-docs
    /// docs/web-service-reference/responsecode.md). Which one RBAC for Applications answers is not
    /// documented: any of them is a refusal.
    static let ewsRefusals: Set<String> = [
        "ErrorAccessDenied", "ErrorImpersonateUserDenied", "ErrorImpersonationDenied",
    ]

    /// One EWS call's verdict: true when `GetFolder` succeeded, false when refused (a refusal code,
    /// or the bare HTTP 403 of an organisation that blocks the app), nil for anything else.
    struct EWSCallVerdict {
        var succeeded: Bool?
        var line: String
    }

    /// The EWS proof of one poll, or nil when the setup does not use EWS.
    func ewsProof(
        appID: String,
        inScope: ProbeMailbox?,
        outOfScope: ProbeMailbox?
    ) async throws -> (allowed: Bool?, denied: Bool?, lines: [String])? {
        guard config.usesEWS else { return nil }
        if scopesVendorApp {
            return (nil, nil, ["EWS as the app: \(Self.vendorEffectiveUntestable)"])
        }
        if environment.clock.now >= EWSRetirement.end {
            return (nil, nil, ["EWS as the app: not tested, EWS in Exchange Online ended on 1 Apr 2027"])
        }
        let session: ClientCredentialSession
        switch appSession(appID: appID) {
        case .failure(let untested): return (nil, nil, ["EWS as the app: \(untested.description)"])
        case .success(let found): session = found
        }
        guard let url = URL(string: endpoints.exchange.absoluteString + "/EWS/Exchange.asmx") else {
            return (nil, nil, ["EWS as the app: no EWS URL for \(endpoints.exchange.absoluteString)"])
        }
        let client = EWSClient(url: url, bearer: session, sender: sender)
        var lines: [String] = []
        var allowed: Bool?
        var denied: Bool?
        if let mailbox = inScope?.address {
            let verdict = try await Self.ewsCalendar(of: mailbox, client: client)
            allowed = verdict.succeeded
            lines.append(verdict.line)
        }
        if let mailbox = outOfScope?.address {
            let verdict = try await Self.ewsCalendar(of: mailbox, client: client)
            denied = verdict.succeeded.map { !$0 }
            lines.append(verdict.line)
        }
        return (allowed, denied, lines)
    }

    /// `GetFolder` of `mailbox`'s calendar as the app, impersonating it.
    static func ewsCalendar(of mailbox: String, client: EWSClient) async throws -> EWSCallVerdict {
        let prefix = "EWS as the app: GetFolder calendar of \(mailbox) →"
        do {
            switch try await client.calendar(impersonating: mailbox) {
            case .success: return EWSCallVerdict(succeeded: true, line: "\(prefix) success")
            case .failure(let error) where ewsRefusals.contains(error.code):
                return EWSCallVerdict(succeeded: false, line: "\(prefix) \(error.code)")
            case .failure(let error):
                return EWSCallVerdict(succeeded: nil, line: "\(prefix) \(error.code) (no verdict)")
            }
        } catch EWSError.httpStatus(403, _) {
            return EWSCallVerdict(
                succeeded: false,
                line: "\(prefix) HTTP 403: EWS is blocked for the app (EwsEnabled, or not on EwsAllowedAppIDs yet)"
            )
        } catch let error as EWSError {
            return EWSCallVerdict(succeeded: nil, line: "\(prefix) \(error.description) (no verdict)")
        } catch let error as MicrosoftError {
            return EWSCallVerdict(succeeded: nil, line: "\(prefix) token: \(error.status) \(error.code) (no verdict)")
        }
    }

    /// When EWS for the app may still be on its way: 24 hours after mailscope added it to the allow
    /// list; otherwise the configured window after the last change of its roles.
    var ewsWindowEnd: Date? {
        let listed = journal.ewsAllowListChangedAt.map {
            $0.addingTimeInterval(EWSRetirement.allowListLag.timeInterval)
        }
        let roles = journal.rbacChangedAt.map { $0.addingTimeInterval(TimeInterval(config.waitDeadlineMinutes) * 60) }
        return [listed, roles].compactMap { $0 }.max()
    }

    func waitDeadline(startingAt start: Date, configured: Date) -> Date {
        guard config.usesEWS, let end = ewsWindowEnd else { return configured }
        return max(configured, end)
    }

    /// The connect report with the EWS proof: its steps; an out-of-scope mailbox reachable over EWS
    /// is an exposure; an in-scope mailbox EWS does not answer yet is "not verified yet" within the
    /// window and a failure with its evidence after it.
    func ewsConnectReport(_ report: StageReport, _ evidence: PollEvidence, waiting: Bool) -> StageReport {
        var report = report
        if scopesVendorApp {
            report.steps.append(
                StepReport(name: "EWS as the app", status: .skipped, detail: Self.vendorEffectiveUntestable)
            )
            return report
        }
        // End Event Early, chosen: the mailbox outside the rooms is an organizer the widened scope
        // covers, so EWS reaching it is the choice (the Graph report names the widening).
        let widened = EndEventEarly.widens(config)
        report.steps += [
            StepReport.verdict(
                "EWS: in-scope mailbox",
                evidence.ewsInScopeAllowed,
                yes: "GetFolder succeeded",
                no: "refused"
            ),
            widened
                ? StepReport.verdict(
                    "EWS: organizer outside the rooms", evidence.ewsOutOfScopeDenied.map { !$0 },
                    yes: "reachable, as chosen for End Event Early", no: "refused: not widened")
                : StepReport.verdict(
                    "EWS: out-of-scope mailbox",
                    evidence.ewsOutOfScopeDenied,
                    yes: "refused",
                    no: "ALLOWED"
                ),
        ]
        if evidence.ewsOutOfScopeDenied == false && !widened {
            if let ownChange = ownChangeStillClosing {
                // Only mailscope's own change of this run may still be closing; never "verified".
                if report.status != .failed { report.status = waiting ? .waiting : .notVerified }
                report.detail =
                    "the app still reaches a mailbox outside the scope over EWS; mailscope's change at "
                    + "\(Timestamps.iso8601(ownChange)) is still closing"
                return report
            }
            report.status = .failed
            report.detail = "EXPOSED over EWS: the app reaches a mailbox outside the scope with EWS"
            report.fix =
                "run apply (it removes tenant-wide full_access_as_app grants and assignments outside the scope); "
                + "until then the app can read that mailbox over EWS"
            return report
        }
        // Verified only with both verdicts: the in-scope mailbox allowed and (unless widened by
        // choice) the one outside refused; no verdict is "not verified yet", never verified.
        let outsideUnknown = !widened && evidence.ewsOutOfScopeDenied == nil
        guard report.status == .verified, evidence.ewsInScopeAllowed != true || outsideUnknown else { return report }
        let now = environment.clock.now
        if let end = ewsWindowEnd, now < end {
            report.status = waiting ? .waiting : .notVerified
            report.detail =
                "Graph proven; EWS not verified yet: "
                + (journal.ewsAllowListChangedAt.map {
                    "the app was added to EwsAllowedAppIDs at \(Timestamps.iso8601($0)), which takes up to 24 hours"
                } ?? "its role assignment is still propagating")
                + " (until \(Timestamps.iso8601(end)))"
            return report
        }
        report.status = evidence.ewsInScopeAllowed == false ? .failed : .notVerified
        report.detail =
            evidence.ewsInScopeAllowed == false
            ? "EWS refuses the app on the in-scope mailbox"
                + (journal.ewsAllowListChangedAt.map {
                    ", 24 hours after it was added to EwsAllowedAppIDs at \(Timestamps.iso8601($0))"
                } ?? "")
            : "EWS as the app gave no verdict; see the evidence"
        report.fix =
            "compare Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy (EwsEnabled True, the app on "
            + "EwsAllowedAppIDs) and the role \(SetupConfig.ewsRole) in the scope; run apply to repair"
        return report
    }
}
