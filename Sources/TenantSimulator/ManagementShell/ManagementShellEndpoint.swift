import FlyingFox
import Foundation
import MailscopeCore

/// `POST /_sim/ems`: the simulator's stand-in for an admin at the Exchange Management Shell of
/// the simulated Exchange Server. The body is `{"script": "...", "input": ["..."]}`; the script is
/// parsed in full (a syntax error runs nothing), then run statement by statement against the
/// simulated server's cmdlets, `Read-Host` answered from `input`. The answer is
/// `{"output": [...], "errors": [...], "statementsRun": N}`. Microsoft has nothing like it:
/// mailscope reaches it only through `SimulatedShell`, when a config names it.
extension SimulatorServer {
    func runManagementShell(body: Data) async -> FlyingFox.HTTPResponse {
        guard let request = try? MailscopeCore.JSONValue.parse(body), let text = request["script"].string else {
            return Self.json(400, ["error": "POST /_sim/ems with {\"script\": \"...\", \"input\": [\"...\"]}"])
        }
        let input = (request["input"].array ?? []).compactMap(\.string)
        let script: ManagementShellScript
        do {
            script = try ManagementShellScript(text)
        } catch {
            return Self.json(200, ["output": [], "errors": [.string(error.description)], "statementsRun": 0])
        }
        let tenant = self.tenant
        let transcript = await script.run(input: input) { name, parameters in
            var converted: [String: MailscopeCore.JSONValue] = [:]
            for (key, value) in parameters { converted[key] = value.json }
            switch await tenant.runManagementShellCmdlet(name: name, parameters: converted) {
            case .success(let rows): return rows.map(ShellValue.init(json:))
            case .failure(let error):
                throw ShellCmdletError(
                    message: error.message,
                    category: error.category,
                    isNotFound: error.exceptionName == "ManagementObjectNotFoundException"
                )
            }
        }
        return Self.json(
            200,
            [
                "output": .array(transcript.output.map(MailscopeCore.JSONValue.string)),
                "errors": .array(transcript.errors.map(MailscopeCore.JSONValue.string)),
                "statementsRun": .number(Double(transcript.statementsRun)),
            ]
        )
    }
}

extension ShellValue {
    /// The JSON value for the simulated cmdlets.
    var json: MailscopeCore.JSONValue {
        switch self {
        case .null: .null
        case .bool(let value): .bool(value)
        case .number(let value): .number(value)
        case .string(let value): .string(value)
        case .array(let items): .array(items.map(\.json))
        case .object(let fields): .object(fields.mapValues(\.json))
        }
    }

    /// The shell value of a cmdlet's JSON row.
    init(json: MailscopeCore.JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let value): self = .number(value)
        case .string(let value): self = .string(value)
        case .array(let items): self = .array(items.map(ShellValue.init(json:)))
        case .object(let fields): self = .object(fields.mapValues(ShellValue.init(json:)))
        }
    }
}
