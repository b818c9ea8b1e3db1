import Foundation
import MailscopeCore

/// Thrown when the admin leaves the first phase of a wait in two, which runs inside apply: the
/// phase is saved and apply ends as suspended.
struct WaitLeft: Error {}

extension SetupEngine {
    /// Polls with back-off until the configured and the effective state both hold, the deadline
    /// passes, or the admin leaves (the wait is saved with its start time and resumes later).
    public func waitForPropagation() async throws -> RunResult {
        try await exclusively { try await waitHoldingLock() }
    }

    private func waitHoldingLock() async throws -> RunResult {
        try await driver.prepareWait(engine: self)
        var wait = startOrResumeWait(phase: driver.propagationPhase)
        suspendRequested = false
        pollFaults = 0
        run.currentStage = .connect
        while true {
            if suspendRequested {
                leave(wait)
                return .suspended
            }
            if run.environment.clock.now >= wait.nextPoll {
                guard let evidence = try await pollTolerantly({ try await self.driver.poll() }) else { continue }
                if let result = await judge(evidence, in: &wait) { return result }
            }
            try await sleepUntilNextPoll(wait.nextPoll)
        }
    }

    /// Waits out the phase `write` needs first (the first phase of a wait in two), with the same
    /// schedule, clock, journal and leave key as the propagation wait: a left phase resumes with its
    /// timer when apply runs again. Past the deadline the write is not made and the run stops.
    func waitOutPhase(before write: Write) async throws {
        guard let phase = driver.phase(before: write), !run.phasesOver.contains(phase) else { return }
        var wait = startOrResumeWait(phase: phase)
        suspendRequested = false
        pollFaults = 0
        while true {
            if suspendRequested {
                leave(wait)
                throw WaitLeft()
            }
            let now = run.environment.clock.now
            if now >= wait.nextPoll {
                guard let poll = try await pollTolerantly({ try await self.driver.poll(phase) }) else { continue }
                wait.polls += 1
                wait.lastPoll = poll.evidence
                if poll.isOver {
                    run.phasesOver.insert(phase)
                    run.journal.wait = nil
                    run.persist()
                    run.log(.info, "\(phase.title): over after \(Int(now.timeIntervalSince(wait.startedAt) / 60)) min")
                    return
                }
                run.emit(.stage(phaseReport(phase, poll.evidence)))
                if now >= wait.deadline {
                    run.journal.wait = nil
                    run.persist()
                    throw EngineError(
                        stage: run.currentStage,
                        message: "\(phase.title): not over by the deadline (\(run.config.waitDeadlineMinutes) min); "
                            + "\(PowerShell.summary(of: write)) was not made. Last poll: "
                            + poll.evidence.lines.joined(separator: "; "),
                        fix: "run mailscope apply again later: it resumes the phase; nothing that narrows access is "
                            + "removed before the scoped roles are shown in scope")
                }
                schedule(&wait, after: now)
            }
            try await sleepUntilNextPoll(wait.nextPoll)
        }
    }

    /// The connect stage's row while a first phase runs: waiting, with what it waits for.
    private func phaseReport(_ phase: WaitPhase, _ evidence: PollEvidence) -> StageReport {
        StageReport(
            stage: .connect, status: .waiting, detail: "\(phase.title): \(phase.waitsFor)", evidence: evidence.lines)
    }

    /// One poll, or nil after a fault on the way (no verdict either way: the caller polls again
    /// shortly, the wait's timer untouched).
    private func pollTolerantly<Evidence>(_ poll: () async throws -> Evidence) async throws -> Evidence? {
        do {
            let evidence = try await poll()
            pollFaults = 0
            return evidence
        } catch let error where Remedy.isFaultOnTheWay(error) && pollFaults < Self.maximumRecoveries {
            pollFaults += 1
            run.log(.warning, "a poll failed on the way (\(Redactor.redact(String(describing: error)))); polling again")
            try await run.environment.clock.sleep(for: run.environment.schedule.verifyDelay * pollFaults)
            return nil
        }
    }

    /// Saves `wait` and logs that the admin left it.
    private func leave(_ wait: WaitProgress) {
        run.journal.wait = wait
        run.persist()
        run.log(.info, "Left the propagation wait; it resumes with `mailscope` later, timer intact.")
    }

    /// Schedules the next poll of `wait` (back-off, never past the deadline), saves and shows it.
    private func schedule(_ wait: inout WaitProgress, after now: Date) {
        let interval = run.environment.schedule.interval(after: wait.polls - 1)
        wait.nextPoll = min(now.addingTimeInterval(interval.timeInterval), wait.deadline)
        run.journal.wait = wait
        run.persist()
        run.emit(.waiting(wait))
    }

    /// The saved wait of `phase`, shown at once with its timer and last evidence; or a new one
    /// from the last change of effective access.
    private func startOrResumeWait(phase: WaitPhase?) -> WaitProgress {
        let schedule = run.environment.schedule
        let now = run.environment.clock.now
        let saved = run.journal.wait.flatMap { $0.phase == phase ? $0 : nil }
        // A first phase starts when it is first waited for: its assignments may be from an earlier
        // run (a second consent found by a re-check), whose deadline has long passed.
        let start = saved?.startedAt ?? (phase == .scopedRolesInScope ? now : run.journal.rbacChangedAt ?? now)
        if run.journal.rbacChangedAt == nil { run.journal.rbacChangedAt = start }
        guard let wait = saved else {
            var wait = WaitProgress(
                startedAt: start,
                expectedEarliest: start.addingTimeInterval(schedule.expectedEarliest.timeInterval),
                expectedLatest: start.addingTimeInterval(schedule.expectedLatest.timeInterval),
                deadline: driver.waitDeadline(
                    startingAt: start, configured: start.addingTimeInterval(TimeInterval(run.config.waitDeadlineMinutes) * 60)),
                nextPoll: now,
                polls: 0,
                lastPoll: nil
            )
            wait.phase = phase
            if let phase { run.emit(.stage(phaseReport(phase, PollEvidence.none(at: now)))) }
            return wait
        }
        var report =
            wait.lastPoll.map { poll in
                phase.map { phaseReport($0, poll) } ?? driver.connectReport(poll, waiting: true, exposureCause: nil)
            }
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
            run.log(
                .info,
                evidence.delegatedAppHolds == true
                    ? "Verified after \(minutes) min: the app is ready for a user's sign-in (delegated access)."
                    : "Verified after \(minutes) min: in-scope allowed, out-of-scope denied.")
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
        schedule(&wait, after: now)
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
