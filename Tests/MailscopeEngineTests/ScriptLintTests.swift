import Foundation
import MailscopeEngine
import Testing

/// The printed PowerShell runs as it is (issue 10): every cmdlet and parameter of every script
/// mailscope prints is in Microsoft's cmdlet reference (`CmdletReference`), and every variable is
/// assigned before it is used.
@Suite("the printed PowerShell uses only documented cmdlets and defined variables")
struct ScriptLintTests {
    /// Parameters every cmdlet takes (about_CommonParameters), and -Confirm/-WhatIf.
    static let commonParameters: Set<String> = [
        "debug", "erroraction", "errorvariable", "informationaction", "informationvariable", "outbuffer",
        "outvariable", "pipelinevariable", "progressaction", "verbose", "warningaction", "warningvariable", "whatif",
        "confirm",
    ]

    /// Variables PowerShell defines itself.
    static let automaticVariables: Set<String> = ["_", "true", "false", "null", "erroractionpreference", "psitem"]

    /// Scripts for the configurations mailscope can print.
    static var scripts: [(String, String)] {
        func config(_ edit: (inout SetupConfig) -> Void) -> SetupConfig {
            var config = SetupConfig(preset: Preset.named("workable")!, tenant: "contoso.onmicrosoft.com")
            config.members = ["avery.adams@contoso.com", "room-alder@contoso.com"]
            config.outOfScopeMailbox = "ceo@contoso.com"
            edit(&config)
            return config
        }
        var server = config { _ in }
        server.target = .exchangeServer
        server.ewsURL = "https://mail.contoso.com/EWS/Exchange.asmx"
        server.serviceAccountAddress = "svc-booking@contoso.com"
        server.servicePassword = .environmentVariable("MAILSCOPE_SVC_PASSWORD")
        return [
            ("secret", config { _ in }),
            ("certificate", config { $0.credential = .certificate }),
            ("mailbox user", config { $0.mailboxUser = "svc@contoso.com"; $0.usageLocation = "US" }),
            ("Microsoft 365 group", config { $0.groupKind = .microsoft365 }),
            ("mail-enabled security group", config { $0.groupKind = .mailEnabledSecurity }),
            ("rooms", config { $0.scopeKind = .rooms }),
            ("US Gov", config { $0.cloud = "usgov" }),
            ("vendor app", config { $0.vendorAppID = "7a0c3e5b-9d41-4f6e-b2a8-3c5d1e9f0b72" }),
            (
                "delegated",
                config {
                    $0.preset = "workato"
                    $0.access = .delegated
                    $0.redirectURI = URL(string: "https://www.workato.com/oauth/callback")
                }
            ),
            ("EWS", config { $0.usesEWS = true }),
            ("vendor app over EWS", config { $0.vendorAppID = "7a0c3e5b-9d41-4f6e-b2a8-3c5d1e9f0b72"; $0.usesEWS = true }),
            ("Exchange Server", server),
            ("Exchange Server rooms", { var rooms = server; rooms.scopeKind = .rooms; rooms.inScopeMailbox = "room-alder@contoso.com"; return rooms }()),
        ].map { ($0.0, ScriptRenderer.render($0.1)) }
    }

    /// `line` without comments and with every quoted string replaced by `''` (their text is data).
    static func code(_ line: Substring) -> String {
        var result = ""
        var quote: Character?
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if let open = quote {
                if character == open {
                    let next = line.index(after: index)
                    if next < line.endIndex && line[next] == open {
                        index = line.index(after: next)  // a doubled quote inside the string
                        continue
                    }
                    quote = nil
                    result.append("''")
                }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "#" {
                break
            } else {
                result.append(character)
            }
            index = line.index(after: index)
        }
        return result
    }

