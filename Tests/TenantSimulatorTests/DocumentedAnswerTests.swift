import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// The simulator answers and refuses as Microsoft documents it.
@Suite("Documented answers")
struct DocumentedAnswerTests {
    @Test("a cmdlet outside the admin's Exchange roles: 401 'User is not allowed to call', no token challenge")
    func cmdletOutsideTheAdminsExchangeRoles() async throws {
        try await Simulator.with { sim in
            await sim.tenant.setAdminExchangeRoleGroups(["Recipient Management"])
            let token = try await sim.adminToken(
                scope: sim.endpoints.exchangeScope, clientID: "fb78d390-0c51-40cd-8e17-fdbfab77341b")
            let refused = try await sim.invoke("Get-ManagementScope", token: token)
            #expect(refused.status == 401)
            #expect(refused.json["error"]["code"].string == "Unauthorized")
            #expect(refused.json["error"]["message"].string == "User is not allowed to call Get-ManagementScope")
            #expect(
                refused.json["error"]["innererror"]["type"].string
                    == "Microsoft.Exchange.Admin.OData.Core.ODataServiceException")
            #expect(refused.header("www-authenticate") == nil)
            // Recipient Management still reads recipients.
            #expect(try await sim.invoke("Get-Mailbox", ["ResultSize": "1"], token: token).status == 200)
            // Without any Exchange role group, nothing is allowed.
            await sim.tenant.setAdminExchangeRoleGroups([])
            #expect(try await sim.invoke("Get-Mailbox", ["ResultSize": "1"], token: token).status == 401)
            // Organization Management allows every cmdlet.
            await sim.tenant.setAdminExchangeRoleGroups(["Organization Management"])
            #expect(try await sim.invoke("Get-ManagementScope", token: token).status == 200)
        }
    }

    @Test("Get-* without an identity, or with $null or an empty one, lists every object")
    func getWithoutAnIdentityListsEverything() async throws {
        try await Simulator.with { sim in
            let token = try await sim.adminToken(
                scope: sim.endpoints.exchangeScope, clientID: "fb78d390-0c51-40cd-8e17-fdbfab77341b")
            await sim.tenant.addExchangeServicePrincipal(appID: "11111111-0000-0000-0000-000000000001", objectID: "21111111-0000-0000-0000-000000000001", displayName: "First")
            await sim.tenant.addExchangeServicePrincipal(appID: "11111111-0000-0000-0000-000000000002", objectID: "21111111-0000-0000-0000-000000000002", displayName: "Second")
            for identity: JSONValue in [.null, "", "  "] {
                let pointers = try await sim.invoke("Get-ServicePrincipal", ["Identity": identity], token: token)
                #expect(pointers.status == 200)
                #expect(pointers.json["value"].array?.count == 2, "\(identity)")
                let groups = try await sim.invoke("Get-DistributionGroup", ["Identity": identity], token: token)
                #expect((groups.json["value"].array?.count ?? 0) > 1, "\(identity)")
            }
            let one = try await sim.invoke(
                "Get-ServicePrincipal", ["Identity": "11111111-0000-0000-0000-000000000002"], token: token)
            #expect(one.json["value"].array?.map { $0["DisplayName"].string } == ["Second"])
        }
    }
}
