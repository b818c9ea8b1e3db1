import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

@Suite("Exchange InvokeCommand")
struct ExchangeTests {
    @Test("New-DistributionGroup, Add-DistributionGroupMember, Get-DistributionGroupMember")
    func distributionGroup() async throws {
        try await Simulator.with { sim in
            let token = try await sim.adminToken(scope: sim.endpoints.exchangeScope, clientID: "fb78d390-0c51-40cd-8e17-fdbfab77341b")
            let created = try await sim.rows(
                "New-DistributionGroup", ["Name": "Workable Rooms", "Alias": "workablerooms", "Type": "Security"], token: token)
            let group = try #require(created.first)
            #expect(group["RecipientTypeDetails"].string == "MailUniversalSecurityGroup")
            #expect(group["PrimarySmtpAddress"].string == "workablerooms@contoso.com")
            #expect(group["DistinguishedName"].string?.hasPrefix("CN=Workable Rooms,OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations") == true)
            let duplicate = try await sim.invoke("New-DistributionGroup", ["Name": "Workable Rooms", "Alias": "workablerooms"], token: token)
            #expect(duplicate.status == 400)
            #expect(duplicate.json["error"]["details"].array?.first?["message"].string?.contains("ADObjectAlreadyExistsException") == true)

            // A security group needs the bypass switch; the alias of a room resolves it.
            let refused = try await sim.invoke(
                "Add-DistributionGroupMember", ["Identity": "workablerooms", "Member": "alder.room@contoso.com"], token: token)
            #expect(refused.status == 400)
            for member in ["alder.room@contoso.com", "room-birch@contoso.com"] {
                _ = try await sim.rows(
                    "Add-DistributionGroupMember",
                    ["Identity": "Workable Rooms", "Member": .string(member), "BypassSecurityGroupManagerCheck": true], token: token)
            }
            let again = try await sim.invoke(
                "Add-DistributionGroupMember",
                ["Identity": "workablerooms", "Member": "room-birch", "BypassSecurityGroupManagerCheck": true], token: token)
            #expect(again.json["error"]["details"].array?.first?["message"].string?.contains("MemberAlreadyExistsException") == true)
            let members = try await sim.rows(
                "Get-DistributionGroupMember", ["Identity": "workablerooms@contoso.com", "ResultSize": "Unlimited"], token: token)
            #expect(members.map { $0["PrimarySmtpAddress"].string ?? "" } == ["room-alder@contoso.com", "room-birch@contoso.com"])
            #expect(members.allSatisfy { $0["RecipientTypeDetails"].string == "RoomMailbox" })

            // Graph sees the new group, read-only.
            let graphToken = try await sim.adminToken()
            let graph = try await sim.graph(
                "GET", "/groups?$filter=" + Simulator.encode("mailNickname eq 'workablerooms'"), token: graphToken)
            #expect(graph.json["value"].array?.first?["securityEnabled"].bool == true)
            #expect(graph.json["value"].array?.first?["mailEnabled"].bool == true)

            let missing = try await sim.invoke("Get-DistributionGroup", ["Identity": "nope"], token: token)
            #expect(missing.status == 404)
            #expect(missing.json["error"]["details"].array?.first?["message"].string?.contains("ManagementObjectNotFoundException") == true)
        }
    }

    @Test("the X-CmdletName header must match the body; unknown parameters and cmdlets are refused")
    func headerAndParameters() async throws {
        try await Simulator.with { sim in
            let (_, _, token) = try await sim.automation()
            let mismatch = try await sim.invoke("Get-Mailbox", token: token, headerName: "Get-Recipient")
            #expect(mismatch.status == 400)
            let unknown = try await sim.invoke("Get-Mailbox", ["Colour": "blue"], token: token)
            #expect(unknown.status == 400)
            #expect(unknown.json["error"]["details"].array?.first?["message"].string?.contains("ParameterBindingException") == true)
            let cmdlet = try await sim.invoke("Get-Nothing", token: token)
            #expect(cmdlet.status == 400)
        }
    }

