import Testing

@testable import TenantSimulator

/// Scripts that must not run: syntax errors and unsupported PowerShell.
@Suite("Syntax errors")
struct SyntaxErrorTests {
    @Test("unsupported or invalid PowerShell is a syntax error naming line and column", arguments: [
        ("Write-Host 'ok'\nNew-Mailbox -Name 'unterminated", 2, 19, "missing the terminator"),
        ("Write-Host \"open", 1, 12, "missing the terminator"),
        ("Write-Host 'ok'\nforeach ($g in $groups) { Remove-Thing $g }", 2, 1, "'foreach' statements are not"),
        ("function Get-X { }", 1, 1, "'function'"),
        ("Invoke-Expression 'rm -rf /'", 1, 1, "'Invoke-Expression' is not supported"),
        ("Get-Mailbox | ForEach-Object { $_ }", 1, 15, "'ForEach-Object' is not supported"),
        ("& 'Get-Mailbox'", 1, 1, "call operator"),
        (". .\\profile.ps1", 1, 1, "dot-sourcing"),
        ("Get-Mailbox > out.txt", 1, 13, "redirection"),
        ("Get-Mailbox 2>&1", 1, 14, "redirection"),
        ("$x = @'\nhere\n'@", 1, 6, "here-strings"),
        ("Set-Thing -Script { 1 }", 1, 19, "script blocks are only supported"),
        ("$x.ToString()", 1, 12, "method calls"),
        ("$x[0]", 1, 3, "indexing"),
        ("[string]$x", 1, 1, "type literals"),
        ("$x += 1", 1, 4, "'+=' operator"),
        ("$x.Name = 1", 1, 9, "assignment is only supported to a plain variable"),
        ("'a' -split ','", 1, 5, "-split operator"),
        ("rm -rf /", 1, 1, "not a supported command"),
        ("Get-Mailbox | 'x'", 1, 15, "only a command can follow '|'"),
        ("Write-Host 'a' `  \nWrite-Host 'b'", 1, 16, "backtick"),
        ("if ($x) { 'a' ", 1, 9, "missing closing '}'"),
        ("else { }", 1, 1, "without a preceding 'if'"),
        ("if ($x) { } else if ($y) { }", 1, 18, "missing '{' after 'else'"),
        ("Write-Host $env:PATH", 1, 12, "environment variables"),
        ("Write-Host \"$name:\"", 1, 13, "variable reference is not valid"),
        ("Get-Mailbox @params", 1, 13, "splatting"),
        ("Get-Mailbox -ErrorVariable e", 1, 13, "-ErrorVariable parameter is not supported"),
        ("Read-Host -Foo 'x'", 1, 11, "Read-Host does not support the -Foo parameter"),
        ("Where-Object Name -eq 'x'", 1, 14, "only a script block filter"),
        ("@{ a = 1; A = 2 }", 1, 11, "duplicate key"),
        ("Get-Mailbox )", 1, 13, "unexpected ')'"),
        ("$x = 1..5", 1, 7, "range operator"),
        ("Get-Mailbox -Identity x && Get-Mailbox", 1, 25, "'&' is not supported"),
    ])
    func rejected(script: String, line: Int, column: Int, fragment: String) async throws {
        let exchange = FakeExchange()
        #expect(throws: ShellSyntaxError.self) { try ManagementShellScript(script) }
        do {
            _ = try ManagementShellScript(script)
        } catch {
            #expect(error.message.contains(fragment), "\(error)")
            #expect(error.line == line && error.column == column, "\(error)")
        }
        #expect(await exchange.calls.isEmpty)
    }
}
