import Foundation
import MailscopeCore
import MicrosoftClients

/// EWS refused the service account's sign-in (401) while reading a stage after the service account.
struct ServiceAccountSignInRefused: Error, Sendable {
    var stage: StageID
}

/// A shell step that was handed over but not run (no one at the shell): the stage waits for it.
struct ShellStepNotRun: Error, Sendable {
    var step: ShellStep
    var reason: String
}

/// What one impersonation probe over EWS saw: `GetFolder` (calendar) as the service account with
/// `ExchangeImpersonation` of a mailbox that must be reachable and of one that must not be.
struct ServerProbe: Sendable {
    /// The mailbox inside the scope, as configured, and what impersonating it answered.
    var inScope: (mailbox: String, result: Result<EWSFolder, EWSResponseError>)?
    /// The mailbox outside the scope, and what impersonating it answered.
    var outOfScope: (mailbox: String, result: Result<EWSFolder, EWSResponseError>)?
    /// One line per request, for the evidence.
    var lines: [String]
    /// When it ran.
    var at: Date

    /// Whether the in-scope mailbox was reached.
    var inScopeAllowed: Bool? { Self.allowed(inScope?.result) }
    /// Whether the out-of-scope mailbox was refused.
    var outOfScopeDenied: Bool? { Self.allowed(outOfScope?.result).map { !$0 } }
    /// The error the in-scope probe got, if any.
    var inScopeError: EWSResponseError? {
        if case .failure(let error)? = inScope?.result { return error }
        return nil
    }

    /// true for success, false for an impersonation refusal, nil for anything else (no verdict).
    static func allowed(_ result: Result<EWSFolder, EWSResponseError>?) -> Bool? {
        switch result {
        case .success?: true
        case .failure(let error)?:
            ["ErrorImpersonateUserDenied", "ErrorImpersonationDenied"].contains(error.code) ? false : nil
        case nil: nil
        }
    }
}

extension SetupEngine {
    var isServer: Bool { config.target == .exchangeServer }

    func requireEWS() throws -> EWSClient {
        guard let ews else { throw EngineError(stage: .signIn, message: "not signed in to EWS", fix: "run again") }
        return ews
    }

    // MARK: Sign-in (preflight)

    /// Exchange Server: reads the service account's password, asks EWS anonymously which sign-in
    /// schemes it offers, and prepares EWS as the service account.
    func serverSignIn() async throws -> SignedInTenant {
        guard let ewsURL = config.ewsURL, let url = URL(string: ewsURL), let host = url.host else {
            throw EngineError(stage: .signIn, message: "server.ews_url is not a URL", fix: "correct server.ews_url")
        }
        let password = try readServicePassword()
        servicePassword = password
        let logon = config.serviceAccountLogon ?? config.serviceAccountAddress ?? ""
        var evidence: [String] = []
        let anonymous = EWSClient(url: url, authentication: nil, sender: sender)
        var offered: [String] = []
        do {
            _ = try await anonymous.calendar()
            evidence.append("POST \(url.path) without credentials → answered (the server allows anonymous EWS?)")
        } catch EWSError.unauthorized(let schemes) {
            offered = schemes
            evidence.append("POST \(url.path) without credentials → 401, offers \(schemes.joined(separator: ", "))")
        } catch let error as TransportError {
            let fix: String
            switch error {
            case .tlsFailure:
                fix = "the server's certificate is not trusted here: set server.ca_bundle to your CA's PEM bundle"
            case .refusedURL: fix = "use an https:// EWS URL"
            default: fix = "check the EWS URL, DNS and firewall from this machine (curl -v \(ewsURL))"
            }
            throw EngineError(stage: .signIn, message: "EWS at \(host): \(error.description)", fix: fix)
        } catch let error as EWSError {
            throw EngineError(
                stage: .signIn,
                message: "\(ewsURL) is not an EWS endpoint: \(error.description)",
                fix: "give the EWS URL, https://<server>/EWS/Exchange.asmx"
            )
        }
        let wanted = config.ewsAuthentication == .ntlm ? "NTLM" : "Basic"
        if !offered.isEmpty && !offered.contains(wanted) {
            let other = offered.contains("NTLM") ? "ntlm" : offered.contains("Basic") ? "basic" : nil
            throw EngineError(
                stage: .signIn,
                message: "EWS at \(host) does not offer \(wanted) sign-in (it offers \(offered.joined(separator: ", ")))",
                fix: other.map { "set server.auth = \"\($0)\"" }
                    ?? "enable Windows (NTLM) authentication on the EWS virtual directory: Set-WebServicesVirtualDirectory -WindowsAuthentication $true"
            )
        }
        var warnings: [String] = []
        if config.ewsAuthentication == .basic {
            warnings.append("Basic sends the password with every request; prefer server.auth = \"ntlm\"")
        }
        ews = EWSClient(
            url: url,
            authentication: HTTPAuthentication(scheme: config.ewsAuthentication, username: logon, password: password),
            sender: sender
        )
        let report = StageReport(
            stage: .signIn,
            status: .verified,
            detail: "EWS at \(host) answers and offers \(offered.isEmpty ? "no challenge" : offered.joined(separator: ", ")); "
                + "mailscope signs in as \(logon) with \(wanted)",
            evidence: evidence,
            warnings: warnings
        )
        journal.reports.removeAll { $0.stage == .signIn }
        journal.reports.append(report)
        emit(.stage(report))
        persist()
        return SignedInTenant(
            id: host,
            displayName: "Exchange Server at \(host)",
            defaultDomain: config.serviceAccountDomain,
            signedInAs: logon
        )
    }