    /// The cmdlet invocations of `code`: each cmdlet with the parameters given to it.
    static func invocations(_ code: String) -> [(cmdlet: String, parameters: [String])] {
        let separators: Set<Character> = ["|", ";", "{", "}", "(", ")", "=", ","]
        var segments: [String] = [""]
        for character in code {
            if separators.contains(character) { segments.append("") } else { segments[segments.count - 1].append(character) }
        }
        var result: [(String, [String])] = []
        for segment in segments {
            let tokens = segment.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = tokens.first,
                first.range(of: #"^[A-Z][a-z]+-[A-Za-z]+$"#, options: .regularExpression) != nil
            else { continue }
            let parameters = tokens.dropFirst().compactMap { token -> String? in
                guard token.range(of: #"^-[A-Z][A-Za-z]*"#, options: .regularExpression) != nil else { return nil }
                return String(token.dropFirst().prefix { $0 != ":" })
            }
            result.append((first, parameters))
        }
        return result
    }

    @Test func everyCmdletAndParameterIsInTheReference() {
        var checked = 0
        for (name, script) in Self.scripts {
            for line in script.split(separator: "\n") {
                for (cmdlet, parameters) in Self.invocations(Self.code(line)) {
                    checked += 1
                    guard let documented = CmdletReference.parameters[cmdlet] else {
                        Issue.record("\(name): \(cmdlet) is not in the cmdlet reference table: \(line)")
                        continue
                    }
                    let known = Set(documented.map { $0.lowercased() }).union(Self.commonParameters)
                    for parameter in parameters where !known.contains(parameter.lowercased()) {
                        Issue.record("\(name): \(cmdlet) has no documented -\(parameter): \(line)")
                    }
                }
            }
        }
        #expect(checked > 100)
    }

    /// The variables of `script` used before any assignment, with their line.
    static func unassignedVariables(in script: String) -> [String] {
        let variable = #/\$([A-Za-z_][A-Za-z0-9_]*)/#
        let assignment = #/^\s*(?:\}\s*(?:else\s*)?\{?\s*)?\$([A-Za-z_][A-Za-z0-9_]*)\s*=/#
        let loop = #/foreach\s*\(\s*\$([A-Za-z_][A-Za-z0-9_]*)\s+in/#
        var defined = automaticVariables
        var problems: [String] = []
        for line in script.split(separator: "\n") {
            let code = Self.code(line)
            var assigned: Set<String> = []
            for statement in code.split(separator: ";") {
                if let match = String(statement).firstMatch(of: assignment) { assigned.insert(match.1.lowercased()) }
            }
            if let match = code.firstMatch(of: loop) { assigned.insert(match.1.lowercased()) }
            for match in code.matches(of: variable) {
                let used = match.1.lowercased()
                if !defined.contains(used) && !assigned.contains(used) { problems.append("$\(match.1): \(line)") }
            }
            defined.formUnion(assigned)
        }
        return problems
    }

    @Test func everyVariableIsAssignedBeforeUse() {
        for (name, script) in Self.scripts {
            for problem in Self.unassignedVariables(in: script) { Issue.record("\(name): used before it is assigned: \(problem)") }
        }
    }

    @Test func theLintersCatchWhatTheyShould() {
        // The old certificate line: $existing and $certBytes were never assigned.
        let line: Substring = "Update-MgApplication -ApplicationId $app.Id -KeyCredentials (@($existing.KeyCredentials) + @{ key = $certBytes })"
        #expect(Self.invocations(Self.code(line)).map(\.cmdlet) == ["Update-MgApplication"])
        #expect(Self.unassignedVariables(in: "$app = Get-MgApplication\n" + line).count == 2)
        #expect(Self.invocations(Self.code("Connect-ExchangeOnline -Organization 'x' -Device")).first?.parameters == ["Organization", "Device"])
        #expect(Self.code("Write-Host 'a # b' # comment") == "Write-Host '' ")
        #expect(Self.invocations(Self.code("Get-ManagementRoleAssignment -RoleAssignee $sp.Id")).first?.parameters == ["RoleAssignee"])
    }
}
