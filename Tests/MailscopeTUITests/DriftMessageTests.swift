import Foundation
import MailscopeEngine
import Testing

@testable import MailscopeTUI

/// A run that ends in drift after it wrote never says "Nothing was changed" (issue 12, item 3).
@Suite("what a drifted run says it changed")
struct DriftMessageTests {
    @Test func writesAreCountedNotDenied() {
        var run = RunState(mode: .setup, answers: Fixture.answers, startedAt: Date(timeIntervalSince1970: 0))
        #expect(Painter.changesMade(run) == "Nothing was changed.")
        run.log.append(LogEntry(at: Date(timeIntervalSince1970: 1), level: .write, text: "New-Mailbox …"))
        run.log.append(LogEntry(at: Date(timeIntervalSince1970: 2), level: .write, text: "New-DistributionGroup …"))
        #expect(Painter.changesMade(run) == "2 changes were made and stay: l shows them.")
        var recheck = RunState(mode: .recheck, answers: Fixture.answers, startedAt: Date(timeIntervalSince1970: 0))
        recheck.log = run.log
        #expect(Painter.changesMade(recheck) == "Nothing was changed.")
    }
}
