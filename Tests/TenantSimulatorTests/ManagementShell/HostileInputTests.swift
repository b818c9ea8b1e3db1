import Testing

@testable import TenantSimulator

/// Hostile scripts: errors, never a crash or a hang.
@Suite("Hostile input")
struct HostileInputTests {
    /// The syntax error `script` produces, if any.
    private func syntaxError(_ script: String) -> ShellSyntaxError? {
        do {
            _ = try ManagementShellScript(script)
            return nil
        } catch {
            return error
        }
    }

    @Test("deep nesting of every kind is a syntax error", arguments: [
        String(repeating: "(", count: 100_000),
        "$x = " + String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000),
        String(repeating: "$(", count: 10_000),
        "Write-Host \"" + String(repeating: "$(\"", count: 10_000),
        "$x = " + String(repeating: "!", count: 100_000) + "1",
        "$x = " + String(repeating: "-not ", count: 10_000) + "1",
        String(repeating: "if (1) { ", count: 1_000),
        String(repeating: "@(", count: 1_000) + String(repeating: ")", count: 1_000),
        String(repeating: "@{a=", count: 1_000),
        "$x = 1" + String(repeating: " + 1", count: 100_000),
        "$x = $y" + String(repeating: ".a", count: 100_000),
        "$x = 'a'" + String(repeating: " -replace 'a','b'", count: 1_000),
        "$x = 'a'" + String(repeating: " -f 1", count: 1_000),
        "$x = 1" + String(repeating: " -and 1", count: 1_000),
    ])
    func deepNesting(script: String) {
        let error = syntaxError(script)
        #expect(error != nil)
    }

    @Test("scripts over 1 MB are refused; unterminated constructs are errors")
    func sizeAndTermination() {
        #expect(syntaxError(String(repeating: "#", count: 1_100_000))?.message.contains("larger than") == true)
        #expect(syntaxError("'" + String(repeating: "a", count: 500_000)) != nil)
        #expect(syntaxError("<# never closed") != nil)
        #expect(syntaxError("${never closed") != nil)
        #expect(syntaxError("Write-Host \"`u{110000}\"") != nil)
        #expect(syntaxError("@{ a = 1") != nil)
        #expect(syntaxError("Get-X | ") != nil)
    }

    @Test("a large but valid script parses and runs")
    func largeScript() async throws {
        let script = String(repeating: "$x = 'value'; Write-Host $x\n", count: 20_000)
        let (transcript, _) = try await run(script)
        #expect(transcript.output.count == 20_000)
        #expect(transcript.statementsRun == 40_000)
    }

    @Test("catastrophic regex backtracking stops the script instead of hanging")
    func catastrophicRegex() async throws {
        let script = "$s = '\(String(repeating: "a", count: 40))'\n$t = $s -replace '(a|aa)+c', 'x'\n'after'"
        let (transcript, _) = try await run(script)
        #expect(transcript.errors == ["The script exceeded the interpreter's work limit and was stopped."])
        #expect(transcript.output.isEmpty)
    }

    @Test("invalid regex and wildcard patterns fail only their statement", arguments: [
        "'a' -replace '(', 'x'", "'a' -replace 'a**', 'x'", "'a' -replace '(a*)*', 'x'", "'a' -replace '(?=a)', ''",
        "'a' -replace '\\1', ''", "'a' -like '[a'", "'a' -replace 'a','b','c'", "'{0} {1}' -f 'a'", "'{0:N2}' -f 1",
        "'{' -f 1",
    ])
    func invalidPatterns(expression: String) async throws {
        let (transcript, _) = try await run("$r = \(expression)\n'after'")
        #expect(transcript.errors.count == 1, "\(transcript.errors)")
        #expect(transcript.output == ["after"])
    }

    @Test("exponentially growing values hit the depth or work limit")
    func growingValues() async throws {
        let doubling = "$a = 'x'\n" + String(repeating: "$a = $a, $a\n", count: 200) + "'done'"
        let (transcript, _) = try await run(doubling)
        #expect(!transcript.errors.isEmpty)
        let strings = "$a = 'xxxxxxxxxx'\n" + String(repeating: "$a = \"$a$a\"\n", count: 60) + "'done'"
        let (stringTranscript, _) = try await run(strings)
        #expect(stringTranscript.errors.contains { $0.contains("longer than") })
    }
}