    @Test("Get-Mailbox -RecipientTypeDetails RoomMailbox pages with Prefer: odata.maxpagesize")
    func roomPaging() async throws {
        try await Simulator.with(SimulatorOptions(userCount: 30, roomCount: 25)) { sim in
            let (_, _, token) = try await sim.automation()
            let first = try await sim.invoke(
                "Get-Mailbox", ["RecipientTypeDetails": "RoomMailbox", "ResultSize": "Unlimited"], token: token, pageSize: 10)
            #expect(first.json["value"].array?.count == 10)
            let next = try #require(first.json["@odata.nextLink"].string)
            let wrongBody = try await sim.invoke("Get-Mailbox", ["ResultSize": "Unlimited"], token: token, url: next, pageSize: 10)
            #expect(wrongBody.status == 400)
            let rooms = try await sim.rows(
                "Get-Mailbox", ["RecipientTypeDetails": "RoomMailbox", "ResultSize": "Unlimited"], token: token, pageSize: 10)
            #expect(rooms.count == 25)
            #expect(Set(rooms.compactMap { $0["ExternalDirectoryObjectId"].string }).count == 25)
            let limited = try await sim.invoke("Get-Mailbox", ["ResultSize": 5], token: token)
            #expect(limited.json["value"].array?.count == 5)
        }
    }

    @Test("scope, pointer and role assignment; Test-ServicePrincipalAuthorization answers InScope True and False (strings, as documented) at once")
    func servicePrincipalAuthorization() async throws {
        try await Simulator.with { sim in
            let (_, graph, exchange) = try await sim.automation()
            let target = try await Self.targetApp(sim, graph: graph)
            let group = try #require(await sim.tenant.group("meetingrooms"))
            let dn = try #require(group.distinguishedName)

            let noPointer = try await sim.invoke(
                "New-ManagementRoleAssignment",
                ["Name": "cal", "Role": "Application Calendars.ReadWrite", "App": .string(target.spID)], token: exchange)
            #expect(noPointer.status == 404)
            let wrongObject = try await sim.invoke(
                "New-ServicePrincipal", ["AppId": .string(target.appID), "ObjectId": .string(target.applicationID)], token: exchange)
            #expect(wrongObject.status == 400)
            _ = try await sim.rows(
                "New-ServicePrincipal",
                ["AppId": .string(target.appID), "ObjectId": .string(target.spID), "DisplayName": "Target"], token: exchange)
            let scope = try await sim.rows(
                "New-ManagementScope", ["Name": "Meeting rooms", "RecipientRestrictionFilter": .string("MemberOfGroup -eq \(dn.quoted)")],
                token: exchange)
            #expect(scope.first?["ScopeRestrictionType"].string == "RecipientScope")
            let longName = String(repeating: "n", count: 65)
            let tooLong = try await sim.invoke(
                "New-ManagementRoleAssignment",
                ["Name": .string(longName), "Role": "Application Calendars.ReadWrite", "App": .string(target.spID), "CustomResourceScope": "Meeting rooms"],
                token: exchange)
            #expect(tooLong.status == 400)
            let impersonation = try await sim.invoke(
                "New-ManagementRoleAssignment", ["Role": "ApplicationImpersonation", "App": .string(target.spID)], token: exchange)
            #expect(impersonation.status == 404)
            let assignment = try await sim.rows(
                "New-ManagementRoleAssignment",
                ["Name": "Target calendars", "Role": "Application Calendars.ReadWrite", "App": .string(target.spID), "CustomResourceScope": "Meeting rooms"],
                token: exchange)
            #expect(assignment.first?["RoleAssigneeType"].string == "ServicePrincipal")
            #expect(assignment.first?["CustomResourceScope"].string == "Meeting rooms")
            let listed = try await sim.rows("Get-ManagementRoleAssignment", ["RoleAssignee": .string(target.spID)], token: exchange)
            #expect(listed.map { $0["Name"].string } == ["Target calendars"])

            let inScope = try await sim.rows(
                "Test-ServicePrincipalAuthorization", ["Identity": .string(target.appID), "Resource": "room-alder@contoso.com"],
                token: exchange)
            #expect(inScope.first?["InScope"].string == "True")
            #expect(inScope.first?["RoleName"].string == "Application Calendars.ReadWrite")
            #expect(inScope.first?["GrantedPermissions"].string?.contains("Calendars.ReadWrite") == true)
            let outOfScope = try await sim.rows(
                "Test-ServicePrincipalAuthorization", ["Identity": .string(target.appID), "Resource": "avery.adams@contoso.com"],
                token: exchange)
            #expect(outOfScope.first?["InScope"].string == "False")
            // The annex room is only a member of a nested group: out of scope.
            let nested = try await sim.rows(
                "Test-ServicePrincipalAuthorization", ["Identity": .string(target.appID), "Resource": "room-elm@contoso.com"],
                token: exchange)
            #expect(nested.first?["InScope"].string == "False")
            let inUse = try await sim.invoke("Remove-ManagementScope", ["Identity": "Meeting rooms"], token: exchange)
            #expect(inUse.status == 400)
        }
    }

