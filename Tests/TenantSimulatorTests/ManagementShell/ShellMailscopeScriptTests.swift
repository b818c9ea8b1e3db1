import Testing

@testable import TenantSimulator

/// The script mailscope prints for the Exchange Management Shell, run as a simulated admin would paste it.
@Suite("The mailscope EMS script")
struct MailscopeScriptTests {
    /// The exact script mailscope prints.
    static let script = """
        New-Mailbox -Name 'Room Booking Service' -Alias 'svc-booking' -UserPrincipalName 'svc-booking@contoso.com' \
        -PrimarySmtpAddress 'svc-booking@contoso.com' -Password (Read-Host -AsSecureString -Prompt 'Password for \
        svc-booking@contoso.com')
        New-DistributionGroup -Name 'Booking Rooms' -Alias 'booking-rooms' -PrimarySmtpAddress \
        'booking-rooms@contoso.com' -Type Distribution -Members 'room1@contoso.com','o''brien@contoso.com'
        Add-DistributionGroupMember -Identity 'booking-rooms@contoso.com' -Member 'room2@contoso.com' \
        -BypassSecurityGroupManagerCheck
        $group = Get-DistributionGroup -Identity 'booking-rooms@contoso.com'
        if (-not (Get-ManagementScope -Identity 'Booking scope' -ErrorAction SilentlyContinue)) { New-ManagementScope \
        -Name 'Booking scope' -RecipientRestrictionFilter ("MemberOfGroup -eq '{0}'" -f \
        ($group.DistinguishedName -replace "'", "''")) }
        if (-not (Get-ManagementRoleAssignment -Identity 'Room Booking Service - Impersonation' -ErrorAction \
        SilentlyContinue)) { New-ManagementRoleAssignment -Name 'Room Booking Service - Impersonation' -Role \
        ApplicationImpersonation -User 'svc-booking@contoso.com' -CustomRecipientWriteScope 'Booking scope' }
        Set-ManagementScope -Identity 'Booking scope' -RecipientRestrictionFilter \
        "RecipientTypeDetails -eq 'RoomMailbox'"
        Get-ManagementRoleAssignment -Role ApplicationImpersonation -RoleAssignee 'svc-booking@contoso.com' | \
        Where-Object { $_.Name -ne 'Room Booking Service - Impersonation' } | Remove-ManagementRoleAssignment \
        -Confirm:$false
        Set-ManagementRoleAssignment -Identity 'Room Booking Service - Impersonation' -CustomRecipientWriteScope \
        'Booking scope'
        """

