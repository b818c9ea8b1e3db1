import Foundation
import MailscopeCore
import MailscopeEngine
import MicrosoftClients
import Testing

/// One sign-in per process (issue 12, item 5): runs that share a session cache (the wizard's, as
/// when the admin goes back from the plan or resumes the wait) make one device-code request.
@Suite("one device-code sign-in per process", .serialized)
struct OneSignInTests {
    @Test func aSecondRunInTheSameProcessReusesTheSignIn() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let sessions = TokenSessionCache()
        let capture = CapturingTransport()
        func engine() throws -> SetupEngine {
            var environment = EngineEnvironment(
                transport: ContractCheckingTransport(capture, endpoints: harness.endpoints), clock: harness.clock,
                stateDirectory: harness.stateDirectory, variables: [:])
            environment.tokenSessions = sessions
            return try SetupEngine(config: harness.config(), environment: environment) { harness.events.append($0) }
        }
        _ = try await engine().plan()
        #expect(try await engine().apply { _ in true } == .verified)
        let deviceCodes = capture.requests.filter { $0.url.path.hasSuffix("/devicecode") }
        #expect(deviceCodes.count == 1)
        let prompts = harness.events.all.filter { if case .deviceCode = $0 { true } else { false } }
        #expect(prompts.count == 1)
    }

    @Test func withoutACacheEachRunSignsIn() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let capture = CapturingTransport()
        _ = try await harness.engine(harness.config(), transport: capture).plan()
        _ = try await harness.engine(harness.config(), transport: capture).plan()
        #expect(capture.requests.filter { $0.url.path.hasSuffix("/devicecode") }.count == 2)
    }
}
