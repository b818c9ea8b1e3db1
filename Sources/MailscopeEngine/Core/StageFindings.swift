import Foundation

/// What a driver's stage check has found so far, in the order it found it: the requests made and
/// what they answered (evidence), what the admin should know, the sub-steps, and the writes the
/// stage needs. A check's steps each add to one, and the last turns it into the stage's
/// observation, so no step has to pass four arrays along.
struct StageFindings {
    /// The requests made and what they answered.
    var evidence: [String] = []
    /// Things the admin should know that do not fail the stage.
    var warnings: [String] = []
    /// The stage's sub-steps.
    var steps: [StepReport] = []
    /// What `apply` would write.
    var writes: [Write] = []

    /// Adds the sub-step `name` with its status and what was observed.
    mutating func step(_ name: String, _ status: StageStatus, _ detail: String) {
        steps.append(StepReport(name: name, status: status, detail: detail))
    }

    /// Adds what another part of the check found after what this one holds.
    mutating func append(_ other: StageFindings) {
        evidence += other.evidence
        warnings += other.warnings
        steps += other.steps
        writes += other.writes
    }

    /// The stage's observation: its report with everything found, and the writes.
    func observation(stage: StageID, status: StageStatus, detail: String, fix: String? = nil) -> StageObservation {
        StageObservation(
            report: StageReport(
                stage: stage,
                status: status,
                detail: detail,
                evidence: evidence,
                warnings: warnings,
                fix: fix,
                steps: steps
            ),
            writes: writes
        )
    }
}

extension StepReport {
    /// The sub-step of a yes/no/not-tested probe: its status from the verdict, and `yes` or `no`
    /// (or "not tested") as its detail. Both targets' connect reports list their probes this way.
    static func verdict(_ name: String, _ value: Bool?, yes: String, no: String) -> StepReport {
        StepReport(name: name, status: Verdict.status(value), detail: Verdict.word(value, yes: yes, no: no))
    }
}

extension StageReport {
    /// A report of the connect stage, which both targets make from a poll: the poll's lines are
    /// its evidence and the probes its steps.
    static func connect(
        _ status: StageStatus, _ detail: String, poll: PollEvidence, steps: [StepReport], fix: String? = nil
    ) -> StageReport {
        StageReport(stage: .connect, status: status, detail: detail, evidence: poll.lines, fix: fix, steps: steps)
    }
}
