import Foundation
import MailscopeCore
import MicrosoftClients

/// What observing a stage found: the report and the writes that would make it hold.
struct StageObservation: Sendable {
    var report: StageReport
    var writes: [Write]
}

extension SetupEngine {
    // MARK: Reading

    /// Reads the tenant for `stage` through the driver and decides what, if anything, must change;
    /// a failure becomes the stage's failed report and an `EngineError` with its fix.
    func observe(_ stage: StageID) async throws -> StageObservation {
        run.currentStage = stage
        run.emit(.stage(StageReport(stage: stage, status: .checking, detail: "reading the tenant")))
        do {
            var observation =
                stage == .signIn
                ? StageObservation(report: run.signInReport, writes: []) : try await driver.observe(stage, engine: self)
            observation.report.changes = observation.writes.map {
                PlannedChange(
                    action: $0.action, summary: PowerShell.summary(of: $0), powershell: driver.powershellLine(for: $0))
            }
            if !observation.writes.isEmpty && observation.report.status == .verified {
                observation.report.status = .needsChange
            }
            return observation
        } catch let error as MicrosoftError {
            throw failed(stage, error.description, fix: Remedy.fix(for: error), transient: Remedy.isTransient(error))
        } catch let error as TransportError {
            throw failed(stage, error.description, fix: Remedy.fix(for: error), transient: error.mayPass)
        }
    }

    private func failed(_ stage: StageID, _ message: String, fix: String, transient: Bool) -> EngineError {
        run.emit(.stage(StageReport(stage: stage, status: .failed, detail: message, fix: fix)))
        return EngineError(stage: stage, message: message, fix: fix, transient: transient)
    }

    /// Reads the stages one after another (a driver whose one proof serves several stages).
    func observeInOrder() async throws -> [StageReport] {
        var reports: [StageReport] = []
        for stage in StageID.allCases where stage != .signIn {
            let observation = try await observe(stage)
            reports.append(observation.report)
            run.emit(.stage(observation.report))
        }
        return reports
    }

    /// Reads the stages, overlapping those that do not depend on each other: the service account
    /// and the group at once; the role as soon as the service account is known, with what the
    /// scope needs read ahead beside the group; the scope and the connect proof last. Every stage
    /// that was started is waited for, and the first failure in stage order is the one reported,
    /// as in a run that read them in order.
    func observeOverlapped() async throws -> [StageReport] {
        defer { driver.discardPrefetched() }
        async let serviceAccount = settled(.serviceAccount)
        async let group = settled(.distributionGroup)
        let serviceAccountResult = await serviceAccount
        let serviceAccountKnown = (try? serviceAccountResult.get()) != nil
        async let role = serviceAccountKnown ? settled(.impersonationRole) : nil
        async let scopeReads: Void = serviceAccountKnown ? prefetch(for: .scope) : ()
        emitIfObserved(serviceAccountResult)
        let groupResult = await group
        emitIfObserved(groupResult)
        let roleResult = await role
        emitIfObserved(roleResult)
        await scopeReads
        var reports: [StageReport] = []
        for result in [serviceAccountResult, groupResult, roleResult] {
            guard let result else { continue }
            reports.append(try result.get().report)
        }
        for stage in [StageID.scope, .connect] {
            let observation = try await observe(stage)
            reports.append(observation.report)
            run.emit(.stage(observation.report))
        }
        return reports
    }

    private func prefetch(for stage: StageID) async {
        await driver.prefetch(for: stage)
    }

    private func emitIfObserved(_ result: Result<StageObservation, any Error>?) {
        if case .success(let observation) = result { run.emit(.stage(observation.report)) }
    }

    /// Observes `stage`, keeping a failure as a value so overlapped stages can all finish.
    private func settled(_ stage: StageID) async -> Result<StageObservation, any Error> {
        do { return .success(try await observe(stage)) } catch { return .failure(error) }
    }

    // MARK: Applying

    /// How many times one stage re-reads the tenant after a fault on the way before the run stops.
    static let maximumRecoveries = 3

    /// Observes `stage` (unless the plan's read still holds), performs its writes with
    /// journaling, then re-reads until they are seen (replication lag) and reports what was observed.
    func applyStage(_ stage: StageID, planned: StageObservation? = nil) async throws -> StageReport {
        run.currentStage = stage
        var observation: StageObservation
        if let planned { observation = planned } else { observation = try await observe(stage) }
        guard !observation.writes.isEmpty else {
            run.emit(.stage(observation.report))
            return observation.report
        }
        var report = observation.report
        report.status = .applying
        run.emit(.stage(report))
        do {
            try await writeRecovering(stage, &observation)
        } catch let notRun as ShellStepNotRun {
            report = observation.report
            report.status = .needsChange
            report.detail = "waiting for the Exchange Management Shell: \(notRun.step.summary)"
            report.fix = "\(notRun.reason); then run mailscope again to verify over EWS"
            run.record(report)
            return report
        }
        report = try await verifyWritten(stage)
        run.record(report)
        return report
    }

