import Foundation

/// Fixed facts of Microsoft's cloud that the simulated tenant reproduces: well-known app ids,
/// application permission ids, directory role templates and Exchange's application roles.
enum Catalog {
    /// Microsoft Graph's application id.
    static let graphAppID = "00000003-0000-0000-c000-000000000000"
    /// Office 365 Exchange Online's application id.
    static let exchangeAppID = "00000002-0000-0ff1-ce00-000000000000"
    /// Microsoft's own tenant, owner of first-party applications.
    static let microsoftTenantID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"

    /// Public clients that may start a device-code sign-in without being registered in the tenant.
    static let firstPartyPublicClients: [String: String] = [
        "14d82eec-204b-4c2f-b7e8-296a70dab67e": "Microsoft Graph Command Line Tools",
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46": "Microsoft Azure CLI",
        "fb78d390-0c51-40cd-8e17-fdbfab77341b": "Microsoft Exchange REST API Based Powershell",
    ]

    /// Graph application permissions (value, id). The ids listed in microsoft-contracts.md §5 are
    /// Microsoft's; the others are Microsoft's published ids as commonly cited (resolve at runtime).
    static let graphAppRoles: [(value: String, id: String)] = [
        ("User.Read.All", "df021288-bdef-4463-88db-98f22de89214"),
        ("User.ReadWrite.All", "741f803b-c850-494e-b5df-cde7c675a1ca"),
        ("Mail.Read", "810c84a8-4a9e-49e6-bf7d-12d183f40d01"),
        ("Mail.ReadWrite", "e2a3a72e-5f79-4c64-b1b1-878b674786c9"),
        ("Mail.Send", "b633e1c5-b582-4048-a93e-9f11b44c7e96"),
        ("Calendars.Read", "798ee544-9d2d-430c-a058-570e29e34338"),
        ("Calendars.ReadWrite", "ef54d2bf-783f-4e0f-bca1-3210c0444d99"),
        ("Contacts.Read", "089fe4d0-434a-44c5-8827-41ba8a0b17f5"),
        ("Contacts.ReadWrite", "6918b873-d17a-4dc1-b314-35f528134491"),
        ("MailboxSettings.Read", "40f97065-369a-49f4-947c-6a255697ae91"),
        ("MailboxSettings.ReadWrite", "6931bccd-447a-43d1-b442-00a195474933"),
        // Mailbox import/export permissions (Graph permissions reference,
        // microsoft-graph-docs-contrib concepts/permissions-reference.md): mailbox content an
        // "Application MailboxItem.Read" role stands for, so a tenant-wide grant of it voids a scope.
        ("MailboxItem.Read.All", "7d9f353d-a7bd-4fbb-822a-26d5dd39a3ce"),
        ("MailboxConfigItem.ReadWrite", "aa6d92d4-b25a-4640-aefe-3e3231e5e736"),
        ("Place.Read.All", "913b9306-0ce1-42b8-9137-6a7df690a760"),
        ("Application.Read.All", "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30"),
        ("Application.ReadWrite.All", "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"),
        // Admin consent to delegated permissions, app-only (microsoftgraph/microsoft-graph-devx-content
        // permissions/permissions-descriptions.json, applicationScopesList).
        ("DelegatedPermissionGrant.ReadWrite.All", "8e8e4742-1d95-4f68-9d56-6ee75648c72a"),
        ("Application.ReadWrite.OwnedBy", "18a4783c-866b-4cc7-a460-3d5e5662c884"),
        ("AppRoleAssignment.ReadWrite.All", "06b708a9-e830-4db3-a914-8e69da51d44f"),
        ("Directory.Read.All", "7ab1d382-f21e-4acd-a863-ba3e13f7da61"),
        ("Directory.ReadWrite.All", "19dbc75e-c2e2-444c-a770-ec69d8559fc7"),
        ("Group.Read.All", "5b567255-7703-4780-807c-7be8301ae99b"),
        ("Group.ReadWrite.All", "62a82d76-70ea-41e2-9197-370581804d09"),
        ("GroupMember.Read.All", "98830695-27a2-44f7-8c18-0c3ebc9698f6"),
        ("GroupMember.ReadWrite.All", "dbaae8cf-10b5-4b86-a4a1-f871c94c6695"),
        ("Organization.Read.All", "498476ce-e0fe-48b0-b801-37ba7e2685c6"),
        ("RoleManagement.Read.Directory", "483bed4a-2ad3-4361-a73b-c83ccdbdc53c"),
        // Ids of these two come from memory of the permissions reference; mailscope resolves ids at run time.
        ("RoleManagement.ReadWrite.Exchange", "025d3225-3f02-4882-b4c0-cd5b541a4e80"),
        ("RoleManagement.Read.Exchange", "c769435f-f061-4d0b-8ff1-3d39870e5f85"),
    ]

    /// Office 365 Exchange Online application permissions (value, id).
    static let exchangeAppRoles: [(value: String, id: String)] = [
        ("full_access_as_app", "dc890d15-9560-4a4c-9b7f-a736ec74ec40"),
        ("Exchange.ManageAsApp", "dc50a0fb-09a3-484d-be87-e023b12c6440"),
    ]

