import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// Graph addresses a user by object id or user principal name (`GET /users/{id | userPrincipalName}`,
/// microsoft-graph-docs-contrib `api-reference/v1.0/api/user-get.md`), and the population holds the
/// accounts that tell those apart from a mail address: members whose UPN is not their address, a
/// guest and a member without a licence.
@Suite("Users addressed by id or UPN")
struct UserAddressingTests {
    @Test("a user whose UPN differs from its mail is found by id or UPN; by mail it is 404 Request_ResourceNotFound")
    func userByIDOrUPN() async throws {
        try await Simulator.with { sim in
            let (_, graph, _) = try await sim.automation(graph: ["User.Read.All", "Calendars.Read"])
            let rowan = try #require(await sim.tenant.users().first { $0.userPrincipalName == "rhale@contoso.com" })
            #expect(rowan.primarySmtpAddress == "rowan.hale@contoso.com")
            let sasha = try #require(await sim.tenant.users().first { $0.primarySmtpAddress == "sasha.lind@contoso.com" })
            #expect(sasha.userPrincipalName == "sasha.lind@contoso.onmicrosoft.com")

            for path in ["/users/\(rowan.id)", "/users/rhale@contoso.com", "/users/\(sasha.id)", "/users/sasha.lind@contoso.onmicrosoft.com"] {
                let reply = try await sim.graph("GET", path, token: graph)
                #expect(reply.status == 200, "\(path)")
                #expect(reply.json["mail"].string?.hasSuffix("@contoso.com") == true, "\(path)")
            }
            for suffix in ["", "/calendar", "/messages?$top=1", "/mailboxSettings"] {
                for address in ["rowan.hale@contoso.com", "sasha.lind@contoso.com", "badams@contoso.com"] {
                    let reply = try await sim.graph("GET", "/users/\(address)\(suffix)", token: graph)
                    #expect(reply.status == 404, "\(address)\(suffix)")
                    #expect(reply.json["error"]["code"].string == "Request_ResourceNotFound", "\(address)\(suffix)")
                }
            }
            // The mailbox itself answers when addressed by id or UPN.
            for identity in [rowan.id, "rhale@contoso.com", sasha.id, "sasha.lind@contoso.onmicrosoft.com"] {
                let reply = try await sim.graph("GET", "/users/\(identity)/calendar", token: graph)
                #expect(reply.status == 200, "\(identity)")
            }
        }
    }

    @Test("right after the admin come a guest and a member without a licence; user mailboxes are licensed members")
    func licensedMembers() async throws {
        try await Simulator.with { sim in
            let (_, graph, _) = try await sim.automation(graph: ["User.Read.All", "Organization.Read.All"])
            let reply = try await sim.graph(
                "GET", "/users?$select=id,mail,userPrincipalName,userType,assignedLicenses&$top=999", token: graph)
            let users = try #require(reply.json["value"].array)
            let mails = users.map { $0["mail"].string ?? "-" }
            #expect(Array(mails.prefix(5)) == [
                "admin@contoso.com", "gale.guest@fabrikam.com", "lee.lapsed@contoso.com", "rowan.hale@contoso.com",
                "sasha.lind@contoso.com",
            ])
            let guest = users[1]
            #expect(guest["userType"].string == "Guest")
            #expect(guest["userPrincipalName"].string == "gale.guest_fabrikam.com#EXT#@contoso.onmicrosoft.com")
            #expect(guest["assignedLicenses"].array?.isEmpty == true)
            #expect(users[2]["userType"].string == "Member")
            #expect(users[2]["assignedLicenses"].array?.isEmpty == true)
            let mailboxes = await sim.tenant.users().filter { $0.recipientTypeDetails == "UserMailbox" }
            #expect(mailboxes.count == 1 + 2 + 12)
            for mailbox in mailboxes {
                let user = try #require(users.first { $0["id"].string == mailbox.id })
                #expect(user["userType"].string == "Member")
                let licences = user["assignedLicenses"].array?.compactMap { $0["skuId"].string } ?? []
                #expect(licences == [SimulatedTenant.staffSkuID])
            }
            // Neither the guest nor the unlicensed member is an Exchange recipient.
            let guestID = try #require(guest["id"].string)
            #expect(await sim.tenant.users().first { $0.id == guestID }?.recipientTypeDetails == nil)
            let skus = try await sim.graph("GET", "/subscribedSkus", token: graph)
            let staff = try #require(skus.json["value"].array?.first { $0["skuPartNumber"].string == "ENTERPRISEPACK" })
            #expect(staff["consumedUnits"].number == Double(mailboxes.count))
        }
    }
}
