import Foundation

/// Renders a whole setup as a PowerShell script an admin can run as it is: every value is a
/// single-quoted literal, every step checks what exists first, and the script stops on errors.
public enum ScriptRenderer {
    /// The script for `config`, from its target's driver.
    public static func render(_ config: SetupConfig) -> String {
        Targets.driverType(for: config).script(for: config)
    }

    /// The Exchange Online script: Graph and Exchange Online PowerShell, one numbered part per stage.
    static func renderOnline(_ config: SetupConfig) -> String {
        var script = OnlineScript(config: config)
        script.connectModules()
        script.serviceAccount()
        script.add()
        if config.access == .delegated {
            script.delegatedAccess()
            return script.lines.joined(separator: "\n") + "\n"
        }
        script.distributionGroup()
        script.add()
        script.impersonationRole()
        script.add()
        script.scopeAndAssignments()
        script.add()
        script.connectCheck()
        return script.lines.joined(separator: "\n") + "\n"
    }

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
}

/// The Exchange Online script as it is written, part by part: its lines so far, and the plan's
/// own line for each write (PowerShell.line), so the script and `apply` cannot drift apart.
private struct OnlineScript {
    let config: SetupConfig
    var lines: [String] = []

    /// A single-quoted PowerShell literal of `value`.
    func q(_ value: String) -> String { Quoting.powershellLiteral(value) }

    /// Adds one line (an empty one between parts).
    mutating func add(_ line: String = "") { lines.append(line) }

    /// Adds the plan's own line for `write`, wrapped (by the caller) in the look-up that makes
    /// the script idempotent like apply.
    mutating func write(_ write: Write, bindings: ScriptBindings = .none, indent: String = "") {
        let line = PowerShell.line(
            for: write, groupName: config.effectiveGroupAlias, groupKind: config.groupKind, bindings: bindings)
        for part in line.split(separator: "\n") { add(indent + part) }
    }

    /// The header and the sign-in to both modules. The same delegated scopes mailscope's own
    /// sign-in asks for (least privileged per request); a national cloud is named to both modules
    /// (Connect-MgGraph -Environment, Connect-ExchangeOnline -ExchangeEnvironmentName);
    /// -Organization goes only with app-only sign-in (Connect-ExchangeOnline's reference), never
    /// with -Device.
    mutating func connectModules() {
        add("# mailscope: a scoped service account for \(config.preset) in tenant \(config.tenant)")
        add("# Generated from the configuration; every value below is quoted as a literal.")
        add("# Needs PowerShell 7 with Microsoft.Graph (Applications, Groups) and ExchangeOnlineManagement 3.")
        add("$ErrorActionPreference = 'Stop'")
        let environments = ScriptRenderer.environmentNames(of: config.cloud)
        add(
            "Connect-MgGraph -TenantId \(q(config.tenant))\(environments.graph.map { " -Environment \($0)" } ?? "") -UseDeviceCode -Scopes \(config.delegatedGraphScopes.map(q).joined(separator: ","))"
        )
        if config.access == .application {  // delegated access makes nothing in Exchange
            add("Connect-ExchangeOnline\(environments.exchange.map { " -ExchangeEnvironmentName \($0)" } ?? "") -Device")
        }
        add()
    }

