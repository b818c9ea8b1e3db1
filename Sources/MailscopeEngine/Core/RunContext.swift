import Foundation
import MailscopeCore
import MicrosoftClients

/// What one run shares between the core and its target's driver: the settings, the journal, the
/// signed-in tenant and the event stream. It lives on the engine's actor: the engine owns it and the
/// driver's methods, which run on the caller's actor (`nonisolated(nonsending)`), use it there, so
/// neither needs a lock.
final class RunContext {
    let config: SetupConfig
    let environment: EngineEnvironment
    let endpoints: CloudEndpoints
    let sender: RequestSender
    let store: JournalStore
    /// The event stream, for what must emit from another task (a sign-in prompt).
    let events: @Sendable (EngineEvent) -> Void
    var journal: Journal
    /// The signed-in tenant, once signed in.
    var tenant: SignedInTenant?
    /// The stage being read, applied or waited for (named by errors that escape a run).
    var currentStage: StageID = .signIn
    /// How many writes this run has made (a read planned before the last one may be stale).
    var writesPerformed = 0
    /// The phases of a wait in two phases that ended in this run (their writes may go).
    var phasesOver: Set<WaitPhase> = []
    /// The last report of each stage in this run (what a repeated failure shows as found).
    var lastReports: [StageID: StageReport] = [:]
    /// When this run started: a write journaled since then was made in this run.
    let startedAt: Date

    init(
        config: SetupConfig, environment: EngineEnvironment, endpoints: CloudEndpoints, sender: RequestSender,
        store: JournalStore, journal: Journal, events: @escaping @Sendable (EngineEvent) -> Void
    ) {
        self.config = config
        self.environment = environment
        self.endpoints = endpoints
        self.sender = sender
        self.store = store
        self.journal = journal
        self.events = events
        self.startedAt = environment.clock.now
    }

    /// The sign-in stage's last report.
    var signInReport: StageReport {
        journal.reports.first { $0.stage == .signIn }
            ?? StageReport(stage: .signIn, status: .pending, detail: "not signed in yet")
    }

    func emit(_ event: EngineEvent) {
        if case .stage(let report) = event, report.status != .checking { lastReports[report.stage] = report }
        events(event)
    }

    func log(_ level: LogEntry.Level, _ text: String, powershell: String? = nil) {
        emit(
            .log(LogEntry(at: environment.clock.now, level: level, text: Redactor.redact(text), powershell: powershell))
        )
    }

    /// Keeps `report` as its stage's last report in the journal (in stage order), and shows it.
    func record(_ report: StageReport) {
        keep(report)
        emit(.stage(report))
    }

    /// Keeps `report` as its stage's last report in the journal, in stage order, and saves it.
    func keep(_ report: StageReport, save: Bool = true) {
        journal.reports.removeAll { $0.stage == report.stage }
        let order = StageID.allCases
        let position = journal.reports.firstIndex {
            (order.firstIndex(of: $0.stage) ?? 0) > (order.firstIndex(of: report.stage) ?? 0)
        }
        journal.reports.insert(report, at: position ?? journal.reports.endIndex)
        if save { persist() }
    }

    func persist() {
        journal.updatedAt = environment.clock.now
        do {
            try store.save(journal)
        } catch {
            log(.error, "could not save the journal at \(store.journalURL.path): \(error)")
        }
    }

    /// Reads a file that holds a secret, refusing it when others can read it.
    func readPrivateFile(_ path: String, field: String) throws -> String {
        let url = URL(fileURLWithPath: path)
        guard let mode = PrivateFiles.permissions(of: url) else {
            throw EngineError(stage: .signIn, message: "cannot read \(path) (\(field))", fix: "check the path")
        }
        guard mode & 0o077 == 0 else {
            throw EngineError(
                stage: .signIn,
                message: "\(path) (\(field)) is readable by others (mode \(String(mode, radix: 8)))",
                fix: "chmod 600 \(path)"
            )
        }
        guard let text = FileManager.default.contents(atPath: path).flatMap({ String(data: $0, encoding: .utf8) })
        else {
            throw EngineError(
                stage: .signIn,
                message: "cannot read \(path) (\(field))",
                fix: "check the path and that it is text"
            )
        }
        return text
    }
}
