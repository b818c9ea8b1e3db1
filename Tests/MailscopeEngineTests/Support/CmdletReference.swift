/// Documented parameters of the cmdlets mailscope's scripts use, taken from Microsoft's cmdlet
/// reference (the path of each page beside it). Common parameters (-ErrorAction, -WarningAction,
/// -Verbose, …) are allowed for every cmdlet by the test, not listed here.
///
/// Sources (stored snapshots read in 2026-08):
/// - MicrosoftDocs/office-docs-powershell @ 93336da2 (2026-08-21). The Exchange cmdlet pages now live under
///   exchange/exchange-ps/ExchangePowerShell/ (formerly exchange/exchange-ps/exchange/). Names from `### -Name` headings.
/// - MicrosoftDocs/microsoftgraph-docs-powershell @ 00070100 (pages dated ms.date 01/30/2026). Names from `### -Name`
///   headings, except the four very large pages marked below, whose names come from the page's SYNTAX block
///   (the same check on the 34 Exchange and PowerShell pages found SYNTAX and `### -` headings agreeing everywhere
///   except Set-Mailbox, noted there).
/// - MicrosoftDocs/PowerShell-Docs @ 27138b21 (2026-08-20), reference/7.4. All documented parameters are listed.
///
/// Names are spelled as documented; PowerShell itself matches parameter names case-insensitively and also
/// accepts unambiguous prefixes and aliases (documented aliases are noted in comments; they are not in the sets).
enum CmdletReference {
    static let parameters: [String: Set<String>] = [
        // MARK: Microsoft Graph PowerShell SDK
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Authentication/Connect-MgGraph.md
        // Parameter sets: UserParameterSet (default; Scopes, TenantId, ClientId, UseDeviceCode), AppCertificateParameterSet
        // (ClientId required; CertificateSubjectName / CertificateThumbprint / Certificate, SendCertificateChain),
        // IdentityParameterSet (Identity [+ ClientId for user-assigned]), AppSecretCredentialParameterSet
        // (ClientSecretCredential + TenantId), AccessTokenParameterSet (AccessToken), EnvironmentVariableParameterSet.
        // Environment, ClientTimeout, NoWelcome, Break are in every set; ContextScope in all but AccessToken.
        // Documented aliases: ClientId = AppId, ApplicationId; Identity = ManagedIdentity, ManagedServiceIdentity, MSI;
        // UseDeviceCode = UseDeviceAuthentication, DeviceCode, DeviceAuth, Device; ClientSecretCredential =
        // SecretCredential, Credential; Environment = EnvironmentName, NationalCloud; TenantId = Audience, Tenant;
        // CertificateSubjectName = CertificateSubject, CertificateName.
        "Connect-MgGraph": [
            "AccessToken", "Break", "Certificate", "CertificateSubjectName", "CertificateThumbprint", "ClientId",
            "ClientSecretCredential", "ClientTimeout", "ContextScope", "Environment", "EnvironmentVariable",
            "Identity", "NoWelcome", "Scopes", "SendCertificateChain", "TenantId", "UseDeviceCode",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Authentication/Invoke-MgGraphRequest.md
        // Single set (UserParameterSet); Uri required. Aliases: ResponseHeadersVariable = RHV; SessionVariable = SV.
        "Invoke-MgGraphRequest": [
            "Body", "Break", "ContentType", "GraphRequestSession", "Headers", "InferOutputFileName", "InputFilePath",
            "Method", "OutputFilePath", "OutputType", "PassThru", "ResponseHeadersVariable", "SessionVariable",
            "SkipHeaderValidation", "SkipHttpErrorCheck", "StatusCodeVariable", "Uri", "UserAgent",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Authentication/Get-MgContext.md
        // Documented with no parameters besides the common ones.
        "Get-MgContext": [],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Applications/Get-MgServicePrincipal.md
        // Sets: List (default; Filter, Search, Skip, Sort, Top, ConsistencyLevel, PageSize, All, CountVariable),
        // Get (ServicePrincipalId required), GetViaIdentity (InputObject required).
        // Aliases: Property = Select; ExpandProperty = Expand; Sort = OrderBy; Top = Limit; CountVariable = CV; ResponseHeadersVariable = RHV.
        "Get-MgServicePrincipal": [
            "All", "Break", "ConsistencyLevel", "CountVariable", "ExpandProperty", "Filter", "Headers",
            "HttpPipelineAppend", "HttpPipelinePrepend", "InputObject", "PageSize", "Property", "Proxy",
            "ProxyCredential", "ProxyUseDefaultCredentials", "ResponseHeadersVariable", "Search",
            "ServicePrincipalId", "Skip", "Sort", "Top",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Applications/New-MgServicePrincipal.md
        // Taken from the page's SYNTAX block (the page is ~147,000 characters).
        // Sets: CreateExpanded (default; AppId, DisplayName, Tags, ...), Create (BodyParameter required).
        "New-MgServicePrincipal": [
            "AccountEnabled", "AddIns", "AdditionalProperties", "AlternativeNames", "AppDescription",
            "AppDisplayName", "AppId", "ApplicationTemplateId", "AppManagementPolicies", "AppOwnerOrganizationId",
            "AppRoleAssignedTo", "AppRoleAssignmentRequired", "AppRoleAssignments", "AppRoles", "BodyParameter",
            "Break", "ClaimsMappingPolicies", "Confirm", "CreatedObjects", "CustomSecurityAttributes",
            "DelegatedPermissionClassifications", "DeletedDateTime", "Description", "DisabledByMicrosoftStatus",
            "DisplayName", "Endpoints", "FederatedIdentityCredentials", "Headers", "Homepage",
            "HomeRealmDiscoveryPolicies", "HttpPipelineAppend", "HttpPipelinePrepend", "Id", "Info",
            "KeyCredentials", "LoginUrl", "LogoutUrl", "MemberOf", "Notes", "NotificationEmailAddresses",
            "Oauth2PermissionGrants", "Oauth2PermissionScopes", "OwnedObjects", "Owners", "PasswordCredentials",
            "PreferredSingleSignOnMode", "PreferredTokenSigningKeyThumbprint", "Proxy", "ProxyCredential",
            "ProxyUseDefaultCredentials", "RemoteDesktopSecurityConfiguration", "ReplyUrls",
            "ResourceSpecificApplicationPermissions", "ResponseHeadersVariable", "SamlSingleSignOnSettings",
            "ServicePrincipalNames", "ServicePrincipalType", "SignInAudience", "Synchronization", "Tags",
            "TokenEncryptionKeyId", "TokenIssuancePolicies", "TokenLifetimePolicies", "TransitiveMemberOf",
            "VerifiedPublisher", "WhatIf",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Applications/Get-MgApplication.md
        // Sets: List (default), Get (ApplicationId required; alias ObjectId), GetViaIdentity (InputObject).
        // Same query aliases as Get-MgServicePrincipal.
        "Get-MgApplication": [
            "All", "ApplicationId", "Break", "ConsistencyLevel", "CountVariable", "ExpandProperty", "Filter",
            "Headers", "HttpPipelineAppend", "HttpPipelinePrepend", "InputObject", "PageSize", "Property", "Proxy",
            "ProxyCredential", "ProxyUseDefaultCredentials", "ResponseHeadersVariable", "Search", "Skip", "Sort",
            "Top",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Applications/Update-MgApplication.md
        // Taken from the page's SYNTAX block (the page is ~160,000 characters; not paged through heading by heading).
        // Sets: UpdateExpanded (default; ApplicationId required), Update (ApplicationId + BodyParameter),
        // UpdateViaIdentityExpanded (InputObject), UpdateViaIdentity (InputObject + BodyParameter). ApplicationId alias: ObjectId.
        "Update-MgApplication": [
            "AddIns", "AdditionalProperties", "Api", "AppId", "ApplicationId", "ApplicationTemplateId",
            "AppManagementPolicies", "AppRoles", "AuthenticationBehaviors", "BodyParameter", "Break",
            "Certification", "Confirm", "CreatedDateTime", "CreatedOnBehalfOf", "DefaultRedirectUri",
            "DeletedDateTime", "Description", "DisabledByMicrosoftStatus", "DisplayName", "ExtensionProperties",
            "FederatedIdentityCredentials", "GroupMembershipClaims", "Headers", "HomeRealmDiscoveryPolicies",
            "HttpPipelineAppend", "HttpPipelinePrepend", "Id", "IdentifierUris", "Info", "InputObject",
            "IsDeviceOnlyAuthSupported", "IsFallbackPublicClient", "KeyCredentials", "LogoInputFile",
            "NativeAuthenticationApisEnabled", "Notes", "Oauth2RequirePostResponse", "OptionalClaims", "Owners",
            "ParentalControlSettings", "PasswordCredentials", "Proxy", "ProxyCredential",
            "ProxyUseDefaultCredentials", "PublicClient", "PublisherDomain", "RequestSignatureVerification",
            "RequiredResourceAccess", "ResponseHeadersVariable", "SamlMetadataUrl", "ServiceManagementReference",
            "ServicePrincipalLockConfiguration", "SignInAudience", "Spa", "Synchronization", "Tags",
            "TokenEncryptionKeyId", "TokenIssuancePolicies", "TokenLifetimePolicies", "UniqueName",
            "VerifiedPublisher", "Web", "WhatIf",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Applications/Add-MgApplicationPassword.md
        // Sets: AddExpanded (default; ApplicationId + PasswordCredential), Add (ApplicationId + BodyParameter),
        // AddViaIdentityExpanded / AddViaIdentity (InputObject). ApplicationId alias: ObjectId.
        "Add-MgApplicationPassword": [
            "AdditionalProperties", "ApplicationId", "BodyParameter", "Break", "Confirm", "Headers",
            "HttpPipelineAppend", "HttpPipelinePrepend", "InputObject", "PasswordCredential", "Proxy",
            "ProxyCredential", "ProxyUseDefaultCredentials", "ResponseHeadersVariable", "WhatIf",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Applications/Remove-MgApplicationPassword.md
        // Sets: RemoveExpanded (default; ApplicationId + KeyId), Remove (ApplicationId + BodyParameter),
        // RemoveViaIdentityExpanded / RemoveViaIdentity (InputObject). ApplicationId alias: ObjectId.
        "Remove-MgApplicationPassword": [
            "AdditionalProperties", "ApplicationId", "BodyParameter", "Break", "Confirm", "Headers",
            "HttpPipelineAppend", "HttpPipelinePrepend", "InputObject", "KeyId", "PassThru", "Proxy",
            "ProxyCredential", "ProxyUseDefaultCredentials", "ResponseHeadersVariable", "WhatIf",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell @ 00070100 (ms.date 01/30/2026):
        // microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Identity.SignIns/Get-MgOauth2PermissionGrant.md
        // Sets: List (default; Filter, Search, Skip, Sort, Top, PageSize, All, CountVariable), Get
        // (OAuth2PermissionGrantId required), GetViaIdentity (InputObject). Aliases: Property = Select;
        // ExpandProperty = Expand; Sort = OrderBy; Top = Limit; CountVariable = CV; ResponseHeadersVariable = RHV.
        "Get-MgOauth2PermissionGrant": [
            "All", "Break", "CountVariable", "ExpandProperty", "Filter", "Headers", "HttpPipelineAppend",
            "HttpPipelinePrepend", "InputObject", "OAuth2PermissionGrantId", "PageSize", "Property", "Proxy",
            "ProxyCredential", "ProxyUseDefaultCredentials", "ResponseHeadersVariable", "Search", "Skip", "Sort", "Top",
        ],
        // .../Microsoft.Graph.Identity.SignIns/New-MgOauth2PermissionGrant.md
        // Sets: CreateExpanded (default; ClientId, ConsentType, Id, PrincipalId, ResourceId, Scope), Create (BodyParameter).
        "New-MgOauth2PermissionGrant": [
            "AdditionalProperties", "BodyParameter", "Break", "ClientId", "Confirm", "ConsentType", "Headers",
            "HttpPipelineAppend", "HttpPipelinePrepend", "Id", "PrincipalId", "Proxy", "ProxyCredential",
            "ProxyUseDefaultCredentials", "ResourceId", "ResponseHeadersVariable", "Scope", "WhatIf",
        ],
        // .../Microsoft.Graph.Identity.SignIns/Update-MgOauth2PermissionGrant.md
        // Sets: UpdateExpanded (default; OAuth2PermissionGrantId required), Update (+ BodyParameter),
        // UpdateViaIdentityExpanded / UpdateViaIdentity (InputObject).
        "Update-MgOauth2PermissionGrant": [
            "AdditionalProperties", "BodyParameter", "Break", "ClientId", "Confirm", "ConsentType", "Headers",
            "HttpPipelineAppend", "HttpPipelinePrepend", "Id", "InputObject", "OAuth2PermissionGrantId", "PrincipalId",
            "Proxy", "ProxyCredential", "ProxyUseDefaultCredentials", "ResourceId", "ResponseHeadersVariable", "Scope",
            "WhatIf",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Applications/Get-MgServicePrincipalAppRoleAssignment.md
        // Sets: List (default; ServicePrincipalId required), Get (AppRoleAssignmentId + ServicePrincipalId),
        // GetViaIdentity (InputObject).
        "Get-MgServicePrincipalAppRoleAssignment": [
            "All", "AppRoleAssignmentId", "Break", "ConsistencyLevel", "CountVariable", "ExpandProperty", "Filter",
            "Headers", "HttpPipelineAppend", "HttpPipelinePrepend", "InputObject", "PageSize", "Property", "Proxy",
            "ProxyCredential", "ProxyUseDefaultCredentials", "ResponseHeadersVariable", "Search",
            "ServicePrincipalId", "Skip", "Sort", "Top",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Applications/Remove-MgServicePrincipalAppRoleAssignment.md
        // Sets: Delete (default; AppRoleAssignmentId + ServicePrincipalId required), DeleteViaIdentity (InputObject).
        "Remove-MgServicePrincipalAppRoleAssignment": [
            "AppRoleAssignmentId", "Break", "Confirm", "Headers", "HttpPipelineAppend", "HttpPipelinePrepend",
            "IfMatch", "InputObject", "PassThru", "Proxy", "ProxyCredential", "ProxyUseDefaultCredentials",
            "ResponseHeadersVariable", "ServicePrincipalId", "WhatIf",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Users/Get-MgUser.md
        // Sets: List (default), Get (UserId required), GetViaIdentity (InputObject). Note: no Skip parameter on Get-MgUser.
        "Get-MgUser": [
            "All", "Break", "ConsistencyLevel", "CountVariable", "ExpandProperty", "Filter", "Headers",
            "HttpPipelineAppend", "HttpPipelinePrepend", "InputObject", "PageSize", "Property", "Proxy",
            "ProxyCredential", "ProxyUseDefaultCredentials", "ResponseHeadersVariable", "Search", "Sort", "Top",
            "UserId",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Users/New-MgUser.md
        // Taken from the page's SYNTAX block (the page is ~3.7 million characters and cannot be paged through).
        // Sets: CreateExpanded (default), Create (BodyParameter required).
        "New-MgUser": [
            "AboutMe", "AccountEnabled", "Activities", "AdditionalProperties", "AgeGroup", "AgreementAcceptances",
            "AppRoleAssignments", "AssignedLicenses", "AssignedPlans", "Authentication", "AuthorizationInfo",
            "Birthday", "BodyParameter", "Break", "BusinessPhones", "Calendar", "CalendarGroups", "Calendars",
            "CalendarView", "Chats", "City", "CloudClipboard", "CloudPCs", "CompanyName", "Confirm",
            "ConsentProvidedForMinor", "ContactFolders", "Contacts", "Country", "CreatedDateTime", "CreatedObjects",
            "CreationType", "CustomSecurityAttributes", "DataSecurityAndGovernance", "DeletedDateTime", "Department",
            "DeviceEnrollmentLimit", "DeviceManagementTroubleshootingEvents", "DirectReports", "DisplayName",
            "Drive", "Drives", "EmployeeExperience", "EmployeeHireDate", "EmployeeId", "EmployeeLeaveDateTime",
            "EmployeeOrgData", "EmployeeType", "Events", "Extensions", "ExternalUserState",
            "ExternalUserStateChangeDateTime", "FaxNumber", "FollowedSites", "GivenName", "Headers", "HireDate",
            "HttpPipelineAppend", "HttpPipelinePrepend", "Id", "Identities", "ImAddresses",
            "InferenceClassification", "Insights", "Interests", "IsManagementRestricted", "IsResourceAccount",
            "JobTitle", "JoinedTeams", "LastPasswordChangeDateTime", "LegalAgeGroupClassification",
            "LicenseAssignmentStates", "LicenseDetails", "Mail", "MailboxSettings", "MailFolders", "MailNickname",
            "ManagedAppRegistrations", "ManagedDevices", "Manager", "MemberOf", "Messages", "MobilePhone", "MySite",
            "Oauth2PermissionGrants", "OfficeLocation", "Onenote", "OnlineMeetings", "OnPremisesDistinguishedName",
            "OnPremisesDomainName", "OnPremisesExtensionAttributes", "OnPremisesImmutableId",
            "OnPremisesLastSyncDateTime", "OnPremisesProvisioningErrors", "OnPremisesSamAccountName",
            "OnPremisesSecurityIdentifier", "OnPremisesSyncEnabled", "OnPremisesUserPrincipalName", "OtherMails",
            "Outlook", "OwnedDevices", "OwnedObjects", "PasswordPolicies", "PasswordProfile", "PastProjects",
            "People", "PermissionGrants", "Photo", "Photos", "Planner", "PostalCode", "PreferredDataLocation",
            "PreferredLanguage", "PreferredName", "Presence", "Print", "ProvisionedPlans", "Proxy", "ProxyAddresses",
            "ProxyCredential", "ProxyUseDefaultCredentials", "RegisteredDevices", "ResponseHeadersVariable",
            "Responsibilities", "Schools", "ScopedRoleMemberOf", "SecurityIdentifier", "ServiceProvisioningErrors",
            "Settings", "ShowInAddressList", "SignInActivity", "SignInSessionsValidFromDateTime", "Skills",
            "Solutions", "Sponsors", "State", "StreetAddress", "Surname", "Teamwork", "Todo", "TransitiveMemberOf",
            "UsageLocation", "UserPrincipalName", "UserType", "WhatIf",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Users.Actions/Set-MgUserLicense.md
        // Sets: AssignExpanded (default; UserId + AddLicenses/RemoveLicenses), Assign (UserId + BodyParameter),
        // AssignViaIdentityExpanded / AssignViaIdentity (InputObject).
        "Set-MgUserLicense": [
            "AdditionalProperties", "AddLicenses", "BodyParameter", "Break", "Confirm", "Headers",
            "HttpPipelineAppend", "HttpPipelinePrepend", "InputObject", "Proxy", "ProxyCredential",
            "ProxyUseDefaultCredentials", "RemoveLicenses", "ResponseHeadersVariable", "UserId", "WhatIf",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Identity.DirectoryManagement/Get-MgSubscribedSku.md
        // Sets: List (default), Get (SubscribedSkuId required), GetViaIdentity (InputObject). No ConsistencyLevel.
        "Get-MgSubscribedSku": [
            "All", "Break", "CountVariable", "ExpandProperty", "Filter", "Headers", "HttpPipelineAppend",
            "HttpPipelinePrepend", "InputObject", "PageSize", "Property", "Proxy", "ProxyCredential",
            "ProxyUseDefaultCredentials", "ResponseHeadersVariable", "Search", "Skip", "Sort", "SubscribedSkuId",
            "Top",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-1.0/Microsoft.Graph.Groups/New-MgGroup.md
        // Taken from the page's SYNTAX block (the page is ~2 million characters).
        // Sets: CreateExpanded (default), Create (BodyParameter required).
        "New-MgGroup": [
            "AcceptedSenders", "AdditionalProperties", "AllowExternalSenders", "AppRoleAssignments",
            "AssignedLabels", "AssignedLicenses", "AutoSubscribeNewMembers", "BodyParameter", "Break", "Calendar",
            "CalendarView", "Classification", "Confirm", "Conversations", "CreatedDateTime", "CreatedOnBehalfOf",
            "DeletedDateTime", "Description", "DisplayName", "Drive", "Drives", "Events", "ExpirationDateTime",
            "Extensions", "GroupLifecyclePolicies", "GroupTypes", "HasMembersWithLicenseErrors", "Headers",
            "HideFromAddressLists", "HideFromOutlookClients", "HttpPipelineAppend", "HttpPipelinePrepend", "Id",
            "IsArchived", "IsAssignableToRole", "IsManagementRestricted", "IsSubscribedByMail",
            "LicenseProcessingState", "Mail", "MailEnabled", "MailNickname", "MemberOf", "Members", "MembershipRule",
            "MembershipRuleProcessingState", "MembersWithLicenseErrors", "Onenote", "OnPremisesDomainName",
            "OnPremisesLastSyncDateTime", "OnPremisesNetBiosName", "OnPremisesProvisioningErrors",
            "OnPremisesSamAccountName", "OnPremisesSecurityIdentifier", "OnPremisesSyncBehavior",
            "OnPremisesSyncEnabled", "Owners", "PermissionGrants", "Photo", "Photos", "Planner",
            "PreferredDataLocation", "PreferredLanguage", "Proxy", "ProxyAddresses", "ProxyCredential",
            "ProxyUseDefaultCredentials", "RejectedSenders", "RenewedDateTime", "ResponseHeadersVariable",
            "SecurityEnabled", "SecurityIdentifier", "ServiceProvisioningErrors", "Settings", "Sites", "Team",
            "Theme", "Threads", "TransitiveMemberOf", "TransitiveMembers", "UniqueName", "UnseenCount", "Visibility",
            "WhatIf",
        ],
        // MicrosoftDocs/microsoftgraph-docs-powershell: microsoftgraph/graph-powershell-beta/Microsoft.Graph.Beta.DeviceManagement.Enrollment/Remove-MgBetaRoleManagementExchangeRoleAssignment.md
        // Module Microsoft.Graph.Beta.DeviceManagement.Enrollment.
        // Sets: Delete (default; UnifiedRoleAssignmentId required), DeleteViaIdentity (InputObject).
        "Remove-MgBetaRoleManagementExchangeRoleAssignment": [
            "Break", "Confirm", "Headers", "HttpPipelineAppend", "HttpPipelinePrepend", "IfMatch", "InputObject",
            "PassThru", "Proxy", "ProxyCredential", "ProxyUseDefaultCredentials", "ResponseHeadersVariable",
            "UnifiedRoleAssignmentId", "WhatIf",
        ],
        // MARK: Exchange Online / Exchange Server (ExchangePowerShell)
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Connect-ExchangeOnline.md
        // Single parameter set. Organization is documented for CBA and managed identity;
        // ManagedIdentity / ManagedIdentityAccountId "must" be used with Organization.
        "Connect-ExchangeOnline": [
            "AccessToken", "AppId", "AzureADAuthorizationEndpointUri", "BypassMailboxAnchoring", "Certificate",
            "CertificateFilePath", "CertificatePassword", "CertificateThumbprint", "CommandName", "ConnectionUri",
            "Credential", "DelegatedOrganization", "Device", "DisableWAM", "EnableErrorReporting",
            "ExchangeEnvironmentName", "EXOModuleBasePath", "FormatTypeName", "InlineCredential", "LoadCmdletHelp",
            "LogDirectoryPath", "LogLevel", "ManagedIdentity", "ManagedIdentityAccountId", "Organization",
            "PageSize", "Prefix", "PSSessionOption", "ShowBanner", "ShowProgress", "SigningCertificate",
            "SkipLoadingCmdletHelp", "SkipLoadingFormatData", "TrackPerformance", "UseMultithreading",
            "UserPrincipalName", "UseRPSSession",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-UnifiedGroup.md
        "Get-UnifiedGroup": [
            "Anr", "Filter", "Identity", "IncludeAcceptMessagesOnlyFromSendersOrMembersWithDisplayNames",
            "IncludeAllProperties", "IncludeBypassModerationFromSendersOrMembersWithDisplayNames",
            "IncludeGrantSendOnBehalfToWithDisplayNames", "IncludeModeratedByWithDisplayNames",
            "IncludeRejectMessagesFromSendersOrMembersWithDisplayNames", "IncludeSoftDeletedGroups", "ResultSize",
            "SortBy",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Add-UnifiedGroupLinks.md
        // exchange/exchange-ps/ExchangePowerShell/Get-UnifiedGroupLinks.md
        "Get-UnifiedGroupLinks": ["Identity", "LinkType", "ResultSize"],
        "Add-UnifiedGroupLinks": [
            "Confirm", "Identity", "Links", "LinkType", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-DistributionGroup.md
        "Get-DistributionGroup": [
            "Anr", "Credential", "DomainController", "Filter", "Identity", "IgnoreDefaultScope",
            "IncludeAcceptMessagesOnlyFromDLMembersWithDisplayNames",
            "IncludeAcceptMessagesOnlyFromSendersOrMembersWithDisplayNames",
            "IncludeAcceptMessagesOnlyFromWithDisplayNames",
            "IncludeBypassModerationFromSendersOrMembersWithDisplayNames",
            "IncludeGrantSendOnBehalfToWithDisplayNames", "IncludeManagedByWithDisplayNames",
            "IncludeModeratedByWithDisplayNames", "ManagedBy", "OrganizationalUnit", "ReadFromDomainController",
            "RecipientTypeDetails", "ResultSize", "SortBy",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/New-DistributionGroup.md
        "New-DistributionGroup": [
            "Alias", "ArbitrationMailbox", "BccBlocked", "BypassNestedModerationEnabled", "Confirm",
            "CopyOwnerToMember", "Description", "DisplayName", "DomainController", "HiddenGroupMembershipEnabled",
            "IgnoreNamingPolicy", "ManagedBy", "MemberDepartRestriction", "MemberJoinRestriction", "Members",
            "ModeratedBy", "ModerationEnabled", "Name", "Notes", "OrganizationalUnit", "PrimarySmtpAddress",
            "RequireSenderAuthenticationEnabled", "RoomList", "SamAccountName", "SendModerationNotifications",
            "Type", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-DistributionGroupMember.md
        "Get-DistributionGroupMember": [
            "Credential", "DomainController", "Identity", "IgnoreDefaultScope", "IncludeSoftDeletedObjects",
            "ReadFromDomainController", "ResultSize",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Add-DistributionGroupMember.md
        "Add-DistributionGroupMember": [
            "BypassSecurityGroupManagerCheck", "Confirm", "DomainController", "Identity", "Member", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-Recipient.md
        "Get-Recipient": [
            "Anr", "AuthenticationType", "BookmarkDisplayName", "Capabilities", "Credential", "Database",
            "DomainController", "Filter", "Identity", "IgnoreDefaultScope", "IncludeBookmarkObject",
            "IncludeManagerWithDisplayName", "IncludeSoftDeletedRecipients", "OrganizationalUnit", "Properties",
            "PropertySet", "ReadFromDomainController", "RecipientPreviewFilter", "RecipientType",
            "RecipientTypeDetails", "ResultSize", "SortBy",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-ServicePrincipal.md
        // Organization: "This parameter is reserved for internal Microsoft use."
        "Get-ServicePrincipal": [
            "Identity", "Organization",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/New-ServicePrincipal.md
        // Single set. AppId and ObjectId required; ServiceId is marked Required too but "is being deprecated.
        // Use the ObjectId parameter instead." Organization is documented as Security & Compliance only.
        "New-ServicePrincipal": [
            "AppId", "Confirm", "DisplayName", "ObjectId", "Organization", "ServiceId", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-OrganizationConfig.md
        // (DomainController). RetrieveEwsOperationAccessPolicy is not on this page at 93336da2: Set-OrganizationConfig.md
        // names it (-EwsAllowedAppIDs: "use the RetrieveEwsOperationAccessPolicy switch on the Get-OrganizationConfig cmdlet").
        "Get-OrganizationConfig": ["DomainController", "RetrieveEwsOperationAccessPolicy"],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Set-OrganizationConfig.md
        // Only the EWS parameters and the common ones of its ~300 (`### -EwsAllowedAppIDs`, `### -EwsEnabled`, …).
        "Set-OrganizationConfig": [
            "Confirm", "DomainController", "EwsAllowedAppIDs", "EwsAllowEntourage", "EwsAllowList", "EwsAllowMacOutlook",
            "EwsAllowOutlook", "EwsApplicationAccessPolicy", "EwsBlockList", "EwsEnabled", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-ManagementScope.md
        "Get-ManagementScope": [
            "DomainController", "Exclusive", "Identity", "Orphan",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/New-ManagementScope.md
        "New-ManagementScope": [
            "Confirm", "DatabaseList", "DatabaseRestrictionFilter", "DomainController", "Exclusive", "Force", "Name",
            "RecipientRestrictionFilter", "RecipientRoot", "ServerList", "ServerRestrictionFilter", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Set-ManagementScope.md
        "Set-ManagementScope": [
            "Confirm", "DatabaseRestrictionFilter", "DomainController", "Force", "Identity", "Name",
            "RecipientRestrictionFilter", "RecipientRoot", "ServerRestrictionFilter", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-ManagementRoleAssignment.md
        // Sets: Identity ([-Identity], no AssignmentMethod/Role/RoleAssignee), RoleAssignee (AssignmentMethod, Role, RoleAssignee).
        // There is NO CustomResourceScope parameter (only New-/Set-ManagementRoleAssignment have it).
        // RoleAssigneeType documented values: User, SecurityGroup, RoleAssignmentPolicy, ForeignSecurityPrincipal, RoleGroup,
        // LinkedRoleGroup, Computer (ServicePrincipal is not listed).
        "Get-ManagementRoleAssignment": [
            "AssignmentMethod", "ConfigWriteScope", "CustomConfigWriteScope", "CustomRecipientWriteScope",
            "Delegating", "DomainController", "Enabled", "Exclusive", "ExclusiveConfigWriteScope",
            "ExclusiveRecipientWriteScope", "GetEffectiveUsers", "Identity", "RecipientAdministrativeUnitScope",
            "RecipientGroupScope", "RecipientOrganizationalUnitScope", "RecipientWriteScope", "Role", "RoleAssignee",
            "RoleAssigneeType", "WritableDatabase", "WritableRecipient", "WritableServer",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/New-ManagementRoleAssignment.md
        // Sets: App (Role + App required; only CustomResourceScope, Delegating, Force, RecipientAdministrativeUnitScope,
        // RecipientGroupScope, Confirm, WhatIf besides Name), Computer, Policy, SecurityGroup, User.
        // CustomResourceScope is only in the App set.
        "New-ManagementRoleAssignment": [
            "App", "Computer", "Confirm", "CustomConfigWriteScope", "CustomRecipientWriteScope",
            "CustomResourceScope", "Delegating", "DomainController", "ExclusiveConfigWriteScope",
            "ExclusiveRecipientWriteScope", "Force", "Name", "Policy", "RecipientAdministrativeUnitScope",
            "RecipientGroupScope", "RecipientOrganizationalUnitScope", "RecipientRelativeWriteScope", "Role",
            "SecurityGroup", "UnScopedTopLevel", "User", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Test-ServicePrincipalAuthorization.md
        "Test-ServicePrincipalAuthorization": [
            "Confirm", "Identity", "Resource", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-ApplicationAccessPolicy.md
        "Get-ApplicationAccessPolicy": ["Identity"],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Remove-ApplicationAccessPolicy.md
        "Remove-ApplicationAccessPolicy": ["Confirm", "Identity", "WhatIf"],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-Mailbox.md
        "Get-Mailbox": [
            "Anr", "Arbitration", "Archive", "AuditLog", "AuxAuditLog", "Credential", "Database", "DomainController",
            "Filter", "GroupMailbox", "Identity", "IgnoreDefaultScope", "InactiveMailboxOnly",
            "IncludeAcceptMessagesOnlyFromDLMembersWithDisplayNames",
            "IncludeAcceptMessagesOnlyFromSendersOrMembersWithDisplayNames",
            "IncludeAcceptMessagesOnlyFromWithDisplayNames", "IncludeEmailAddressDisplayNames",
            "IncludeForwardingAddressWithDisplayNames", "IncludeGrantSendOnBehalfToWithDisplayNames",
            "IncludeInactiveMailbox", "MailboxPlan", "Migration", "Monitoring", "OrganizationalUnit", "PublicFolder",
            "ReadFromDomainController", "RecipientTypeDetails", "RemoteArchive", "ResultSize", "Server",
            "SoftDeletedMailbox", "SortBy", "SupervisoryReviewPolicy",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/New-Mailbox.md
        "New-Mailbox": [
            "AccountDisabled", "ActiveSyncMailboxPolicy", "AddressBookPolicy", "Alias", "Arbitration",
            "ArbitrationMailbox", "Archive", "ArchiveDatabase", "ArchiveDomain", "AuditLog", "AuxAuditLog",
            "Confirm", "Database", "Discovery", "DisplayName", "DomainController", "EnableRoomMailboxAccount",
            "Equipment", "FederatedIdentity", "FirstName", "Force", "HoldForMigration", "ImmutableId",
            "InactiveMailbox", "Initials", "IsExcludedFromServingHierarchy", "LastName", "LinkedCredential",
            "LinkedDomainController", "LinkedMasterAccount", "LinkedRoom", "MailboxPlan", "MailboxRegion",
            "ManagedFolderMailboxPolicy", "ManagedFolderMailboxPolicyAllowed", "MicrosoftOnlineServicesID",
            "Migration", "ModeratedBy", "ModerationEnabled", "Name", "Office", "OrganizationalUnit", "Password",
            "Phone", "PrimarySmtpAddress", "ProxyEmailAddress", "PublicFolder", "RemoteArchive",
            "RemotePowerShellEnabled", "RemovedMailbox", "ResetPasswordOnNextLogon", "ResourceCapacity",
            "RetentionPolicy", "RoleAssignmentPolicy", "Room", "RoomMailboxPassword", "SamAccountName",
            "SendModerationNotifications", "Shared", "SharingPolicy", "SupervisoryReviewPolicy", "TargetAllMDBs",
            "ThrottlingPolicy", "UserPrincipalName", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Enable-Mailbox.md
        "Enable-Mailbox": [
            "ActiveSyncMailboxPolicy", "AddressBookPolicy", "Alias", "Arbitration", "Archive", "ArchiveDatabase",
            "ArchiveDomain", "ArchiveGuid", "ArchiveName", "AuditLog", "AutoExpandingArchive", "Confirm", "Database",
            "Discovery", "DisplayName", "DomainController", "Equipment", "Force", "HoldForMigration", "Identity",
            "LinkedCredential", "LinkedDomainController", "LinkedMasterAccount", "LinkedRoom",
            "ManagedFolderMailboxPolicy", "ManagedFolderMailboxPolicyAllowed", "PrimarySmtpAddress", "PublicFolder",
            "RemoteArchive", "RetentionPolicy", "RoleAssignmentPolicy", "Room", "Shared", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-User.md
        // The heading is spelled "-Sortby" (lower-case b) on this page; PowerShell matches parameter names case-insensitively.
        "Get-User": [
            "Anr", "Arbitration", "AuditLog", "AuxAuditLog", "Credential", "DomainController", "Filter", "Identity",
            "IgnoreDefaultScope", "IncludeDirectReportsWithDisplayNames", "IncludeManagerWithDisplayName", "IsVIP",
            "OrganizationalUnit", "PublicFolder", "ReadFromDomainController", "RecipientTypeDetails", "ResultSize",
            "Sortby", "SupervisoryReviewPolicy",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Set-Mailbox.md
        // The SYNTAX block also lists -MessageRecallProcessingEnabled, which has no "### -" heading; left out here.
        "Set-Mailbox": [
            "AcceptMessagesOnlyFrom", "AcceptMessagesOnlyFromDLMembers", "AcceptMessagesOnlyFromSendersOrMembers",
            "AccountDisabled", "AddressBookPolicy", "Alias", "AntispamBypassEnabled", "ApplyMandatoryProperties",
            "Arbitration", "ArbitrationMailbox", "ArchiveDatabase", "ArchiveDomain", "ArchiveName", "ArchiveQuota",
            "ArchiveStatus", "ArchiveWarningQuota", "AttributesToClear", "AuditAdmin", "AuditDelegate",
            "AuditEnabled", "AuditLog", "AuditLogAgeLimit", "AuditOwner", "AutoArchivingEnabled", "AuxAuditLog",
            "BypassModerationFromSendersOrMembers", "CalendarLoggingQuota", "CalendarRepairDisabled",
            "CalendarVersionStoreDisabled", "ClearThrottlingPolicyAssignment", "ClientExtensions", "Confirm",
            "CreateDTMFMap", "CustomAttribute1", "CustomAttribute10", "CustomAttribute11", "CustomAttribute12",
            "CustomAttribute13", "CustomAttribute14", "CustomAttribute15", "CustomAttribute2", "CustomAttribute3",
            "CustomAttribute4", "CustomAttribute5", "CustomAttribute6", "CustomAttribute7", "CustomAttribute8",
            "CustomAttribute9", "Database", "DataEncryptionPolicy", "DefaultAuditSet", "DefaultPublicFolderMailbox",
            "DeliverToMailboxAndForward", "DisableThrottling", "DisplayName", "DomainController",
            "DowngradeHighPriorityMessagesEnabled", "DumpsterMessagesPerFolderCountReceiveQuota",
            "DumpsterMessagesPerFolderCountWarningQuota", "ElcProcessingDisabled", "EmailAddressDisplayNames",
            "EmailAddresses", "EmailAddressPolicyEnabled", "EnableRoomMailboxAccount", "EndDateForRetentionHold",
            "EnforcedTimestamps", "ExcludeFromAllHolds", "ExcludeFromAllOrgHolds", "ExcludeFromOrgHolds",
            "ExtendedPropertiesCountQuota", "ExtensionCustomAttribute1", "ExtensionCustomAttribute2",
            "ExtensionCustomAttribute3", "ExtensionCustomAttribute4", "ExtensionCustomAttribute5",
            "ExternalOofOptions", "FolderHierarchyChildrenCountReceiveQuota",
            "FolderHierarchyChildrenCountWarningQuota", "FolderHierarchyDepthReceiveQuota",
            "FolderHierarchyDepthWarningQuota", "FoldersCountReceiveQuota", "FoldersCountWarningQuota", "Force",
            "ForwardingAddress", "ForwardingSmtpAddress", "GMGen", "GrantSendOnBehalfTo", "GroupMailbox",
            "HiddenFromAddressListsEnabled", "Identity", "IgnoreDefaultScope", "ImListMigrationCompleted",
            "ImmutableId", "InactiveMailbox", "IsExchangeCloudManaged", "IsExcludedFromServingHierarchy",
            "IsHierarchyReady", "IsHierarchySyncEnabled", "IssueWarningQuota", "JournalArchiveAddress", "Languages",
            "LinkedCredential", "LinkedDomainController", "LinkedMasterAccount", "LitigationHoldDate",
            "LitigationHoldDuration", "LitigationHoldEnabled", "LitigationHoldOwner",
            "MailboxMessagesPerFolderCountReceiveQuota", "MailboxMessagesPerFolderCountWarningQuota",
            "MailboxRegion", "MailTip", "MailTipTranslations", "ManagedFolderMailboxPolicy",
            "ManagedFolderMailboxPolicyAllowed", "Management", "MaxBlockedSenders", "MaxReceiveSize",
            "MaxSafeSenders", "MaxSendSize", "MessageCopyForSendOnBehalfEnabled", "MessageCopyForSentAsEnabled",
            "MessageCopyForSMTPClientSubmissionEnabled", "MessageTracking", "MessageTrackingReadStatusEnabled",
            "MicrosoftOnlineServicesID", "Migration", "ModeratedBy", "ModerationEnabled", "Name", "NewPassword",
            "NonCompliantDevices", "OABGen", "Office", "OfflineAddressBook", "OldPassword", "OMEncryption",
            "OMEncryptionStore", "Password", "PrimarySmtpAddress", "ProhibitSendQuota", "ProhibitSendReceiveQuota",
            "ProvideConsent", "ProvisionedForOfficeGraph", "PstProvider", "PublicFolder", "QueryBaseDN",
            "RecalculateInactiveMailbox", "RecipientLimits", "RecoverableItemsQuota", "RecoverableItemsWarningQuota",
            "RejectMessagesFrom", "RejectMessagesFromDLMembers", "RejectMessagesFromSendersOrMembers",
            "RemoteRecipientType", "RemoveComplianceTagHoldApplied", "RemoveDelayHoldApplied",
            "RemoveDelayReleaseHoldApplied", "RemoveDisabledArchive", "RemoveMailboxProvisioningConstraint",
            "RemoveManagedFolderAndPolicy", "RemoveOrphanedHolds", "RemovePicture", "RemoveSpokenName",
            "RequireSenderAuthenticationEnabled", "ResetPasswordOnNextLogon", "ResourceCapacity", "ResourceCustom",
            "RetainDeletedItemsFor", "RetainDeletedItemsUntilBackup", "RetentionComment", "RetentionHoldEnabled",
            "RetentionPolicy", "RetentionUrl", "RoleAssignmentPolicy", "RoomMailboxPassword", "RulesQuota",
            "SamAccountName", "SchedulerAssistant", "SCLDeleteEnabled", "SCLDeleteThreshold", "SCLJunkEnabled",
            "SCLJunkThreshold", "SCLQuarantineEnabled", "SCLQuarantineThreshold", "SCLRejectEnabled",
            "SCLRejectThreshold", "SecondaryAddress", "SecondaryDialPlan", "SendModerationNotifications",
            "SharingPolicy", "SimpleDisplayName", "SingleItemRecoveryEnabled", "SkipDualWrite",
            "StartDateForRetentionHold", "StsRefreshTokensValidFrom", "SystemMessageSizeShutoffQuota",
            "SystemMessageSizeWarningQuota", "ThrottlingPolicy", "Type", "UMDataStorage", "UMDtmfMap", "UMGrammar",
            "UniqueRecipientsCountLimitLevel", "UniqueUnrestrictedGroupsLimitEnabled", "UpdateEnforcedTimestamp",
            "UseDatabaseQuotaDefaults", "UseDatabaseRetentionDefaults", "UserCertificate", "UserPrincipalName",
            "UserSMimeCertificate", "WhatIf", "WindowsEmailAddress",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-ManagementRole.md
        "Get-ManagementRole": [
            "Cmdlet", "CmdletParameters", "DomainController", "GetChildren", "Identity", "Recurse", "RoleType",
            "Script", "ScriptParameters",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/New-RoleGroup.md
        "New-RoleGroup": [
            "Confirm", "CustomConfigWriteScope", "CustomRecipientWriteScope", "Description", "DisplayName",
            "DomainController", "Force", "Id", "LinkedCredential", "LinkedDomainController", "LinkedForeignGroup",
            "ManagedBy", "Members", "Name", "RecipientOrganizationalUnitScope", "Roles", "SamAccountName",
            "WellKnownObject", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-RoleGroup.md
        "Get-RoleGroup": [
            "DomainController", "Filter", "Identity", "ReadFromDomainController", "ResultSize", "ShowPartnerLinked",
            "SortBy",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Remove-RoleGroupMember.md
        "Remove-RoleGroupMember": [
            "BypassSecurityGroupManagerCheck", "Confirm", "DomainController", "Identity", "Member", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Get-MailboxPermission.md
        "Get-MailboxPermission": [
            "Credential", "DomainController", "GroupMailbox", "Identity", "IncludeSoftDeletedUserPermissions",
            "IncludeUnresolvedPermissions", "IncludeUserWithDisplayName", "Owner", "ReadFromDomainController", "ResultSize",
            "SoftDeletedMailbox", "UseCustomRouting", "User",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Remove-MailboxPermission.md
        "Remove-MailboxPermission": [
            "AccessRights", "BypassMasterAccountSid", "ClearAutoMapping", "Confirm", "Deny", "DomainController",
            "GroupMailbox", "Identity", "IgnoreDefaultScope", "InheritanceType", "Instance", "ResetDefault",
            "SoftDeletedMailbox", "User", "WhatIf",
        ],
        // MicrosoftDocs/office-docs-powershell: exchange/exchange-ps/ExchangePowerShell/Remove-ManagementRoleAssignment.md
        "Remove-ManagementRoleAssignment": [
            "Confirm", "DomainController", "Force", "Identity", "WhatIf",
        ],
        // MARK: PowerShell 7.4 core cmdlets
        // MicrosoftDocs/PowerShell-Docs: reference/7.4/Microsoft.PowerShell.Utility/Write-Host.md
        // Alias: Object = Msg.
        "Write-Host": [
            "BackgroundColor", "ForegroundColor", "NoNewline", "Object", "Separator",
        ],
        // MicrosoftDocs/PowerShell-Docs: reference/7.4/Microsoft.PowerShell.Utility/Write-Warning.md
        // Alias: Message = Msg.
        "Write-Warning": [
            "Message",
        ],
        // MicrosoftDocs/PowerShell-Docs: reference/7.4/Microsoft.PowerShell.Utility/Read-Host.md
        "Read-Host": [
            "AsSecureString", "MaskInput", "Prompt",
        ],
        // MicrosoftDocs/PowerShell-Docs: reference/7.4/Microsoft.PowerShell.Utility/Get-Date.md
        // Aliases: Date = LastWriteTime; UnixTimeSeconds = UnixTime.
        "Get-Date": [
            "AsUTC", "Date", "Day", "DisplayHint", "Format", "Hour", "Millisecond", "Minute", "Month", "Second",
            "UFormat", "UnixTimeSeconds", "Year",
        ],
        // MicrosoftDocs/PowerShell-Docs: reference/7.4/Microsoft.PowerShell.Core/Where-Object.md
        // Documented aliases: IContains, IEQ, IGE, IGT, IIn, ILE, ILike, ILT, IMatch, INE, INotContains, INotIn, INotLike, INotMatch.
        "Where-Object": [
            "CContains", "CEQ", "CGE", "CGT", "CIn", "CLE", "CLike", "CLT", "CMatch", "CNE", "CNotContains",
            "CNotIn", "CNotLike", "CNotMatch", "Contains", "EQ", "FilterScript", "GE", "GT", "In", "InputObject",
            "Is", "IsNot", "LE", "Like", "LT", "Match", "NE", "Not", "NotContains", "NotIn", "NotLike", "NotMatch",
            "Property", "Value",
        ],
        // MicrosoftDocs/PowerShell-Docs: reference/7.4/Microsoft.PowerShell.Core/ForEach-Object.md
        // Alias: ArgumentList = Args.
        "ForEach-Object": [
            "ArgumentList", "AsJob", "Begin", "Confirm", "End", "InputObject", "MemberName", "Parallel", "Process",
            "RemainingScripts", "ThrottleLimit", "TimeoutSeconds", "UseNewRunspace", "WhatIf",
        ],
        // MicrosoftDocs/PowerShell-Docs: reference/7.4/Microsoft.PowerShell.Utility/Format-Table.md
        "Format-Table": [
            "AutoSize", "DisplayError", "Expand", "Force", "GroupBy", "HideTableHeaders", "InputObject", "Property",
            "RepeatHeader", "ShowError", "View", "Wrap",
        ],
        // MicrosoftDocs/PowerShell-Docs: reference/7.4/Microsoft.PowerShell.Core/Out-Null.md
        "Out-Null": [
            "InputObject",
        ],
        // MicrosoftDocs/PowerShell-Docs: reference/7.4/Microsoft.PowerShell.Security/ConvertTo-SecureString.md
        "ConvertTo-SecureString": [
            "AsPlainText", "Force", "Key", "SecureKey", "String",
        ],
    ]
}
