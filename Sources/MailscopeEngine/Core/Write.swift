import Foundation

/// One write to the tenant, as data: planned, shown with its PowerShell, journaled before it is
/// sent, then performed and verified.
public enum Write: Codable, Sendable, Equatable, Hashable {
    /// Create the Entra app (upsert by uniqueName).
    case createApplication(name: String, uniqueName: String)
    /// Create the app's service principal (upsert by appId).
    case createServicePrincipal(appID: String)
    /// Add a client secret named `displayName`.
    case addSecret(displayName: String, days: Int)
    /// Add a certificate named `displayName`.
    case addCertificate(displayName: String, days: Int)
    /// Create the licensed service-account user (its mailbox comes with the licence).
    case createMailboxUser(upn: String, displayName: String)
    /// Assign a licence with Exchange to the service-account user.
    case assignLicense(upn: String, sku: String)
    /// Remove a credential a crashed run added but never recorded.
    case removeOrphanSecret(keyID: String, displayName: String)
    /// Create the group.
    case createGroup(name: String, alias: String, kind: GroupKind)
    /// Add a member (its primary SMTP address and directory ID).
    case addMember(address: String, objectID: String)
    /// Create Exchange's pointer to the service principal.
    case createExchangeServicePrincipal(appID: String, objectID: String, name: String)
    /// Remove a tenant-wide Entra grant that would void the scope.
    case removeTenantWideGrant(assignmentID: String, permission: String, resource: String)
    /// Create the management scope.
    case createScope(name: String, filter: String)
    /// Change the management scope's filter.
    case updateScope(name: String, filter: String)
    /// Assign an application role bound to the scope.
    case createRoleAssignment(name: String, role: String, scope: String)
    /// Remove a role assignment that is not bound to any scope (it grants tenant-wide access).
    case removeRoleAssignment(id: String, role: String)
    /// Remove an application access policy on the app (Exchange Online, legacy), once the scoped
    /// role assignments replace it; `group` and `accessRight` are what the plan shows.
    case removeAccessPolicy(identity: String, group: String, accessRight: String)
    /// Remove the FullAccess of `user` (the service-account mailbox user) on `mailbox` (Exchange Online).
    case removeMailboxPermission(mailbox: String, user: String)
    /// Exchange Online: set the organisation's EWS allow list (`EwsAllowedAppIDs`) to `appIDs`,
    /// every entry that was there and the app's ID `adding` (Set-OrganizationConfig writes the
    /// whole list).
    case setEwsAllowedAppIDs(appIDs: [String], adding: String)
    /// Exchange Server: a step run in the Exchange Management Shell (by the admin), verified over EWS.
    case shellStep(ShellStep)
    /// Delegated access: add the vendor's Web redirect URI to the app (`web.redirectUris`).
    case addRedirectURI(uri: String)
    /// Delegated access: declare the Graph delegated permissions in `requiredResourceAccess`.
    case declareDelegatedPermissions(scopes: [String])
    /// Delegated access: admin consent for every user (an `oauth2PermissionGrant`, AllPrincipals).
    case grantDelegatedConsent(scopes: [String])
    /// Delegated access: widen an existing admin consent to the configured permissions.
    case updateDelegatedConsent(grantID: String, scopes: [String])

    /// Whether the write changes what the app may effectively reach (so propagation must be awaited).
    public var affectsEffectiveAccess: Bool {
        switch self {
        case .addMember, .removeTenantWideGrant, .createScope, .updateScope, .createRoleAssignment,
            .removeRoleAssignment, .removeAccessPolicy, .setEwsAllowedAppIDs:
            true
        case .shellStep(let step): step.stage != .serviceAccount
        // Delegated access reaches what each signed-in user may reach: no propagation to wait for.
        case .addRedirectURI, .declareDelegatedPermissions, .grantDelegatedConsent, .updateDelegatedConsent: false
        // FullAccess is the mailbox user's delegate access, not the app's: no propagation wait for it.
        case .createApplication, .createServicePrincipal, .addSecret, .addCertificate, .createMailboxUser,
            .assignLicense, .removeOrphanSecret, .createGroup, .createExchangeServicePrincipal, .removeMailboxPermission:
            false
        }
    }

