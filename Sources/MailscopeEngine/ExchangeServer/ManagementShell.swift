import Foundation
import MailscopeCore

/// A step only the Exchange Management Shell can make on Exchange Server: shown to the admin as
/// an exact, copyable command, exported by `mailscope script`, and verified afterwards over EWS.
public struct ShellStep: Codable, Sendable, Equatable, Hashable {
    /// A stable key (`create-mailbox`, `add-member:<address>`, `assign-impersonation`, …).
    public var id: String
    /// The stage it belongs to.
    public var stage: StageID
    /// What it does, in a sentence.
    public var summary: String
    /// The PowerShell to run in the Exchange Management Shell, every value a quoted literal.
    public var command: String
    /// What the admin must know before running it (the role's propagation time, …).
    public var warning: String?
    /// Whether the command asks for the service account's password (`Read-Host -AsSecureString`).
    public var readsPassword: Bool

    /// Creates a step.
    public init(
        id: String,
        stage: StageID,
        summary: String,
        command: String,
        warning: String? = nil,
        readsPassword: Bool = false
    ) {
        self.id = id
        self.stage = stage
        self.summary = summary
        self.command = command
        self.warning = warning
        self.readsPassword = readsPassword
    }
}

/// What became of a step handed to the Exchange Management Shell.
public enum ShellStepOutcome: Sendable, Equatable {
    /// The admin (or the simulator) ran it; what the shell printed, if known.
    case ran(output: [String])
    /// It has not been run (no one to run it now, or the admin chose to stop here).
    case notRun(reason: String)
    /// It ran and failed; the shell's error.
    case failed(String)
}

/// Where `ShellStep`s go: an admin at the Exchange Management Shell (who confirms each), or a
/// simulator's stand-in for it. The engine verifies the result over EWS either way.
public protocol ManagementShell: Sendable {
    /// Hands `step` over and returns when it has run (or will not run now). `password` is the
    /// service account's password, for a shell that must answer the step's `Read-Host` itself.
    func run(_ step: ShellStep, password: Secret?) async throws -> ShellStepOutcome
}

/// No one at the shell (a non-interactive `apply --yes`): every step is left for the admin, who
/// runs `mailscope script` on the server and then `mailscope apply` again to verify.
public struct UnattendedShell: ManagementShell {
    /// Creates the shell.
    public init() {}

    public func run(_ step: ShellStep, password: Secret?) async throws -> ShellStepOutcome {
        .notRun(reason: "no one at the Exchange Management Shell: run it there (mailscope script prints every step)")
    }
}

/// A simulator's stand-in for the Exchange Management Shell: posts the step's PowerShell to
/// `POST /_sim/ems` of a `mailscope simulate` server on loopback, which runs it on the simulated
/// Exchange Server exactly as written (quoting included), answering `Read-Host` with `password`.
public struct SimulatedShell: ManagementShell {
    /// `http://127.0.0.1:PORT/_sim/ems`.
    public let url: URL
    /// The transport (the same libcurl path as everything else).
    public let transport: any HTTPTransport

    /// Creates the shell.
    public init(url: URL, transport: any HTTPTransport) {
        self.url = url
        self.transport = transport
    }

    public func run(_ step: ShellStep, password: Secret?) async throws -> ShellStepOutcome {
        guard let host = url.host, EndpointPolicy.isLoopback(host: host) else {
            return .failed("the simulated shell must be on loopback")
        }
        var input: [JSONValue] = []
        if step.readsPassword, let password { input.append(.string(password.reveal())) }
        let body: JSONValue = ["script": .string(step.command), "input": .array(input)]
        let request = HTTPRequest(
            method: "POST",
            url: url,
            headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
            body: body.encoded(),
            timeout: .seconds(30)
        )
        let response = try await transport.send(request)
        guard response.status == 200, let answer = try? JSONValue.parse(response.body) else {
            return .failed("the simulated shell answered HTTP \(response.status)")
        }
        let errors = (answer["errors"].array ?? []).compactMap(\.string)
        let output = (answer["output"].array ?? []).compactMap(\.string)
        if !errors.isEmpty { return .failed(errors.joined(separator: "\n")) }
        return .ran(output: output)
    }
}
