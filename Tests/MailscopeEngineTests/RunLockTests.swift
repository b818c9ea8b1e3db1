import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

@Suite("Run lock")
struct RunLockTests {
    @Test func aSecondRunOnTheSameSetupIsRefusedWhileOneHoldsTheLock() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config()
        let store = JournalStore(stateDirectory: harness.stateDirectory, config: config)
        let held = try #require(try FileLock(exclusive: store.directory.appendingPathComponent("run.lock")))
        do {
            _ = try await harness.engine(config).check()
            Issue.record("expected the run to be refused")
        } catch let error as EngineError {
            #expect(error.message.contains("another mailscope run"))
        }
        #expect(await harness.recorder.count == 0)
        held.release()
        #expect(try await harness.engine(config).check().count == 6)
    }
}