    /// `Name`/`value` pairs as string parameters.
    static func strings(_ pairs: KeyValuePairs<String, String>) -> [String: ShellValue] {
        Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, ShellValue.string($0.value)) })
    }

    @Test("the script is nine statements on nine lines, as mailscope prints it")
    func scriptShape() throws {
        #expect(Self.script.split(separator: "\n").count == 9)
        #expect(try ManagementShellScript(Self.script).statementCount == 9)
    }

    @Test("a fresh run makes exactly the expected cmdlet calls")
    func freshRun() async throws {
        let exchange = FakeExchange()
        await exchange.addAssignment(name: "Old impersonation", role: "ApplicationImpersonation",
                                     user: "svc-booking@contoso.com")
        await exchange.addAssignment(name: "Other user", role: "ApplicationImpersonation", user: "someone@contoso.com")
        let (transcript, calls) = try await run(Self.script, input: ["S3cret!"], on: exchange)
        #expect(transcript.errors == [])
        #expect(transcript.statementsRun == 9)
        let dn = "CN=Booking Rooms,OU=Groups,DC=contoso,DC=com"
        let expected: [Call] = [
            Call(name: "New-Mailbox", parameters: Self.strings([
                "Name": "Room Booking Service", "Alias": "svc-booking", "UserPrincipalName": "svc-booking@contoso.com",
                "PrimarySmtpAddress": "svc-booking@contoso.com", "Password": "S3cret!",
            ])),
            Call(name: "New-DistributionGroup", parameters: Self.strings([
                "Name": "Booking Rooms", "Alias": "booking-rooms", "PrimarySmtpAddress": "booking-rooms@contoso.com",
                "Type": "Distribution",
            ]).merging(["Members": .array([.string("room1@contoso.com"), .string("o'brien@contoso.com")])]) { $1 }),
            Call(name: "Add-DistributionGroupMember", parameters: Self.strings([
                "Identity": "booking-rooms@contoso.com", "Member": "room2@contoso.com",
            ]).merging(["BypassSecurityGroupManagerCheck": .bool(true)]) { $1 }),
            Call(name: "Get-DistributionGroup", parameters: Self.strings(["Identity": "booking-rooms@contoso.com"])),
            Call(name: "Get-ManagementScope", parameters: Self.strings(["Identity": "Booking scope"])),
            Call(name: "New-ManagementScope", parameters: Self.strings([
                "Name": "Booking scope", "RecipientRestrictionFilter": "MemberOfGroup -eq '\(dn)'",
            ])),
            Call(name: "Get-ManagementRoleAssignment", parameters: Self.strings([
                "Identity": "Room Booking Service - Impersonation",
            ])),
            Call(name: "New-ManagementRoleAssignment", parameters: Self.strings([
                "Name": "Room Booking Service - Impersonation", "Role": "ApplicationImpersonation",
                "User": "svc-booking@contoso.com", "CustomRecipientWriteScope": "Booking scope",
            ])),
            Call(name: "Set-ManagementScope", parameters: Self.strings([
                "Identity": "Booking scope", "RecipientRestrictionFilter": "RecipientTypeDetails -eq 'RoomMailbox'",
            ])),
            Call(name: "Get-ManagementRoleAssignment", parameters: Self.strings([
                "Role": "ApplicationImpersonation", "RoleAssignee": "svc-booking@contoso.com",
            ])),
            Call(name: "Remove-ManagementRoleAssignment", parameters: Self.strings(["Identity": "Old impersonation"])),
            Call(name: "Set-ManagementRoleAssignment", parameters: Self.strings([
                "Identity": "Room Booking Service - Impersonation", "CustomRecipientWriteScope": "Booking scope",
            ])),
        ]
        #expect(calls == expected)
        #expect(await exchange.assignments["old impersonation"] == nil)
        #expect(await exchange.assignments["other user"] != nil)
        #expect(await exchange.scopes["booking scope"]?["RecipientRestrictionFilter"]
                == .string("RecipientTypeDetails -eq 'RoomMailbox'"))
        // The objects New-Mailbox, New-DistributionGroup and the two New-Management* cmdlets returned are rendered;
        // the password prompt never is.
        #expect(transcript.output.contains("Name               : Room Booking Service"))
        #expect(!transcript.output.joined().contains("Password for"))
        #expect(!transcript.output.joined().contains("S3cret!"))
    }

    @Test("a second run skips the guarded creations and reports what already exists")
    func secondRun() async throws {
        let exchange = FakeExchange()
        _ = try await run(Self.script, input: ["S3cret!"], on: exchange)
        let (transcript, calls) = try await run(Self.script, input: ["S3cret!"], on: exchange)
        #expect(transcript.statementsRun == 9)
        #expect(!calls.map(\.name).contains("New-ManagementScope"))
        #expect(!calls.map(\.name).contains("New-ManagementRoleAssignment"))
        #expect(!calls.map(\.name).contains("Remove-ManagementRoleAssignment"))
        #expect(transcript.errors == ["New-Mailbox : The mailbox \"Room Booking Service\" already exists."])
        #expect(calls.last?.name == "Set-ManagementRoleAssignment")
    }

    @Test("a group DN with an apostrophe is doubled inside the filter's single quotes")
    func apostropheInDistinguishedName() async throws {
        let script = Self.script.replacing("'Booking Rooms'", with: "'O''Brien Rooms'")
        let (transcript, calls) = try await run(script, input: ["pw"])
        #expect(transcript.errors == [])
        let scope = try #require(calls.first { $0.name == "New-ManagementScope" })
        #expect(scope.parameters["RecipientRestrictionFilter"]
                == .string("MemberOfGroup -eq 'CN=O''Brien Rooms,OU=Groups,DC=contoso,DC=com'"))
        #expect(calls[1].parameters["Name"] == .string("O'Brien Rooms"))
    }

    @Test("a failing New-ManagementScope is reported as PowerShell would and the script goes on")
    func failingStatementContinues() async throws {
        let exchange = FakeExchange()
        await exchange.addScope(name: "Booking scope", filter: "x")
        let script = """
            New-ManagementScope -Name 'Booking scope' -RecipientRestrictionFilter 'y'
            Set-ManagementScope -Identity 'Booking scope' -RecipientRestrictionFilter 'z'
            """
        let (transcript, calls) = try await run(script, on: exchange)
        #expect(transcript.errors == ["New-ManagementScope : The management scope \"Booking scope\" already exists."])
        #expect(calls.map(\.name) == ["New-ManagementScope", "Set-ManagementScope"])
        #expect(transcript.statementsRun == 2)
        #expect(await exchange.scopes["booking scope"]?["RecipientRestrictionFilter"] == .string("z"))
    }

    @Test("-ErrorAction Stop stops the whole script")
    func errorActionStop() async throws {
        let script = """
            Write-Host 'before'
            Get-ManagementScope -Identity 'Missing' -ErrorAction Stop
            Write-Host 'after'
            """
        let (transcript, calls) = try await run(script)
        #expect(transcript.output == ["before"])
        #expect(transcript.errors == ["Get-ManagementScope : The operation couldn't be performed because object "
                                      + "'Missing' couldn't be found on 'DC1.contoso.com'."])
        #expect(transcript.statementsRun == 2)
        #expect(calls.count == 1)
        #expect(calls[0].parameters["ErrorAction"] == nil)
    }

    @Test("Read-Host without input fails its statement, which then runs no cmdlet; the script goes on")
    func readHostWithoutInput() async throws {
        let script = """
            New-Mailbox -Name 'x' -Password (Read-Host -AsSecureString -Prompt 'Password')
            Write-Host 'next'
            """
        let (transcript, calls) = try await run(script, input: [])
        #expect(transcript.errors == ["Read-Host : no input"])
        #expect(calls.isEmpty)
        #expect(transcript.output == ["next"])
    }

    @Test("Read-Host answers from the input lines in order")
    func readHostConsumesInput() async throws {
        let script = """
            $a = Read-Host 'First'
            $b = Read-Host -Prompt 'Second'
            Write-Host "$a/$b"
            """
        let (transcript, _) = try await run(script, input: ["one", "two", "three"])
        #expect(transcript.output == ["one/two"])
    }
}
