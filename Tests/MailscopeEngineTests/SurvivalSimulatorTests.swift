import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

@Suite("Simulator hold points and inventory", .serialized)
struct SurvivalSimulatorTests {
    @Test func theNthWriteIsAppliedAndItsAnswerHeld() async throws {
        let harness = try await Harness.start(SimulatorOptions(propagationDelay: .seconds(60), deviceCodeApprovalPolls: 1, hold: HoldPoints(afterWrite: 1)))
        defer { Task { await harness.stop() } }
        let engine = try harness.engine(harness.config())
        let run = Task { try await engine.apply { _ in true } }
        var held: String?
        for _ in 0..<400 {
            held = await harness.server.heldRequest
            if held != nil { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        run.cancel()
        #expect(held?.contains("applications(uniqueName=") == true)
        // Applied, though never answered: the app exists.
        #expect(await harness.tenant.applications().contains { $0.displayName == "workable_service" })
        let inventory = await harness.tenant.inventory()
        #expect(inventory["applications"].array?.contains { $0["name"].string == "workable_service" } == true)
    }
}