    /// Part 1: the Entra app, its service principal, a credential, and the optional mailbox user.
    /// Idempotent like apply: a credential made earlier (by this script or by mailscope, both name
    /// theirs "mailscope …") and valid for two more weeks is kept; none is added beside it.
    mutating func serviceAccount() {
        if let vendorAppID = config.vendorAppID {
            // The vendor's own app: no app and no credential here; its service principal only.
            add("# 1. Service account: the vendor's own app \(vendorAppID), its service principal in this tenant")
            add("#    (no app and no credential are made: the vendor signs in with its own)")
            add("$app = [pscustomobject]@{ AppId = \(q(vendorAppID)) }")
            add("$sp = Get-MgServicePrincipal -Filter ('appId eq ''' + $app.AppId + '''')")
            add("if (-not $sp) {")
            write(.createServicePrincipal(appID: vendorAppID), indent: "    ")
            add("}")
            mailboxUser()
            return
        }
        add("# 1. Service account: the Entra app, its service principal and a credential")
        write(.createApplication(name: config.serviceAccountName, uniqueName: config.applicationUniqueName))
        add("$sp = Get-MgServicePrincipal -Filter ('appId eq ''' + $app.AppId + '''')")
        add("if (-not $sp) {")
        write(.createServicePrincipal(appID: "<new app>"), indent: "    ")
        add("}")
        let credentials = config.credential == .secret ? "passwordCredentials" : "keyCredentials"
        add(
            "$held = @($app.\(credentials) | Where-Object { $_.displayName -like 'mailscope*' -and [datetime]$_.endDateTime -gt (Get-Date).AddDays(14) })"
        )
        add("if ($held.Count -gt 0) {")
        add(
            "    Write-Host ('The app already has a credential made by mailscope (key ID ' + $held[0].keyId + ', valid until ' + $held[0].endDateTime + '); none is added. Its secret or key is wherever it was stored when it was made.')"
        )
        add("} else {")
        if config.credential == .secret {
            write(.addSecret(displayName: "mailscope", days: config.credentialLifetimeDays), indent: "    ")
            add("    Write-Host ('Client secret (store it now, it is not shown again): ' + $secret.SecretText)")
        } else {
            add("    # The certificate's private key stays with the integration; upload its public part.")
            write(.addCertificate(displayName: "mailscope", days: config.credentialLifetimeDays), indent: "    ")
        }
        add("}")
        mailboxUser()
    }

    /// Part 2 for delegated access: the redirect URI, the declared permissions and admin consent,
    /// each only when missing; the group, role and scope parts do not apply.
    mutating func delegatedAccess() {
        let scopes = config.delegatedScopeNames ?? []
        let uri = config.redirectURI?.absoluteString ?? ""
        add("# 2. Delegated access: the redirect URI, the delegated permissions and admin consent for all users")
        add("#    The group, role and scope parts do not apply: \(ExchangeOnlineDriver.delegatedLimit).")
        add("$app = Get-MgApplication -ApplicationId $app.Id -Property Id,AppId,Web,RequiredResourceAccess")
        add("if (@($app.Web.RedirectUris) -cnotcontains \(q(uri))) {")
        write(.addRedirectURI(uri: uri), indent: "    ")
        add("}")
        write(.declareDelegatedPermissions(scopes: scopes))
        add("$grant = Get-MgOauth2PermissionGrant -Filter ('clientId eq ''' + $sp.Id + '''') | Where-Object ConsentType -eq 'AllPrincipals'")
        add("if (-not $grant) {")
        write(.grantDelegatedConsent(scopes: scopes), indent: "    ")
        add("} else {")
        add("    $missing = @(@(\(scopes.map(q).joined(separator: ", "))) | Where-Object { $_ -notin ($grant.Scope -split ' ') })")
        add("    if ($missing.Count -gt 0) {")
        add("        Update-MgOauth2PermissionGrant -OAuth2PermissionGrantId $grant.Id -Scope ((@($grant.Scope -split ' ') + $missing) -join ' ')")
        add("    }")
        add("}")
        add("Write-Host 'The real test: a user signs in at the vendor (authorization code grant).'")
    }

    /// The service account's licensed mailbox user, when the vendor asks for one.
    mutating func mailboxUser() {
        guard let upn = config.mailboxUser else { return }
        add("# The service account's licensed mailbox user (the vendor asks for one)")
        add("if (-not (Get-MgUser -UserId \(q(upn)) -ErrorAction SilentlyContinue)) {")
        write(.createMailboxUser(upn: upn, displayName: config.serviceAccountName), indent: "    ")
        add("}")
        if let location = config.usageLocation {
            // The same request the engine sends (PATCH /users/{upn}), through the documented Invoke-MgGraphRequest.
            add(
                "Invoke-MgGraphRequest -Method PATCH -Uri \(q("/v1.0/users/\(upn)")) -Body @{ usageLocation = \(q(location)) } | Out-Null"
            )
        }
        write(.assignLicense(upn: upn, sku: config.mailboxLicense))
    }