    /// The service account's password from `service_account.password_env` or `password_file` (0600).
    func readServicePassword() throws -> Secret {
        if let name = config.passwordEnvironmentVariable {
            guard let value = environment.variables[name], !value.isEmpty else {
                throw EngineError(
                    stage: .signIn,
                    message: "the environment variable \(name) (service_account.password_env) is not set",
                    fix: "export \(name) with the service account's password, or use service_account.password_file"
                )
            }
            return Secret(value)
        }
        if let path = config.passwordFile {
            let text = try readPrivateFile(path, field: "service_account.password_file")
            let password = text.trimmingCharacters(in: .newlines)
            guard !password.isEmpty else {
                throw EngineError(
                    stage: .signIn,
                    message: "\(path) (service_account.password_file) is empty",
                    fix: "write the service account's password into it (mode 0600)"
                )
            }
            return Secret(password)
        }
        throw EngineError(
            stage: .signIn,
            message: "no password for the service account",
            fix: "set service_account.password_env or service_account.password_file"
        )
    }

    // MARK: Stages

    /// Exchange Server: reads `stage` over EWS as the service account and decides which Exchange
    /// Management Shell steps are missing.
    func observeServer(_ stage: StageID) async throws -> StageObservation {
        guard stage != .signIn, stage != .serviceAccount else { return try await observeServerStage(stage) }
        do {
            return try await observeServerStage(stage)
        } catch is ServiceAccountSignInRefused {
            // Everything after the service account is read as the service account: until it can
            // sign in, the later stages wait (their steps come once it exists).
            return StageObservation(
                report: StageReport(
                    stage: stage,
                    status: .pending,
                    detail: "waits for the service account (EWS does not accept its sign-in yet)"
                ),
                writes: []
            )
        }
    }

    private func observeServerStage(_ stage: StageID) async throws -> StageObservation {
        switch stage {
        case .signIn: return StageObservation(report: signInReport, writes: [])
        case .serviceAccount: return try await observeServerAccount()
        case .distributionGroup: return try await observeServerGroup()
        case .impersonationRole: return try await observeServerRole()
        case .scope: return try await observeServerScope()
        case .connect:
            let probe = try await serverProbeNow()
            return StageObservation(report: connectReport(pollEvidence(probe), waiting: false), writes: [])
        }
    }