    /// Entra directory role templates (display name → template id).
    static let directoryRoleTemplates: [String: String] = [
        "Global Administrator": "62e90394-69f5-4237-9190-012177145e10",
        "Exchange Administrator": "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Recipient Administrator": "31392ffb-586c-42d1-9346-e59415a2cf4e",
        "Application Administrator": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Cloud Application Administrator": "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Groups Administrator": "fdd7a751-b60b-444a-984c-02652fe8fa1c",
        "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
        "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    ]

    /// The Exchange role group whose roles allow every cmdlet the simulator serves, among them the
    /// delegating assignments of the Application roles ("Organization Management … has the
    /// delegating role assignment for the new Application RBAC roles": learn.microsoft.com
    /// /exchange/permissions-exo/application-rbac).
    static let organizationManagement = "Organization Management"
    /// The recipient cmdlets a member of Recipient Management may run (the rest, RBAC and service
    /// principal cmdlets, need Organization Management).
    static let recipientCmdlets: Set<String> = [
        "get-mailbox", "get-recipient", "get-distributiongroup", "get-unifiedgroup", "get-distributiongroupmember",
        "new-distributiongroup", "add-distributiongroupmember", "remove-distributiongroupmember",
    ]

    /// Directory roles that may run every Exchange cmdlet the simulator serves.
    static let exchangeAdminRoles: Set<String> = ["Global Administrator", "Exchange Administrator"]
    /// Directory roles that may create and change applications and service principals.
    static let applicationAdminRoles: Set<String> = [
        "Global Administrator", "Application Administrator", "Cloud Application Administrator",
    ]
    /// Directory roles that may grant application permissions of Microsoft Graph.
    static let grantAdminRoles: Set<String> = ["Global Administrator", "Privileged Role Administrator"]
    /// Directory roles that may create groups and change their members.
    static let groupAdminRoles: Set<String> = [
        "Global Administrator", "Groups Administrator", "User Administrator", "Exchange Administrator",
    ]

    /// Exchange's application roles (RBAC for Applications) and the Graph permissions each grants.
    static let applicationRoles: [(name: String, permissions: [String])] = [
        ("Application Mail.Read", ["Mail.Read"]),
        ("Application Mail.ReadBasic", ["Mail.ReadBasic"]),
        ("Application Mail.ReadWrite", ["Mail.Read", "Mail.ReadWrite"]),
        ("Application Mail.Send", ["Mail.Send"]),
        ("Application MailboxSettings.Read", ["MailboxSettings.Read"]),
        ("Application MailboxSettings.ReadWrite", ["MailboxSettings.Read", "MailboxSettings.ReadWrite"]),
        ("Application Calendars.Read", ["Calendars.Read"]),
        ("Application Calendars.ReadWrite", ["Calendars.Read", "Calendars.ReadWrite"]),
        ("Application Contacts.Read", ["Contacts.Read"]),
        ("Application Contacts.ReadWrite", ["Contacts.Read", "Contacts.ReadWrite"]),
        ("Application MailboxFolder.Read", ["MailboxFolder.Read"]),
        ("Application MailboxFolder.ReadWrite", ["MailboxFolder.Read", "MailboxFolder.ReadWrite"]),
        ("Application MailboxItem.Read", ["MailboxItem.Read"]),
        ("Application MailboxItem.ReadWrite", ["MailboxItem.Read", "MailboxItem.ReadWrite"]),
        ("Application MailboxItem.Export", ["MailboxItem.Export"]),
        ("Application MailboxItem.ImportExport", ["MailboxItem.ImportExport"]),
        ("Application Mail Full Access", ["Mail.Read", "Mail.ReadWrite", "Mail.Send"]),
        (
            "Application Exchange Full Access",
            [
                "Mail.Read", "Mail.ReadWrite", "Mail.Send", "MailboxSettings.Read", "MailboxSettings.ReadWrite",
                "Calendars.Read", "Calendars.ReadWrite", "Contacts.Read", "Contacts.ReadWrite",
            ]
        ),
        ("Application EWS.AccessAsApp", ["EWS.AccessAsApp"]),
        ("Application SMTP.SendAsApp", ["SMTP.SendAsApp"]),
        ("Application MailboxConfigItem.Read", ["MailboxConfigItem.Read"]),
        ("Application MailboxConfigItem.ReadWrite", ["MailboxConfigItem.Read", "MailboxConfigItem.ReadWrite"]),
        ("Application MailTips.ReadBasic.All", ["MailTips.ReadBasic.All"]),
        ("Application Mail-Advanced.ReadWrite.All", ["Mail-Advanced.ReadWrite.All"]),
    ]

    /// The application role named `name` (case-insensitive), with its canonical spelling.
    static func applicationRole(named name: String) -> (name: String, permissions: [String])? {
        applicationRoles.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// The `RecipientTypeDetails` values an OPATH filter may compare with.
    static let recipientTypeDetails: [String] = [
        "UserMailbox", "SharedMailbox", "RoomMailbox", "EquipmentMailbox", "LinkedMailbox", "SchedulingMailbox",
        "MailUser", "GuestMailUser", "MailContact", "MailUniversalDistributionGroup", "MailUniversalSecurityGroup",
        "MailNonUniversalGroup", "DynamicDistributionGroup", "GroupMailbox", "TeamMailbox", "DiscoveryMailbox",
        "User", "DisabledUser", "RoleGroup",
    ]

    /// The Exchange organisation's part of every distinguished name.
    static let distinguishedNameSuffix =
        "OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=NAMPR00A001,DC=prod,DC=outlook,DC=com"

    /// The server name Exchange errors mention.
    static let exchangeServer = "NAMPR00A001.prod.outlook.com"

    /// The distinguished name of a recipient named `name`, with RFC 4514 escapes.
    static func distinguishedName(name: String) -> String {
        let special: Set<UInt8> = Set(",+\"\\<>;=".utf8)
        guard name.utf8.contains(where: special.contains) else { return "CN=\(name),\(distinguishedNameSuffix)" }
        var escaped = ""
        for character in name {
            if ",+\"\\<>;=".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return "CN=\(escaped),\(distinguishedNameSuffix)"
    }
}