    /// Part 2: the group with each configured mailbox as a direct member (by its primary address),
    /// or, for a rooms scope, a note that no group is needed.
    mutating func distributionGroup() {
        guard config.scopeKind == .group else {
            add("# 2. No group: the scope covers room mailboxes by filter (rooms added later are covered)")
            return
        }
        let alias = config.effectiveGroupAlias
        add("# 2. Distribution group with the mailboxes as direct members (nested groups are not in scope)")
        let get = config.groupKind == .microsoft365 ? "Get-UnifiedGroup" : "Get-DistributionGroup"
        let members =
            config.groupKind == .microsoft365
            ? "Get-UnifiedGroupLinks -Identity $group.DistinguishedName -LinkType Members -ResultSize Unlimited"
            : "Get-DistributionGroupMember -Identity $group.DistinguishedName -ResultSize Unlimited"
        add("if (-not (\(get) -Identity \(q(alias)) -ErrorAction SilentlyContinue)) {")
        write(.createGroup(name: config.groupName, alias: alias, kind: config.groupKind), indent: "    ")
        add("}")
        add("$group = \(get) -Identity \(q(alias))")
        add("$present = @(\(members) | ForEach-Object { $_.PrimarySmtpAddress.ToString().ToLower() })")
        add("foreach ($member in @(\(config.members.map(q).joined(separator: ", ")))) {")
        add("    $primary = (Get-Recipient -Identity $member).PrimarySmtpAddress.ToString()")
        add("    if ($primary -ne $member) { Write-Warning ($member + ' is an alias; using ' + $primary) }")
        add("    if ($present -notcontains $primary.ToLower()) {")
        write(
            .addMember(address: "", objectID: ""),
            bindings: ScriptBindings(member: "$primary", group: "$group.DistinguishedName"), indent: "        ")
        add("        $present += $primary.ToLower()")
        add("    }")
        add("}")
    }

    /// Part 3: the app registered in Exchange, and every tenant-wide Entra grant that voids the
    /// scope removed (the same permission set as the engine's check: the role table's).
    mutating func impersonationRole() {
        add(
            "# 3. Impersonation role: register the app in Exchange; remove tenant-wide mailbox grants that void the scope"
        )
        add("if (-not (Get-ServicePrincipal -Identity $app.AppId -ErrorAction SilentlyContinue)) {")
        write(
            .createExchangeServicePrincipal(appID: "<new app>", objectID: "<new sp>", name: config.serviceAccountName),
            indent: "    ")
        add("}")
        if config.usesEWS { ewsAllowList() }
        if config.vendorAppID != nil {
            add("# The vendor's tenant-wide grants are removed in part 4, after the scoped role assignments exist,")
            add("# so an app the tenant already consented to keeps working while its access narrows to the scope.")
            return
        }
        removeVoidingGrants()
    }

    /// EWS (`service_account.uses_ews`): the organisation must have EWS on (mailscope never flips
    /// that switch), and a set allow list must name the app: the whole list is written back with
    /// every entry it held (Set-OrganizationConfig writes the complete list).
    mutating func ewsAllowList() {
        add("# EWS: on for the organisation, and the app on EwsAllowedAppIDs when a list is set (up to 24 hours to take effect)")
        add("$org = Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy")
        add("if ($org.EwsEnabled -ne $true) {")
        add(
            "    throw 'EWS is not enabled for the organisation (EwsEnabled): Set-OrganizationConfig -EwsEnabled $true is an organisation-wide decision; or move the integration to Microsoft Graph'"
        )
        add("}")
        add("$allowed = @($org.EwsAllowedAppIDs | ForEach-Object { $_ -split ',' } | Where-Object { $_ })")
        add("if ($allowed.Count -gt 0 -and $allowed -notcontains $app.AppId) {")
        add("    Set-OrganizationConfig -EwsAllowedAppIDs ((@($allowed) + $app.AppId) -join ',')")
        add("}")
    }

    /// Every tenant-wide Entra grant on the app that voids the scope, removed (the same permission
    /// set as the engine's check: the role table's).
    mutating func removeVoidingGrants() {
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
    }