    /// Whether the write takes access away (old access removed, a scope's filter set): only such a
    /// change of mailscope's may still be closing while an outside mailbox answers. A write that
    /// gives access (an assignment, a member, the EWS allow list) never explains an exposure.
    public var narrowsAccess: Bool {
        switch self {
        case .removeTenantWideGrant, .removeRoleAssignment, .removeAccessPolicy, .updateScope, .removeMailboxPermission:
            true
        case .shellStep(let step): step.id == "repair-scope" || step.id.hasPrefix("remove-")
        case .createApplication, .createServicePrincipal, .addSecret, .addCertificate, .createMailboxUser,
            .assignLicense, .removeOrphanSecret, .createGroup, .addMember, .createExchangeServicePrincipal,
            .createScope, .createRoleAssignment, .setEwsAllowedAppIDs, .addRedirectURI, .declareDelegatedPermissions,
            .grantDelegatedConsent, .updateDelegatedConsent:
            false
        }
    }

    /// What the write does to the tenant, as the plan shows it.
    var action: PlannedChange.Action {
        switch self {
        case .removeOrphanSecret, .removeTenantWideGrant, .removeRoleAssignment, .removeAccessPolicy,
            .removeMailboxPermission:
            .remove
        case .updateScope, .updateDelegatedConsent, .declareDelegatedPermissions, .setEwsAllowedAppIDs: .update
        case .shellStep(let step): step.id == "repair-scope" ? .update : step.id.hasPrefix("remove-") ? .remove : .create
        case .addRedirectURI, .grantDelegatedConsent: .create
        case .createApplication, .createServicePrincipal, .addSecret, .addCertificate, .createMailboxUser,
            .assignLicense, .createGroup, .addMember, .createExchangeServicePrincipal, .createScope,
            .createRoleAssignment:
            .create
        }
    }
}

/// Values a script knows only at run time, named by the variables that hold them. A config value
/// never becomes one of these: only the script renderer sets them, so a name is always quoted as a
/// literal and can never turn into code.
public struct ScriptBindings: Sendable, Equatable {
    /// The member to add (`$primary`: the address Get-Recipient resolved).
    public var member: String?
    /// The group's identity (`$group.DistinguishedName`).
    public var group: String?
    /// The scope's filter (`$filter`: built from the group's DN read at run time).
    public var filter: String?
    /// The access policy's identity (`$_.Identity` of Get-ApplicationAccessPolicy's output).
    public var policy: String?

    /// No run-time values: every value is a literal.
    public static let none = ScriptBindings()

    /// Creates bindings.
    public init(member: String? = nil, group: String? = nil, filter: String? = nil, policy: String? = nil) {
        self.member = member
        self.group = group
        self.filter = filter
        self.policy = policy
    }
}

