import Foundation
import MailscopeCore

extension SetupEngine {
    /// Polls with back-off until the configured and the effective state both hold, the deadline
    /// passes, or the admin leaves (the wait is saved with its start time and resumes later).
    public func waitForPropagation() async throws -> RunResult {
        try await exclusively { try await waitHoldingLock() }
    }

    private func waitHoldingLock() async throws -> RunResult {
        try await driver.prepareWait(engine: self)
        var wait = startOrResumeWait()
        suspendRequested = false
        run.currentStage = .connect
        var pollFaults = 0
        while true {
            if suspendRequested {
                run.journal.wait = wait
                run.persist()
                run.log(.info, "Left the propagation wait; it resumes with `mailscope` later, timer intact.")
                return .suspended
            }
            if run.environment.clock.now >= wait.nextPoll {
                let evidence: PollEvidence
                do {
                    evidence = try await driver.poll()
                    pollFaults = 0
                } catch let error where Remedy.isFaultOnTheWay(error) && pollFaults < Self.maximumRecoveries {
                    // No verdict either way: poll again shortly, the wait's timer untouched.
                    pollFaults += 1
                    run.log(
                        .warning,
                        "a poll failed on the way (\(Redactor.redact(String(describing: error)))); polling again")
                    try await run.environment.clock.sleep(for: run.environment.schedule.verifyDelay * pollFaults)
                    continue
                }
                if let result = await judge(evidence, in: &wait) { return result }
            }
            try await sleepUntilNextPoll(wait.nextPoll)
        }
    }

    /// The saved wait, shown at once with its timer and last evidence; or a new one from the last
    /// change of effective access.
    private func startOrResumeWait() -> WaitProgress {
        let schedule = run.environment.schedule
        let now = run.environment.clock.now
        let start = run.journal.wait?.startedAt ?? run.journal.rbacChangedAt ?? now
        if run.journal.rbacChangedAt == nil { run.journal.rbacChangedAt = start }
        guard let wait = run.journal.wait else {
            return WaitProgress(
                startedAt: start,
                expectedEarliest: start.addingTimeInterval(schedule.expectedEarliest.timeInterval),
                expectedLatest: start.addingTimeInterval(schedule.expectedLatest.timeInterval),
                deadline: driver.waitDeadline(
                    startingAt: start, configured: start.addingTimeInterval(TimeInterval(run.config.waitDeadlineMinutes) * 60)),
                nextPoll: now,
                polls: 0,
                lastPoll: nil
            )
        }
        var report =
            wait.lastPoll.map { driver.connectReport($0, waiting: true, exposureCause: nil) }
            ?? StageReport(stage: .connect, status: .waiting, detail: "propagation wait resumed")
        if report.status != .verified { report.status = .waiting }
        run.emit(.stage(report))
        run.emit(.waiting(wait))
        return wait
    }

    /// Judges one poll: verified, drifted or exposed, past the deadline (each ends the wait), or
    /// not yet (the next poll is scheduled and saved; nil).
    private func judge(_ evidence: PollEvidence, in wait: inout WaitProgress) async -> RunResult? {
        let now = run.environment.clock.now
        wait.polls += 1
        wait.lastPoll = evidence
        let cause = await driver.exposureCause(of: evidence, engine: self)
        let report = driver.connectReport(evidence, waiting: true, exposureCause: cause)
        run.emit(.stage(report))
        if report.status == .verified {
            run.journal.wait = nil
            run.journal.verifiedAt = now
            run.keep(report)
            let minutes = Int(now.timeIntervalSince(wait.startedAt) / 60)
            run.log(.info, "Verified after \(minutes) min: in-scope allowed, out-of-scope denied.")
            return .verified
        }
        // A configuration that drifted, or a mailbox outside the scope exposed now: no waiting
        // makes either right.
        if report.status == .failed
            && (evidence.configuredInScope == false || evidence.configuredOutOfScope == false
                || evidence.outOfScopeDenied == false || evidence.ewsOutOfScopeDenied == false)
        {
            run.journal.wait = wait
            run.persist()
            return .drift([.connect])
        }
        if now >= wait.deadline {
            var final = report
            final.status = .failed
            let minutes = Int(wait.deadline.timeIntervalSince(wait.startedAt) / 60)
            final.detail = "not effective by the deadline (\(minutes) min): " + report.detail
            final.fix = "check again later with `mailscope check`; if still denied after 2 hours, re-run apply"
            run.emit(.stage(final))
            run.journal.wait = nil
            run.persist()
            return .deadlineReached
        }
        let interval = run.environment.schedule.interval(after: wait.polls - 1)
        wait.nextPoll = min(now.addingTimeInterval(interval.timeInterval), wait.deadline)
        run.journal.wait = wait
        run.persist()
        run.emit(.waiting(wait))
        return nil
    }

    /// Sleeps until `date` in one go (no periodic wake-ups while waiting); `requestSuspend` and
    /// cancelling the run cut the sleep short.
    private func sleepUntilNextPoll(_ date: Date) async throws {
        let clock = run.environment.clock
        let sleeper = Task { try await clock.sleep(until: date) }
        waitSleeper = sleeper
        defer { waitSleeper = nil }
        await withTaskCancellationHandler {
            _ = try? await sleeper.value
        } onCancel: {
            sleeper.cancel()
        }
        try Task.checkCancellation()
    }
}