    /// Part 4: the scope (created, or its filter put back) and each role assignment bound to it.
    mutating func scopeAndAssignments() {
        add("# 4. Scope and the role assignments bound to it")
        switch config.scopeKind {
        case .group:
            add("$filter = 'MemberOfGroup -eq ''' + $group.DistinguishedName.Replace(\"'\", \"''\") + ''''")
        case .rooms where EndEventEarly.widens(config):
            add("# " + EndEventEarly.warning)
            add("$filter = \(q(EndEventEarly.filter))")
        case .rooms:
            add("$filter = \(q(Quoting.roomMailboxFilter))")
        }
        add("$scope = Get-ManagementScope -Identity \(q(config.scopeName)) -ErrorAction SilentlyContinue")
        add("if (-not $scope) {")
        write(.createScope(name: config.scopeName, filter: ""), bindings: ScriptBindings(filter: "$filter"), indent: "    ")
        add("} elseif ($scope.RecipientFilter -ne $filter) {")
        write(.updateScope(name: config.scopeName, filter: ""), bindings: ScriptBindings(filter: "$filter"), indent: "    ")
        add("}")
        for role in config.assignedRoles {
            let name = config.assignmentName(for: role)
            // Looked up by the assignment's name (the documented -Identity), not -RoleAssignee,
            // which the reference documents for users, groups and policies, not service principals.
            add("if (-not (Get-ManagementRoleAssignment -Identity \(q(name)) -ErrorAction SilentlyContinue)) {")
            write(.createRoleAssignment(name: name, role: role, scope: config.scopeName), indent: "    ")
            add("}")
        }
        if config.vendorAppID != nil {
            add("# The vendor's tenant-wide grants, now that the scoped role assignments exist")
            removeVoidingGrants()
        }
        if config.removeTenantWideGrants { removeAccessPolicies() }
        if config.mailboxUser != nil { removeDelegateAccess() }
    }

    /// The mailbox user's FullAccess on the integration's mailboxes (delegate access, outside any
    /// scope), removed where it is there, as the scope stage does.
    mutating func removeDelegateAccess() {
        guard let user = config.mailboxUser else { return }
        var seen: Set<String> = [user.lowercased()]
        let mailboxes = (config.members + [config.inScopeMailbox, config.outOfScopeMailbox].compactMap { $0 }).filter {
            seen.insert($0.lowercased()).inserted
        }
        guard !mailboxes.isEmpty else { return }
        add("# Delegate access: FullAccess of \(user) on the integration's mailboxes, removed where present")
        for mailbox in mailboxes {
            add(
                "if (Get-MailboxPermission -Identity \(q(mailbox)) -User \(q(user)) | Where-Object { $_.AccessRights -contains 'FullAccess' }) {"
            )
            write(.removeMailboxPermission(mailbox: mailbox, user: user), indent: "    ")
            add("}")
        }
    }

    /// The app's application access policies (legacy), removed once the scoped roles show in scope
    /// for a mailbox of the scope: RBAC for Applications replaces them (application-rbac page,
    /// "How to migrate from Application Access Policies to RBAC for Applications?").
    mutating func removeAccessPolicies() {
        let inScope = config.inScopeMailbox ?? (config.scopeKind == .group ? config.members.first : nil)
        guard let inScope else { return }
        add("# Application access policies on the app: RBAC for Applications replaces them")
        add("$proof = @(Test-ServicePrincipalAuthorization -Identity $app.AppId -Resource \(q(inScope)))")
        add("if ($proof.Count -gt 0 -and -not ($proof | Where-Object { $_.InScope -ne $true })) {")
        add("    Get-ApplicationAccessPolicy | Where-Object AppId -eq $app.AppId | ForEach-Object {")
        add("        Write-Warning ('Removing application access policy ' + $_.AccessRight + ' ' + $_.ScopeName)")
        write(
            .removeAccessPolicy(identity: "", group: "", accessRight: ""), bindings: ScriptBindings(policy: "$_.Identity"),
            indent: "        ")
        add("    }")
        add("} else { Write-Warning 'The scoped roles do not show in scope yet: the access policies stay; run this again' }")
    }

    /// Part 5: the configured state of the probe mailboxes now, and the ids the vendor needs.
    mutating func connectCheck() {
        add("# 5. Connect: the configured state now; live calls follow in 30 minutes to 2 hours")
        let inScope = config.inScopeMailbox ?? (config.scopeKind == .group ? config.members.first : nil)
        for mailbox in [inScope, config.outOfScopeMailbox].compactMap({ $0 }) {
            add(
                "Test-ServicePrincipalAuthorization -Identity $app.AppId -Resource \(q(mailbox)) | Format-Table RoleName, InScope"
            )
        }
        add("Write-Host ('Tenant ID: ' + (Get-MgContext).TenantId + '  Client ID: ' + $app.AppId)")
    }
}