    /// Performs the observed writes. After a fault on the way a write may or may not have been
    /// applied: it is never resent blindly; the tenant is re-read (a secret whose answer was lost
    /// removed) and only what is missing is made.
    private func writeRecovering(_ stage: StageID, _ observation: inout StageObservation) async throws {
        var recoveries = 0
        let environment = run.environment
        let stageStarted = environment.clock.now
        let stageDeadline = environment.requestTimeout.map { $0 * 6 }
        func withinDeadline() -> Bool {
            guard let stageDeadline else { return true }
            return environment.clock.now.timeIntervalSince(stageStarted) < stageDeadline.timeInterval
        }
        while true {
            do {
                for write in observation.writes {
                    try await waitOutPhase(before: write)
                    try await performJournaled(write)
                }
                return
            } catch let error as EngineError
                where error.transient && recoveries < Self.maximumRecoveries && withinDeadline()
            {
                recoveries += 1
                run.log(.warning, "\(error.message); re-reading the tenant before going on")
                try await environment.clock.sleep(for: environment.schedule.verifyDelay * recoveries)
                try await reconcileInterruptedWrite()
                observation = try await observe(stage)
                if observation.writes.isEmpty { return }
            }
        }
    }

    /// Re-reads `stage` with back-off until its writes are seen; "not verified yet" when they are not.
    private func verifyWritten(_ stage: StageID) async throws -> StageReport {
        let schedule = run.environment.schedule
        var delay = schedule.verifyDelay
        var observation = try await observe(stage)
        var attempt = 1
        while !observation.writes.isEmpty && attempt < schedule.verifyAttempts {
            try await run.environment.clock.sleep(for: delay)
            delay = delay * 2
            attempt += 1
            observation = try await observe(stage)
        }
        var report = observation.report
        if !observation.writes.isEmpty {
            report.status = .notVerified
            report.detail = "written, but not yet visible when read back (directory replication); run again to verify"
        }
        return report
    }

    /// Records `write` as pending, performs it, then records it as done.
    func performJournaled(_ write: Write) async throws {
        run.journal.pendingWrite = write
        run.persist()
        run.log(.write, PowerShell.summary(of: write), powershell: driver.powershellLine(for: write))
        do {
            try await driver.perform(write)
        } catch let notRun as ShellStepNotRun {
            run.journal.pendingWrite = nil
            run.persist()
            throw notRun
        }
        run.writesPerformed += 1
        run.journal.pendingWrite = nil
        run.journal.completedWrites.append(Journal.CompletedWrite(write: write, at: run.environment.clock.now))
        if run.journal.completedWrites.count > 200 {
            run.journal.completedWrites.removeFirst(run.journal.completedWrites.count - 200)
        }
        if write.affectsEffectiveAccess {
            run.journal.rbacChangedAt = run.environment.clock.now
            run.journal.wait = nil
        }
        run.persist()
    }
}

/// How a failure is told to the admin: its fix, and whether it is a fault on the way.
enum Remedy {
    static func fix(for error: MicrosoftError) -> String {
        if let fix = cmdletRefusalFix(for: error) { return fix }
        if error.status == 429 {
            return "the service is throttling; wait a few minutes and run again (the run resumes)"
        }
        if error.isAccessDenied {
            return "the signed-in admin lacks a permission for \(error.request); see the sign-in stage's role check"
        }
        if error.status >= 500 { return "the service failed; run again (the run resumes where it stopped)" }
        if isTransient(error) { return resumeFix }
        return "see the message; correct the configuration and run again"
    }

    /// Whether `error` is a fault on the way rather than an answer about the setup: throttling or a
    /// busy service after the retries, no answer, or an answer that is not JSON.
    static func isTransient(_ error: MicrosoftError) -> Bool {
        error.status == 429 || error.status >= 500 || error.status == 0
            || error.code.caseInsensitiveCompare("MalformedResponse") == .orderedSame || error.code == "NoResponse"
    }

    /// The fix of a transport error: a fault that may pass resumes; a refusal (a URL or redirect
    /// mailscope does not follow, a certificate it does not trust) meets the same refusal again.
    static func fix(for error: TransportError) -> String {
        error.mayPass
            ? resumeFix
            : "check the configured cloud URLs, a proxy or the CA bundle; running again meets the same refusal"
    }

    /// The fix of a fault on the way (a broken connection, a timeout, an answer cut short).
    static let resumeFix =
        "a network or service fault, not a problem with the setup: run mailscope again; it re-reads the tenant "
        + "and resumes from the journal, repeating only what is missing"

    /// Whether `error` is a fault on the way (no answer, an answer cut short, throttling or a busy
    /// service after the retries) rather than an answer.
    static func isFaultOnTheWay(_ error: any Error) -> Bool {
        if error is TransportError { return true }
        if let error = error as? MicrosoftError { return isTransient(error) }
        if let error = error as? EngineError { return error.transient }
        return false
    }
}