/// Renders writes as PowerShell an admin can run as it is: the one place each write's PowerShell
/// is written, used by the plan, the log and `mailscope script` alike.
public enum PowerShell {
    /// The PowerShell for `write`; `appObjectID` names the app in Graph cmdlets when known (the
    /// script's `$app.Id` otherwise), `bindings` the values a script reads at run time.
    public static func line(
        for write: Write,
        appObjectID: String? = nil,
        servicePrincipalID: String? = nil,
        groupName: String? = nil,
        groupKind: GroupKind = .distribution,
        bindings: ScriptBindings = .none
    ) -> String {
        let q = Quoting.powershellLiteral
        let app = appObjectID.map(q) ?? "$app.Id"
        let sp = servicePrincipalID.map(q) ?? "$sp.Id"
        // A value not known until an earlier write runs ("<new app>") is the script's variable.
        func known(_ value: String, or variable: String) -> String { value.hasPrefix("<") ? variable : q(value) }
        switch write {
        case .createApplication(let name, let uniqueName): return applicationUpsertLine(name: name, uniqueName: uniqueName)
        case .createServicePrincipal(let appID):
            return "$sp = New-MgServicePrincipal -AppId \(known(appID, or: "$app.AppId"))"
        case .addSecret(let displayName, let days):
            return
                "$secret = Add-MgApplicationPassword -ApplicationId \(app) -PasswordCredential @{ displayName = \(q(displayName)); endDateTime = (Get-Date).AddDays(\(days)) }"
        case .addCertificate(let displayName, let days): return certificateLine(displayName: displayName, days: days, app: app)
        case .createMailboxUser(let upn, let displayName):
            let nickname = String(upn.split(separator: "@").first ?? "")
            return
                "New-MgUser -AccountEnabled -DisplayName \(q(displayName)) -MailNickname \(q(nickname)) -UserPrincipalName \(q(upn)) -PasswordProfile @{ Password = (Read-Host -Prompt 'Password for the mailbox user'); ForceChangePasswordNextSignIn = $false } | Out-Null"
        case .assignLicense(let upn, let sku):
            return
                "Set-MgUserLicense -UserId \(q(upn)) -AddLicenses @(@{ SkuId = (Get-MgSubscribedSku -All | Where-Object SkuPartNumber -eq \(q(sku))).SkuId }) -RemoveLicenses @() | Out-Null"
        case .removeOrphanSecret(let keyID, _):
            return "Remove-MgApplicationPassword -ApplicationId \(app) -KeyId \(q(keyID))"
        case .createGroup(let name, let alias, let kind): return groupLine(name: name, alias: alias, kind: kind)
        case .addMember(let address, _):
            let member = bindings.member ?? q(address)
            let group = bindings.group ?? q(groupName ?? "<group>")
            if groupKind == .microsoft365 {
                return "Add-UnifiedGroupLinks -Identity \(group) -LinkType Members -Links \(member)"
            }
            return "Add-DistributionGroupMember -Identity \(group) -Member \(member) -BypassSecurityGroupManagerCheck"
        case .createExchangeServicePrincipal(let appID, let objectID, let name):
            return
                "New-ServicePrincipal -AppId \(known(appID, or: "$app.AppId")) -ObjectId \(known(objectID, or: "$sp.Id")) -DisplayName \(q(name)) | Out-Null"
        case .removeTenantWideGrant(let assignmentID, _, _):
            return
                "Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId \(sp) -AppRoleAssignmentId \(q(assignmentID))"
        case .createScope(let name, let filter):
            return "New-ManagementScope -Name \(q(name)) -RecipientRestrictionFilter \(bindings.filter ?? q(filter)) | Out-Null"
        case .updateScope(let name, let filter):
            return "Set-ManagementScope -Identity \(q(name)) -RecipientRestrictionFilter \(bindings.filter ?? q(filter))"
        case .createRoleAssignment(let name, let role, let scope):
            return
                "New-ManagementRoleAssignment -Name \(q(name)) -Role \(q(role)) -App \(sp) -CustomResourceScope \(q(scope)) | Out-Null"
        case .removeRoleAssignment(let id, _):
            return "Remove-MgBetaRoleManagementExchangeRoleAssignment -UnifiedRoleAssignmentId \(q(id))"
        case .removeAccessPolicy(let identity, _, _):
            return "Remove-ApplicationAccessPolicy -Identity \(bindings.policy ?? q(identity)) -Confirm:$false"
        case .removeMailboxPermission(let mailbox, let user):
            return
                "Remove-MailboxPermission -Identity \(q(mailbox)) -User \(q(user)) -AccessRights FullAccess -InheritanceType All -Confirm:$false"
        case .setEwsAllowedAppIDs(let appIDs, let adding):
            return ewsAllowListLine(appIDs, adding: adding)
        case .shellStep(let step):
            return step.command
        case .addRedirectURI(let uri): return redirectURILine(uri, app: app)
        case .declareDelegatedPermissions(let scopes): return requiredResourceAccessLine(scopes, app: app)
        case .grantDelegatedConsent(let scopes): return consentLine(scopes, sp: sp)
        case .updateDelegatedConsent(let grantID, let scopes):
            return "Update-MgOauth2PermissionGrant -OAuth2PermissionGrantId \(q(grantID)) -Scope \(q(scopes.joined(separator: " ")))"
        }
    }