    @Test("OPATH: a quote in the group's DN is written doubled; bad filters are refused like Exchange")
    func quotedDistinguishedName() async throws {
        try await Simulator.with { sim in
            let (_, _, exchange) = try await sim.automation()
            _ = try await sim.rows("New-DistributionGroup", ["Name": "O'Brien Rooms", "Alias": "obrienrooms"], token: exchange)
            _ = try await sim.rows("Add-DistributionGroupMember", ["Identity": "obrienrooms", "Member": "room-elm"], token: exchange)
            let group = try #require(await sim.tenant.group("obrienrooms"))
            let dn = try #require(group.distinguishedName)
            #expect(dn.hasPrefix("CN=O'Brien Rooms,"))
            let scope = try await sim.invoke(
                "New-ManagementScope", ["Name": "obrien", "RecipientRestrictionFilter": .string("MemberOfGroup -eq \(dn.quoted)")],
                token: exchange)
            #expect(scope.status == 200, "\(scope.text)")
            let doubleQuoted = try await sim.invoke(
                "New-ManagementScope",
                ["Name": "obrien2", "RecipientRestrictionFilter": .string("MemberOfGroup -eq \"\(dn)\"")], token: exchange)
            #expect(doubleQuoted.status == 200, "\(doubleQuoted.text)")
            let unescaped = try await sim.invoke(
                "New-ManagementScope", ["Name": "broken", "RecipientRestrictionFilter": .string("MemberOfGroup -eq '\(dn)'")],
                token: exchange)
            #expect(unescaped.status == 400)
            #expect(unescaped.json["error"]["details"].array?.first?["message"].string?.contains("Invalid filter syntax") == true)
            let wrongDN = try await sim.invoke(
                "New-ManagementScope",
                ["Name": "unknown", "RecipientRestrictionFilter": "MemberOfGroup -eq 'obrienrooms@contoso.com'"], token: exchange)
            #expect(wrongDN.status == 400)
            let rooms = try await sim.invoke(
                "New-ManagementScope", ["Name": "rooms", "RecipientRestrictionFilter": "RecipientTypeDetails -eq 'RoomMailbox'"],
                token: exchange)
            #expect(rooms.status == 200)
            let typo = try await sim.invoke(
                "New-ManagementScope", ["Name": "typo", "RecipientRestrictionFilter": "RecipientTypeDetails -eq 'RoomMailboxes'"],
                token: exchange)
            #expect(typo.status == 400)
            let matching = try await sim.rows("Get-Recipient", ["Filter": .string("MemberOfGroup -eq \(dn.quoted)")], token: exchange)
            #expect(matching.map { $0["PrimarySmtpAddress"].string } == ["room-elm@contoso.com"])
        }
    }

    /// Registers a target app (the one mailscope sets up) with a service principal, through Graph.
    static func targetApp(_ sim: Simulator, graph: String) async throws -> (appID: String, spID: String, applicationID: String, secret: String) {
        let created = try await sim.graph(
            "PATCH", "/applications(uniqueName='target')", token: graph, json: ["displayName": "Target"],
            headers: ["Prefer": "create-if-missing"])
        let applicationID = try #require(created.json["id"].string)
        let appID = try #require(created.json["appId"].string)
        let sp = try await sim.graph(
            "PATCH", "/servicePrincipals(appId='\(appID)')", token: graph, json: [:], headers: ["Prefer": "create-if-missing"])
        let spID = try #require(sp.json["id"].string)
        let secret = try await sim.graph("POST", "/applications/\(applicationID)/addPassword", token: graph, json: [:])
        return (appID, spID, applicationID, try #require(secret.json["secretText"].string))
    }
}