    /// Runs `body` turning EWS transport problems into a failed stage with a fix (a refused sign-in
    /// into `ServiceAccountSignInRefused`, which the stages after the service account wait on).
    func ewsCall<T>(_ stage: StageID, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch EWSError.unauthorized {
            throw ServiceAccountSignInRefused(stage: stage)
        } catch let error as EWSError {
            let fix: String
            switch error {
            case .httpStatus(let status, _) where status == 503:
                fix = "the server is busy; run again later (the run resumes)"
            case .serverBusy:
                // A fault on the way, not a problem with the setup: a wait polls again later.
                throw EngineError(
                    stage: stage, message: error.description,
                    fix: "Exchange is throttling EWS for the service account; run again later (the run resumes). "
                        + "If it persists, check the throttling policy that applies to it (Get-ThrottlingPolicyAssociation)",
                    transient: true)
            default: fix = "check the EWS URL and the server's EWS virtual directory"
            }
            throw EngineError(stage: stage, message: error.description, fix: fix)
        }
    }

    func observeServerAccount() async throws -> StageObservation {
        let ews = try requireEWS()
        let address = config.serviceAccountAddress ?? ""
        let logon = config.serviceAccountLogon ?? address
        let ran = journal.completedWrites.contains { if case .shellStep(let step) = $0.write { step.id == "create-mailbox" } else { false } }
        do {
            switch try await ews.calendar() {
            case .success(let folder):
                noteServiceAccountSignIn(accepted: true, logon: logon)
                return StageObservation(
                    report: StageReport(
                        stage: .serviceAccount,
                        status: .verified,
                        detail: "\(logon) signs in to EWS (\(config.ewsAuthentication.rawValue)) and its own calendar answers",
                        evidence: [
                            "GetFolder calendar as \(logon) → NoError\(folder.serverVersion.map { " (Exchange \($0))" } ?? "")"
                        ]
                    ),
                    writes: []
                )
            case .failure(let error) where error.code == "ErrorNonExistentMailbox":
                noteServiceAccountSignIn(accepted: true, logon: logon)
                return StageObservation(
                    report: StageReport(
                        stage: .serviceAccount,
                        status: .needsChange,
                        detail: "\(logon) signs in but has no mailbox (impersonation needs one)",
                        evidence: ["GetFolder calendar as \(logon) → \(error.code)"]
                    ),
                    writes: [.shellStep(ServerSteps.enableMailbox(config))]
                )
            case .failure(let error):
                noteServiceAccountSignIn(accepted: true, logon: logon)
                return StageObservation(
                    report: StageReport(
                        stage: .serviceAccount,
                        status: .failed,
                        detail: "\(logon) signs in, but its calendar answers \(error.code): \(error.message)",
                        evidence: ["GetFolder calendar as \(logon) → \(error.code)"],
                        fix: "check the service account's mailbox in the Exchange admin center"
                    ),
                    writes: []
                )
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
        let host = URL(string: config.ewsURL ?? "")?.host ?? "the server"
        let scheme = config.ewsAuthentication == .ntlm ? "NTLM" : "Basic"
        let status: StageStatus = accepted ? .verified : .notVerified
        let detail =
            accepted
            ? "EWS at \(host) accepts \(logon) with \(scheme)"
            : "EWS refuses \(logon) with \(scheme) until the service account exists with mailscope's password (EWS at \(host) answers)"
        guard report.status != status || report.detail != detail else { return }
        report.status = status
        report.detail = detail
        journal.reports.removeAll { $0.stage == .signIn }
        journal.reports.insert(report, at: 0)
        emit(.stage(report))
    }

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
                        detail: "assigned at \(Self.timestamp(ranAt)); not effective yet (Exchange applies it within about 2 hours)",
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
                    "the account still reaches \(outside) outside the scope; changed at \(Self.timestamp(ranAt)), waiting for Exchange"
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
                    "\(inside) not reachable yet; changed at \(Self.timestamp(ranAt)), waiting for Exchange"
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

    // MARK: Writes

    /// Hands a step to the Exchange Management Shell.
    func performShellStep(_ step: ShellStep) async throws {
        if let warning = step.warning { log(.warning, warning) }
        switch try await environment.shell.run(step, password: step.readsPassword ? servicePassword : nil) {
        case .ran(let output):
            for line in output.prefix(20) { log(.info, "EMS: \(line)") }
            log(.info, "Exchange Management Shell step done: \(step.summary)")
        case .notRun(let reason):
            throw ShellStepNotRun(step: step, reason: reason)
        case .failed(let message):
            throw EngineError(
                stage: step.stage,
                message: "the Exchange Management Shell reported: \(message)",
                fix: "correct the cause and run again; the step checks what exists before it changes anything"
            )
        }
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
    func serverPoll() async throws -> PollEvidence {
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
    func serverConnectReport(_ evidence: PollEvidence, waiting: Bool) -> StageReport {
        let now = environment.clock.now
        let changedAt = journal.rbacChangedAt
        let deadline = changedAt?.addingTimeInterval(TimeInterval(config.waitDeadlineMinutes) * 60)
        // Within the window of the last change, unless access was proven after that change.
        let provenSince = changedAt.map { (journal.verifiedAt ?? .distantPast) >= $0 } ?? true
        let withinWindow = !provenSince && (deadline.map { now < $0 } ?? false)
        let probe = serverProbe
        let steps = [
            StepReport(
                name: "in-scope: impersonate \(probe?.inScope?.mailbox ?? "?")",
                status: Self.status(evidence.inScopeAllowed),
                detail: Self.word(evidence.inScopeAllowed, yes: "NoError", no: probe?.inScopeError?.code ?? "denied")
            ),
            StepReport(
                name: "out-of-scope: impersonate \(probe?.outOfScope?.mailbox ?? "?")",
                status: Self.status(evidence.outOfScopeDenied),
                detail: Self.word(evidence.outOfScopeDenied, yes: "ErrorImpersonateUserDenied", no: "ALLOWED")
            ),
        ]
        if evidence.isSettled {
            return StageReport(
                stage: .connect,
                status: .verified,
                detail: "EWS impersonation works in scope and is refused outside it",
                evidence: evidence.lines,
                steps: steps
            )
        }
        if let probe, let alias = aliasProblem(probe) {
            return StageReport(
                stage: .connect,
                status: .failed,
                detail: alias,
                evidence: evidence.lines,
                fix: "use the primary SMTP address",
                steps: steps
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
            return StageReport(
                stage: .connect,
                status: waiting ? .waiting : .notVerified,
                detail: "\(minutes) min since the last change (usually 30 min to 2 h): \(cause)",
                evidence: evidence.lines,
                steps: steps
            )
        }
        return StageReport(
            stage: .connect,
            status: .failed,
            detail: cause,
            evidence: evidence.lines,
            fix: "run mailscope apply: it shows the Exchange Management Shell step that repairs it",
            steps: steps
        )
    }

    /// The values the vendor's product needs for EWS impersonation. The password is never shown.
    func serverHandOff() -> [HandOffItem] {
        var items = [
            HandOffItem(label: "EWS URL", value: config.ewsURL ?? ""),
            HandOffItem(label: "Service account", value: config.serviceAccountAddress ?? ""),
            HandOffItem(label: "Sign-in name", value: config.serviceAccountLogon ?? config.serviceAccountAddress ?? ""),
            HandOffItem(label: "Authentication", value: config.ewsAuthentication == .ntlm ? "NTLM" : "Basic"),
        ]
        if let name = config.passwordEnvironmentVariable {
            items.append(HandOffItem(label: "Password", value: "in $\(name) (not shown)"))
        } else if let path = config.passwordFile {
            items.append(HandOffItem(label: "Password file (0600)", value: path))
        }
        items.append(
            HandOffItem(label: "Impersonation", value: "ExchangeImpersonation, ConnectingSID by PrimarySmtpAddress, with X-AnchorMailbox")
        )
        if config.scopeKind == .group { items.append(HandOffItem(label: "Group", value: config.effectiveGroupAddress)) }
        items.append(HandOffItem(label: "Management scope", value: config.scopeName))
        items.append(HandOffItem(label: "Role assignment", value: config.impersonationAssignmentName))
        return items
    }
}
