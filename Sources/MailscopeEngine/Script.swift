import Foundation

/// Renders a whole setup as a PowerShell script an admin can run as it is: every value is a
/// single-quoted literal, every step checks what exists first, and the script stops on errors.
public enum ScriptRenderer {
    /// The script for `config`.
    public static func render(_ config: SetupConfig) -> String {
        if config.target == .exchangeServer { return renderServer(config) }
        let q = Quoting.powershellLiteral
        let alias = config.effectiveGroupAlias
        var lines: [String] = []
        func add(_ line: String = "") { lines.append(line) }
        add("# mailscope: a scoped service account for \(config.preset) in tenant \(config.tenant)")
        add("# Generated from the configuration; every value below is quoted as a literal.")
        add("# Needs PowerShell 7 with Microsoft.Graph (Applications, Groups) and ExchangeOnlineManagement 3.")
        add("$ErrorActionPreference = 'Stop'")
        // The same delegated scopes mailscope's own sign-in asks for (least privileged per request);
        // a national cloud is named to both modules (Connect-MgGraph -Environment,
        // Connect-ExchangeOnline -ExchangeEnvironmentName); -Organization goes only with app-only
        // sign-in (Connect-ExchangeOnline's reference), never with -Device.
        let environments = Self.environmentNames(of: config.cloud)
        add(
            "Connect-MgGraph -TenantId \(q(config.tenant))\(environments.graph.map { " -Environment \($0)" } ?? "") -UseDeviceCode -Scopes \(config.delegatedGraphScopes.map(q).joined(separator: ","))"
        )
        add("Connect-ExchangeOnline\(environments.exchange.map { " -ExchangeEnvironmentName \($0)" } ?? "") -Device")
        add()
        add("# 1. Service account: the Entra app, its service principal and a credential")
        let appURI = q(
            "/v1.0/applications(uniqueName='\(config.applicationUniqueName.replacingOccurrences(of: "'", with: "''"))')"
        )
        add(
            "Invoke-MgGraphRequest -Method PATCH -Uri \(appURI) -Headers @{ Prefer = 'create-if-missing' } -Body @{ displayName = \(q(config.serviceAccountName)); signInAudience = 'AzureADMyOrg' } | Out-Null"
        )
        add("$app = Invoke-MgGraphRequest -Method GET -Uri \(appURI) -OutputType PSObject")
        add("$sp = Get-MgServicePrincipal -Filter ('appId eq ''' + $app.AppId + '''')")
        add("if (-not $sp) { $sp = New-MgServicePrincipal -AppId $app.AppId }")
        if config.credential == .secret {
            // Idempotent like apply: a secret made earlier (by this script or by mailscope, both name
            // theirs "mailscope …") and valid for two more weeks is kept; none is added beside it.
            add(
                "$held = @($app.passwordCredentials | Where-Object { $_.displayName -like 'mailscope*' -and [datetime]$_.endDateTime -gt (Get-Date).AddDays(14) })"
            )
            add("if ($held.Count -gt 0) {")
            add(
                "    Write-Host ('The app already has a client secret made by mailscope (key ID ' + $held[0].keyId + ', valid until ' + $held[0].endDateTime + '); none is added. Its secret is wherever it was stored when it was made.')"
            )
            add("} else {")
            add(
                "    $secret = Add-MgApplicationPassword -ApplicationId $app.Id -PasswordCredential @{ displayName = 'mailscope'; endDateTime = (Get-Date).AddDays(\(config.credentialLifetimeDays)) }"
            )
            add("    Write-Host ('Client secret (store it now, it is not shown again): ' + $secret.SecretText)")
            add("}")
        } else {
            add("# Upload your certificate (the private key stays with the integration):")
            add(
                "# Update-MgApplication -ApplicationId $app.Id -KeyCredentials @(@{ type = 'AsymmetricX509Cert'; usage = 'Verify'; key = [IO.File]::ReadAllBytes('cert.cer') })"
            )
        }
        if let upn = config.mailboxUser {
            add("# The service account's licensed mailbox user (the vendor asks for one)")
            let nickname = String(upn.split(separator: "@").first ?? "")
            add("if (-not (Get-MgUser -UserId \(q(upn)) -ErrorAction SilentlyContinue)) {")
            add("    New-MgUser -AccountEnabled -DisplayName \(q(config.serviceAccountName)) -MailNickname \(q(nickname)) -UserPrincipalName \(q(upn))\(config.usageLocation.map { " -UsageLocation \(q($0))" } ?? "") -PasswordProfile @{ Password = (Read-Host -Prompt 'Password for the mailbox user'); ForceChangePasswordNextSignIn = $false } | Out-Null")
            add("}")
            add("Set-MgUserLicense -UserId \(q(upn)) -AddLicenses @(@{ SkuId = (Get-MgSubscribedSku -All | Where-Object SkuPartNumber -eq \(q(config.mailboxLicense))).SkuId }) -RemoveLicenses @() | Out-Null")
        }
        add()
        switch config.scopeKind {
        case .group:
            add("# 2. Distribution group with the mailboxes as direct members (nested groups are not in scope)")
            let type = config.groupKind == .mailEnabledSecurity ? "Security" : "Distribution"
            if config.groupKind == .microsoft365 {
                add(
                    "if (-not (Get-UnifiedGroup -Identity \(q(alias)) -ErrorAction SilentlyContinue)) { New-MgGroup -DisplayName \(q(config.groupName)) -MailNickname \(q(alias)) -MailEnabled -SecurityEnabled:$false -GroupTypes 'Unified' | Out-Null }"
                )
                add("$group = Get-UnifiedGroup -Identity \(q(alias))")
                add(
                    "foreach ($member in @(\(config.members.map(q).joined(separator: ", ")))) { Add-UnifiedGroupLinks -Identity \(q(alias)) -LinkType Members -Links $member }"
                )
            } else {
                add(
                    "if (-not (Get-DistributionGroup -Identity \(q(alias)) -ErrorAction SilentlyContinue)) { New-DistributionGroup -Name \(q(config.groupName)) -Alias \(q(alias)) -DisplayName \(q(config.groupName)) -Type \(type) | Out-Null }"
                )
                add("$group = Get-DistributionGroup -Identity \(q(alias))")
                add(
                    "$present = @(Get-DistributionGroupMember -Identity $group.DistinguishedName -ResultSize Unlimited | ForEach-Object { $_.PrimarySmtpAddress.ToString().ToLower() })"
                )
                add("foreach ($member in @(\(config.members.map(q).joined(separator: ", ")))) {")
                add("    $primary = (Get-Recipient -Identity $member).PrimarySmtpAddress.ToString()")
                add("    if ($primary -ne $member) { Write-Warning ($member + ' is an alias; using ' + $primary) }")
                add(
                    "    if ($present -notcontains $primary.ToLower()) { Add-DistributionGroupMember -Identity $group.DistinguishedName -Member $primary -BypassSecurityGroupManagerCheck }"
                )
                add("}")
            }
        case .rooms:
            add("# 2. No group: the scope covers room mailboxes by filter (rooms added later are covered)")
        }
        add()
        add(
            "# 3. Impersonation role: register the app in Exchange; remove tenant-wide mailbox grants that void the scope"
        )
        add(
            "if (-not (Get-ServicePrincipal -Identity $app.AppId -ErrorAction SilentlyContinue)) { New-ServicePrincipal -AppId $app.AppId -ObjectId $sp.Id -DisplayName \(q(config.serviceAccountName)) | Out-Null }"
        )
        // The same permission set as the engine's check: every permission of the role table.
        let voiding = ApplicationRole.table.flatMap(\.permissions).reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        add("$voiding = @(\(voiding.map(q).joined(separator: ", ")))")
        add("Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id | ForEach-Object {")
        add("    $resource = Get-MgServicePrincipal -ServicePrincipalId $_.ResourceId")
        add("    $role = ($resource.AppRoles | Where-Object Id -eq $_.AppRoleId).Value")
        add(
            "    if ($voiding -contains $role) {"
        )
        add("        Write-Warning ('Removing tenant-wide ' + $role + ': it voids the scope')")
        add("        Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id -AppRoleAssignmentId $_.Id")
        add("    }")
        add("}")
        add()
        add("# 4. Scope and the role assignments bound to it")
        switch config.scopeKind {
        case .group:
            add("$filter = 'MemberOfGroup -eq ''' + $group.DistinguishedName.Replace(\"'\", \"''\") + ''''")
        case .rooms:
            add("$filter = \(q(Quoting.roomMailboxFilter))")
        }
        add("$scope = Get-ManagementScope -Identity \(q(config.scopeName)) -ErrorAction SilentlyContinue")
        add(
            "if (-not $scope) { New-ManagementScope -Name \(q(config.scopeName)) -RecipientRestrictionFilter $filter | Out-Null }"
        )
        add(
            "elseif ($scope.RecipientFilter -ne $filter) { Set-ManagementScope -Identity \(q(config.scopeName)) -RecipientRestrictionFilter $filter }"
        )
        for role in config.roles {
            let name = config.assignmentName(for: role)
            add(
                "if (-not (Get-ManagementRoleAssignment -RoleAssignee $sp.Id | Where-Object { $_.Role -eq \(q(role)) -and $_.CustomResourceScope -eq \(q(config.scopeName)) })) { New-ManagementRoleAssignment -Name \(q(name)) -Role \(q(role)) -App $sp.Id -CustomResourceScope \(q(config.scopeName)) | Out-Null }"
            )
        }
        add()
        add("# 5. Connect: the configured state now; live calls follow in 30 minutes to 2 hours")
        if let mailbox = config.inScopeMailbox ?? (config.scopeKind == .group ? config.members.first : nil) {
            add(
                "Test-ServicePrincipalAuthorization -Identity $app.AppId -Resource \(q(mailbox)) | Format-Table RoleName, InScope"
            )
        }
        if let mailbox = config.outOfScopeMailbox {
            add(
                "Test-ServicePrincipalAuthorization -Identity $app.AppId -Resource \(q(mailbox)) | Format-Table RoleName, InScope"
            )
        }
        add("Write-Host ('Tenant ID: ' + (Get-MgContext).TenantId + '  Client ID: ' + $app.AppId)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The Exchange Server script: the same Exchange Management Shell steps the engine hands over,
    /// in order, for the admin to run on the server. mailscope verifies them over EWS afterwards.
    /// The `-Environment` of Connect-MgGraph and the `-ExchangeEnvironmentName` of
    /// Connect-ExchangeOnline for `cloud` (nil: the worldwide default, or a custom cloud).
    static func environmentNames(of cloud: String) -> (graph: String?, exchange: String?) {
        switch cloud {
        case "usgov": ("USGov", "O365USGovGCCHigh")
        case "dod": ("USGovDoD", "O365USGovDoD")
        case "china": ("China", "O365China")
        default: (nil, nil)
        }
    }

    static func renderServer(_ config: SetupConfig) -> String {
        var lines: [String] = []
        func add(_ line: String = "") { lines.append(line) }
        func comment(_ text: String) {
            for line in text.split(separator: "\n") { add("# " + line) }
        }
        add("# mailscope: a service account with ApplicationImpersonation limited by a management scope,")
        add("# for \(config.preset) on the Exchange Server behind \(config.ewsURL ?? "?")")
        add("# Run in the Exchange Management Shell on the server. Every value is a quoted literal and every step")
        add("# looks for what exists first. Afterwards, `mailscope apply` proves the result over EWS and waits for it.")
        add("$ErrorActionPreference = 'Stop'")
        var steps = [ServerSteps.createMailbox(config)]
        if config.scopeKind == .group {
            steps.append(ServerSteps.createGroup(config, members: config.members))
            steps.append(ServerSteps.addMembers(config, members: config.members))
        }
        steps.append(ServerSteps.assignImpersonation(config))
        for (number, step) in steps.enumerated() {
            add()
            add("# \(number + 1). \(step.stage.title): \(step.summary)")
            if let warning = step.warning { comment(warning) }
            if step.id == "add-members" {
                add("# (members the group already has are reported as such and left alone)")
                for line in step.command.split(separator: "\n") {
                    add("try { \(line) -ErrorAction Stop } catch { Write-Warning $_ }")
                }
            } else {
                add(step.command)
            }
        }
        add()
        add("# Scope repair (only when mailscope check reports the scope was changed):")
        for line in ServerSteps.repairScope(config).command.split(separator: "\n") { add("# " + line) }
        return lines.joined(separator: "\n") + "\n"
    }
}
