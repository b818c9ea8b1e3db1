import Foundation
import MailscopeCore
import MicrosoftClients

/// Exchange Server on-premises: a service account with a mailbox and `ApplicationImpersonation`
/// limited by a management scope. Steps only the Exchange Management Shell can make are handed to
/// it (the admin, or the simulator); every stage is read over EWS as the service account, and the
/// impersonation probe is the proof.
///
/// One file per stage beside this one: SignIn, AccountStage, GroupStage, RoleStage, ScopeStage,
/// ConnectStage, HandOff; the shell steps and their PowerShell are in ServerSteps.
final class ExchangeServerDriver: TargetDriver {
    let run: RunContext
    /// EWS as the service account, once signed in.
    var ews: EWSClient?
    /// The service account's password (from its environment variable or 0600 file).
    var servicePassword: Secret?
    /// The last impersonation probe (reused by the stages of one pass, dropped after a write).
    var serverProbe: ServerProbe?
    /// The group's direct mailbox members as ExpandDL last listed them (lower-cased), for MemberArrivals.
    var expandedMembers: [String]?

    /// The EWS endpoint, parsed once (validation has checked it is an absolute https URL with a host).
    let ewsEndpoint: URL
    /// The EWS endpoint's host.
    let ewsHost: String

    init(run: RunContext) throws {
        self.run = run
        guard let text = run.config.ewsURL, let url = URL(string: text), let host = url.host else {
            throw ConfigError(problems: [
                FieldError(field: "server.ews_url", message: "is not a URL; e.g. https://mail.contoso.com/EWS/Exchange.asmx")
            ])
        }
        ewsEndpoint = url
        ewsHost = host
    }

    static func script(for config: SetupConfig) -> String { ScriptRenderer.renderServer(config) }

    /// One EWS probe serves the role, the scope and the connect stage: read in order.
    let observesInOrder = true
    /// The role and the scope can only be seen working once Exchange applies them.
    let stagesProvenByTheWait: Set<StageID> = [.impersonationRole, .scope]

    func requireEWS() throws -> EWSClient {
        guard let ews else { throw EngineError(stage: .signIn, message: "not signed in to EWS", fix: "run again") }
        return ews
    }

    func signIn() async throws -> SignedInTenant {
        try await serverSignIn()
    }

    /// Reads `stage` over EWS as the service account and decides which Exchange Management Shell
    /// steps are missing. Everything after the service account is read as the service account:
    /// until it can sign in, the later stages wait (their steps come once it exists).
    func observe(_ stage: StageID, engine: SetupEngine) async throws -> StageObservation {
        do {
            switch stage {
            case .signIn: return StageObservation(report: signInReport, writes: [])
            case .serviceAccount: return try await observeServerAccount()
            case .distributionGroup: return try await observeServerGroup()
            case .impersonationRole: return try await observeServerRole()
            case .scope: return try await observeServerScope()
            case .connect:
                let probe = try await serverProbeNow()
                let report = connectReport(pollEvidence(probe), waiting: false, exposureCause: nil)
                return StageObservation(report: report, writes: [])
            }
        } catch is ServiceAccountSignInRefused where stage != .signIn && stage != .serviceAccount {
            let report = StageReport(
                stage: stage, status: .pending,
                detail: "waits for the service account (EWS does not accept its sign-in yet)")
            return StageObservation(report: report, writes: [])
        }
    }

    /// Hands a step to the Exchange Management Shell; a new probe is needed after it.
    func perform(_ write: Write) async throws {
        switch write {
        case .shellStep(let step):
            try await performShellStep(step)
            serverProbe = nil
        case .createApplication, .createServicePrincipal, .addSecret, .addCertificate, .createMailboxUser,
            .assignLicense, .removeOrphanSecret, .createGroup, .addMember, .createExchangeServicePrincipal,
            .removeTenantWideGrant, .createScope, .updateScope, .createRoleAssignment, .removeRoleAssignment,
            .addRedirectURI, .declareDelegatedPermissions, .grantDelegatedConsent, .updateDelegatedConsent,
            .removeAccessPolicy, .removeMailboxPermission, .setEwsAllowedAppIDs:
            throw EngineError(
                stage: stage(of: write), message: "\(PowerShell.summary(of: write)) is an Exchange Online write",
                fix: "Exchange Server is set up by Exchange Management Shell steps; check the config's target")
        }
    }

    func stage(of write: Write) -> StageID {
        if case .shellStep(let step) = write { return step.stage }
        return run.currentStage
    }

    func powershellLine(for write: Write) -> String {
        PowerShell.line(
            for: write, appObjectID: nil, servicePrincipalID: nil, groupName: config.groupName,
            groupKind: config.groupKind)
    }

    /// Every shell step checks what exists before it changes anything: safe to repeat.
    func reconcile(interrupted pending: Write, engine: SetupEngine) async throws {}

    func prepareWait(engine: SetupEngine) async throws {}

    func asked(of stage: StageID) -> String {
        let p = { FieldRules.printable($0, limit: 120) }
        switch stage {
        case .signIn: return "EWS at \(p(ewsEndpoint.absoluteString))"
        case .serviceAccount: return "service account \(p(config.serviceAccountAddress ?? "?")) with a mailbox"
        case .distributionGroup:
            return "group \"\(p(config.groupName))\" (alias \(p(config.effectiveGroupAlias))) with \(config.members.count) member(s)"
        case .impersonationRole:
            return "ApplicationImpersonation for the service account (\(p(config.impersonationAssignmentName)))"
        case .scope: return "scope \"\(p(config.scopeName))\" limiting the impersonation"
        case .connect: return "impersonation of \(serverInScopeMailbox ?? "a mailbox in the scope") and of none outside it"
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
}
