import Testing

@testable import TenantSimulator

/// Runs `script` and returns its output lines, failing the test on any error.
func shellOutput(_ script: String, input: [String] = []) async throws -> [String] {
    let (transcript, _) = try await run(script, input: input)
    #expect(transcript.errors == [], "\(script)")
    return transcript.output
}

/// The PowerShell language subset: values, operators, statements and pipelines.
@Suite("Language")
struct LanguageTests {
    @Test("quoting: single quotes stay literal, double quotes expand and escape", arguments: [
        ("Write-Host 'it''s $x `n $(rm -rf /)'", "it's $x `n $(rm -rf /)"),
        ("$x = 'v'; Write-Host \"a $x ${x}b `$x `\"q`\" \"\"d\"\" $($x + '!')\"", "a v vb $x \"q\" \"d\" v!"),
        ("Write-Host \"tab`tend\"", "tab\tend"),
        ("Write-Host \"cost: $ 5\"", "cost: $ 5"),
        ("Write-Host \u{2018}smart\u{2019}", "smart"),
        ("$n = 5; Write-Host \"$n.Name\"", "5.Name"),
    ])
    func quoting(script: String, expected: String) async throws {
        #expect(try await shellOutput(script) == expected.shellLines)
    }

    @Test("single-quoted names with $, backticks and $(...) reach the runner untouched")
    func literalNames() async throws {
        let (transcript, calls) = try await run("New-DistributionGroup -Name '$(rm -rf /)' -Alias 'a`b$c' -Notes '`$x'")
        #expect(transcript.errors == [])
        #expect(calls == [Call(name: "New-DistributionGroup", parameters: [
            "Name": .string("$(rm -rf /)"), "Alias": .string("a`b$c"), "Notes": .string("`$x"),
        ])])
    }

    @Test("a $(...) inside double quotes is a subexpression the interpreter runs, calling the runner")
    func subexpressionInDoubleQuotes() async throws {
        let exchange = FakeExchange()
        await exchange.addGroup(name: "Booking Rooms", alias: "booking-rooms", smtp: "booking-rooms@contoso.com")
        let script = "New-ManagementScope -Name \"Scope for $((Get-DistributionGroup 'booking-rooms').Name)\" "
            + "-RecipientRestrictionFilter 'x'"
        let (transcript, calls) = try await run(script, on: exchange)
        #expect(transcript.errors == [])
        #expect(calls.map(\.name) == ["Get-DistributionGroup", "New-ManagementScope"])
        #expect(calls[0].parameters == ["Identity": .string("booking-rooms")])
        #expect(calls[1].parameters["Name"] == .string("Scope for Booking Rooms"))
    }

    @Test("parameters: values, switches, -Param:value, positional Identity, lists, numbers, common parameters")
    func parameters() async throws {
        let script = """
            Set-Thing 'id' -Force -Count 5 -Ratio -1.5 -Size 2KB -Enabled:$false -List 'a', "b",c -Word Distribution `
                -Confirm:$false -WarningAction SilentlyContinue -Verbose -Empty $null -Var $v -ea 0
            """
        let (transcript, calls) = try await run("$v = 'vv'\n" + script)
        #expect(transcript.errors == [])
        #expect(calls == [Call(name: "Set-Thing", parameters: [
            "Identity": .string("id"), "Force": .bool(true), "Count": .number(5), "Ratio": .number(-1.5),
            "Size": .number(2048), "Enabled": .bool(false), "List": .array([.string("a"), .string("b"), .string("c")]),
            "Word": .string("Distribution"), "Empty": .null, "Var": .string("vv"),
        ])])
    }

    @Test("binding errors: a second positional argument or a repeated parameter fails the statement")
    func bindingErrors() async throws {
        let script = "Get-Thing 'a' 'b'\nGet-Thing -Name a -name b\nGet-Thing -Identity a 'b'"
        let (transcript, calls) = try await run(script)
        #expect(calls.isEmpty)
        #expect(transcript.errors == [
            "Get-Thing : A positional parameter cannot be found that accepts argument 'b'.",
            "Get-Thing : Cannot bind parameter because parameter 'name' is specified more than once.",
            "Get-Thing : A positional parameter cannot be found that accepts argument 'b'.",
        ])
    }

    @Test("operators", arguments: [
        ("'{0}-{1}' -f 'a', 2", "a-2"),
        ("'{{{0,3}|{1,-3}}}' -f 'a','b'", "{  a|b  }"),
        ("\"x'y'z\" -replace \"'\", \"''\"", "x''y''z"),
        ("'Hello World' -replace 'o', '0'", "Hell0 W0rld"),
        ("'HELLO' -replace 'l', 'x'", "HExxO"),
        ("'HELLO' -creplace 'l', 'x'", "HELLO"),
        ("'john smith' -replace '(\\w+) (\\w+)', '$2, $1'", "smith, john"),
        ("'a.b' -replace '\\.', '$$'", "a$b"),
        ("'abc' -replace '(?<x>b)', '[${x}]'", "a[b]c"),
        ("'abc' -replace 'x*', '-'", "-a-b-c-"),
        ("'abc' -replace 'B'", "ac"),
        ("'aaa' -replace 'a+?', 'x'", "xxx"),
        ("'Room 12' -replace '^room\\s(\\d{1,3})$', 'R$1'", "R12"),
        ("'ABC' -eq 'abc'", "True"),
        ("'ABC' -ceq 'abc'", "False"),
        ("'svc-booking' -like 'SVC-*'", "True"),
        ("'svc-booking' -like 'svc-b??king'", "True"),
        ("'svc-booking' -notlike '*x*'", "True"),
        ("'a' -like '[a-c]'", "True"),
        ("5 -eq '5'", "True"),
        ("5 -gt 3 -and 'b' -gt 'A'", "True"),
        ("$null -eq $null", "True"),
        ("-not $null", "True"),
        ("!'x'", "False"),
        ("-not 0 -or $false", "True"),
        ("$true -xor $true", "False"),
        ("1 + 2", "3"),
        ("'a' + 1", "a1"),
        ("10 - 4", "6"),
        ("('a','b','c' -ne 'b').Count", "2"),
        ("'a','b' -contains 'B'", "True"),
        ("'b' -in 'a','b'", "True"),
        ("'abc' -match 'B'", "True"),
        ("'Name' -like '*am*' -and -not ('x' -eq 'y')", "True"),
    ])
    func operators(expression: String, expected: String) async throws {
        #expect(try await shellOutput("Write-Output ($expression)".replacing("$expression", with: expression))
                == [expected])
    }

    @Test("-match sets $Matches")
    func matchSetsMatches() async throws {
        #expect(try await shellOutput("if ('user@contoso.com' -match '@(?<domain>.+)$') { Write-Host $Matches.domain }")
                == ["contoso.com"])
    }

    @Test("truthiness: $null, $false, 0, '' and @() are false", arguments: [
        ("$null", false), ("$false", false), ("0", false), ("''", false), ("@()", false), ("@(0)", false),
        ("'x'", true), ("1", true), ("@(1, 2)", true), ("@{}", true), ("'False'", true),
    ])
    func truthiness(value: String, expected: Bool) async throws {
        #expect(try await shellOutput("if (\(value)) { 'yes' } else { 'no' }") == [expected ? "yes" : "no"])
    }

    @Test("if / elseif / else, across lines and nested")
    func conditionals() async throws {
        let script = """
            $n = 2
            if ($n -eq 1) {
                'one'
            }
            elseif ($n -eq 2) {
                if ($true) { 'two' }
            } else { 'other' }
            if ($false) { 'no' } else { 'else' }
            """
        #expect(try await shellOutput(script) == ["two", "else"])
    }

    @Test("assignment: one object, several (array), none ($null); variables are case-insensitive")
    func assignment() async throws {
        let exchange = FakeExchange()
        await exchange.addAssignment(name: "A1", role: "R", user: "u")
        await exchange.addAssignment(name: "A2", role: "R", user: "u")
        let script = """
            $One = Get-ManagementRoleAssignment -Identity 'A1'
            $many = Get-ManagementRoleAssignment -Role 'R'
            $none = Get-ManagementRoleAssignment -Role 'nothing'
            $empty = @()
            Write-Host $one.Name $MANY.Count ($none -eq $null) $empty.Count $many.Name
            """
        let (transcript, _) = try await run(script, on: exchange)
        #expect(transcript.errors == [])
        #expect(transcript.output == ["A1 2 True 0 A1 A2"])
    }

    @Test("member access: properties, member enumeration, single results unwrapped, Count and Length")
    func memberAccess() async throws {
        let script = """
            $o = @{ Name = 'n'; Inner = @{ Deep = 'd' }; List = 'x','y' }
            $arr = @(@{ Name = 'a' }, @{ Name = 'b' }, @{ Other = 1 })
            $single = @(@{ Name = 'only' })
            Write-Host $o.name $o.Inner.Deep $o.List.Count $arr.Name.Count $single.Name ('abc').Length $o.Missing.Count
            """
        #expect(try await shellOutput(script) == ["n d 2 2 only 3 0"])
    }

    @Test("pipelines bind each object's Identity, else Name, else the string itself, one runner call each")
    func pipelineBinding() async throws {
        let script = """
            @(@{ Identity = 'i1'; Name = 'n1' }, @{ Name = 'n2' }, 's3') | Remove-Thing -Confirm:$false
            'x', 'y' | ? { $_ -like 'y' } | Disable-Thing
            $null | Remove-Thing
            """
        let (transcript, calls) = try await run(script)
        #expect(calls == [
            Call(name: "Remove-Thing", parameters: ["Identity": .string("i1")]),
            Call(name: "Remove-Thing", parameters: ["Identity": .string("n2")]),
            Call(name: "Remove-Thing", parameters: ["Identity": .string("s3")]),
            Call(name: "Disable-Thing", parameters: ["Identity": .string("y")]),
        ])
        #expect(transcript.errors.count == 4)  // The fake does not know these cmdlets.
    }

    @Test("-ErrorAction SilentlyContinue swallows the error and yields $null; $ErrorActionPreference = 'Stop' stops")
    func errorPreferences() async throws {
        let script = """
            $s = Get-ManagementScope 'missing' -ErrorAction SilentlyContinue
            if ($s -eq $null) { 'null' }
            Get-ManagementScope 'missing'
            'continued'
            $ErrorActionPreference = 'Stop'
            Get-ManagementScope 'missing'
            'never'
            """
        let (transcript, calls) = try await run(script)
        #expect(transcript.output == ["null", "continued"])
        #expect(transcript.errors.count == 2)
        #expect(calls.count == 3)
        #expect(transcript.statementsRun == 6)
    }

    @Test("comments, semicolons, blank lines, backtick continuation, CRLF")
    func layout() async throws {
        let script = "# heading\r\n\r\nWrite-Host 'a'; Write-Host `\r\n  'b' # trailing\r\n"
            + "<# block\n comment #> 'c'\n;;\n"
        #expect(try await shellOutput(script) == ["a", "b", "c"])
    }

    @Test("Write-Output and bare statements render objects as Name : value lines")
    func rendering() async throws {
        let script = """
            @{ Name = 'X'; LongerName = 1; List = 'a','b'; Flag = $true }
            Write-Output 'text' 3
            $null
            """
        #expect(try await shellOutput(script) == [
            "Flag       : True", "List       : {a, b}", "LongerName : 1", "Name       : X", "text", "3",
        ])
    }

    @Test("Out-Null and $null = discard output; hash literals and @() build values")
    func discarding() async throws {
        #expect(try await shellOutput("'a' | Out-Null\n$null = 'b'\n@('c') + 'd'") == ["c", "d"])
    }
}