    /// The app's upsert: it answers 201 with the app when it creates it and 204 without a body when
    /// it exists (application-upsert.md), so the app is read back and `$app` is set either way.
    static func applicationUpsertLine(name: String, uniqueName: String) -> String {
        let q = Quoting.powershellLiteral
        let uri = q("/v1.0/applications(uniqueName='\(uniqueName.replacingOccurrences(of: "'", with: "''"))')")
        return
            "Invoke-MgGraphRequest -Method PATCH -Uri \(uri) -Headers @{ Prefer = 'create-if-missing' } -Body @{ displayName = \(q(name)); signInAudience = 'AzureADMyOrg' } | Out-Null\n"
            + "$app = Invoke-MgGraphRequest -Method GET -Uri \(uri) -OutputType PSObject"
    }

    /// A certificate added to the app: PATCH replaces the whole list, so the existing certificates
    /// go back with the new one.
    static func certificateLine(displayName: String, days: Int, app: String) -> String {
        let q = Quoting.powershellLiteral
        return
            "$certBytes = [IO.File]::ReadAllBytes((Read-Host -Prompt 'Certificate to upload (.cer, DER)'))\n"
            + "$existing = Get-MgApplication -ApplicationId \(app) -Property KeyCredentials\n"
            + "Update-MgApplication -ApplicationId \(app) -KeyCredentials (@($existing.KeyCredentials) + @{ type = 'AsymmetricX509Cert'; usage = 'Verify'; key = $certBytes; displayName = \(q(displayName)); endDateTime = (Get-Date).AddDays(\(days)) })"
    }

    /// The group of `kind`: Exchange's cmdlet for a distribution or mail-enabled security group,
    /// Graph's for a Microsoft 365 group.
    static func groupLine(name: String, alias: String, kind: GroupKind) -> String {
        let q = Quoting.powershellLiteral
        switch kind {
        case .distribution:
            return "New-DistributionGroup -Name \(q(name)) -Alias \(q(alias)) -DisplayName \(q(name)) -Type Distribution | Out-Null"
        case .mailEnabledSecurity:
            return "New-DistributionGroup -Name \(q(name)) -Alias \(q(alias)) -DisplayName \(q(name)) -Type Security | Out-Null"
        case .microsoft365:
            return
                "New-MgGroup -DisplayName \(q(name)) -MailNickname \(q(alias)) -MailEnabled -SecurityEnabled:$false -GroupTypes 'Unified' | Out-Null"
        }
    }

    /// `Set-OrganizationConfig -EwsAllowedAppIDs` with the whole list as one comma-separated string
    /// (Set-OrganizationConfig.md); an app not created yet is the script's `$app.AppId`.
    static func ewsAllowListLine(_ appIDs: [String], adding: String) -> String {
        let q = Quoting.powershellLiteral
        if adding.hasPrefix("<") {
            let kept = appIDs.filter { $0 != adding }.map(q).joined(separator: ", ")
            return "Set-OrganizationConfig -EwsAllowedAppIDs ((@(\(kept)) + $app.AppId) -join ',')"
        }
        return "Set-OrganizationConfig -EwsAllowedAppIDs \(q(appIDs.joined(separator: ",")))"
    }

    /// One sentence on what `write` does.
    public static func summary(of write: Write) -> String {
        switch write {
        case .createApplication(let name, _): "Create the Entra app \"\(name)\""
        case .createServicePrincipal: "Create the app's service principal (enterprise application)"
        case .addSecret(_, let days): "Add a client secret valid for \(days) days"
        case .addCertificate(_, let days): "Add a self-signed certificate valid for \(days) days"
        case .createMailboxUser(let upn, _): "Create the service-account user \(upn)"
        case .assignLicense(let upn, let sku): "Assign the licence \(sku) to \(upn) (it brings the mailbox)"
        case .removeOrphanSecret(let keyID, let name):
            "Remove credential \(name) (\(keyID.prefix(8))…) left by an interrupted run"
        case .createGroup(let name, _, let kind): "Create the \(kind.rawValue) group \"\(name)\""
        case .addMember(let address, _): "Add \(address) as a direct member"
        case .createExchangeServicePrincipal: "Register the app's service principal in Exchange (New-ServicePrincipal)"
        case .removeTenantWideGrant(_, let permission, let resource):
            "Remove the tenant-wide Entra grant \(permission) on \(resource): it voids the scope"
        case .createScope(let name, let filter): "Create management scope \"\(name)\" with filter \(filter)"
        case .updateScope(let name, let filter): "Change management scope \"\(name)\" to filter \(filter)"
        case .createRoleAssignment(_, let role, let scope): "Assign \(role) limited to scope \"\(scope)\""
        case .removeRoleAssignment(_, let role): "Remove the unscoped assignment of \(role) (it reaches every mailbox)"
        case .removeAccessPolicy(_, let group, let accessRight):
            "Remove the application access policy (\(accessRight) to \(group)): the scoped role assignments replace it"
        case .removeMailboxPermission(let mailbox, let user):
            "Remove the FullAccess of \(user) on \(mailbox) (delegate access, outside any scope)"
        case .setEwsAllowedAppIDs(let appIDs, let adding):
            "Add app \(adding) to the organisation's EWS allow list, keeping its \(appIDs.count - 1) other entr\(appIDs.count == 2 ? "y" : "ies"): \(appIDs.joined(separator: ", "))"
        case .shellStep(let step): step.summary
        case .addRedirectURI(let uri): "Add the Web redirect URI \(uri) to the app"
        case .declareDelegatedPermissions(let scopes):
            "Declare the delegated Microsoft Graph permissions \(scopes.joined(separator: ", ")) (requiredResourceAccess)"
        case .grantDelegatedConsent(let scopes):
            "Grant admin consent for all users to \(scopes.joined(separator: " ")) (oauth2PermissionGrant)"
        case .updateDelegatedConsent(_, let scopes):
            "Change the admin consent to \(scopes.joined(separator: " ")) (oauth2PermissionGrant)"
        }
    }

    // Delegated access's writes, in Microsoft Graph PowerShell (microsoftgraph-docs-powershell:
    // Update-MgApplication, New-MgOauth2PermissionGrant, Update-MgOauth2PermissionGrant).

    /// Adds `uri` to the app's Web redirect URIs, keeping the others.
    static func redirectURILine(_ uri: String, app: String) -> String {
        let q = Quoting.powershellLiteral
        return "$web = (Get-MgApplication -ApplicationId \(app) -Property Web).Web\n"
            + "Update-MgApplication -ApplicationId \(app) -Web @{ RedirectUris = @(@($web.RedirectUris) + \(q(uri))) }"
    }

    /// Declares Graph's delegated `scopes` (by id, type Scope), keeping other resources' entries.
    static func requiredResourceAccessLine(_ scopes: [String], app: String) -> String {
        let q = Quoting.powershellLiteral
        let graph = q(GraphDelegatedPermission.graphAppID)
        let access = scopes.compactMap { name in
            GraphDelegatedPermission.id(of: name).map { "@{ Id = \(q($0)); Type = 'Scope' }" }
        }
        return "$others = @((Get-MgApplication -ApplicationId \(app) -Property RequiredResourceAccess).RequiredResourceAccess | Where-Object ResourceAppId -ne \(graph))\n"
            + "Update-MgApplication -ApplicationId \(app) -RequiredResourceAccess ($others + @(@{ ResourceAppId = \(graph); ResourceAccess = @(\(access.joined(separator: ", "))) }))"
    }

    /// Admin consent for all users: a delegated permission grant to Graph's service principal.
    static func consentLine(_ scopes: [String], sp: String) -> String {
        let q = Quoting.powershellLiteral
        return "$graphSp = Get-MgServicePrincipal -Filter \"appId eq \(q(GraphDelegatedPermission.graphAppID))\"\n"
            + "New-MgOauth2PermissionGrant -ClientId \(sp) -ConsentType 'AllPrincipals' -ResourceId $graphSp.Id -Scope \(q(scopes.joined(separator: " "))) | Out-Null"
    }
}
