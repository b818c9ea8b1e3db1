import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

@Suite("Scale")
struct ScaleTests {
    @Test("50,000 users and 2,000 rooms: indexed lookups and paging work")
    func largeTenant() async throws {
        try await Simulator.with(SimulatorOptions(userCount: 50_000, roomCount: 2_000)) { sim in
            let (_, graph, exchange) = try await sim.automation()
            // An alias deep in the population resolves through the index.
            let user = try #require(await sim.tenant.users().last { $0.proxyAddresses.count > 2 && !$0.isRoom })
            let alias = try #require(user.proxyAddresses.last).dropFirst(5)
            let found = try await sim.graph(
                "GET", "/users?$filter=" + Simulator.encode("proxyAddresses/any(p:p eq 'smtp:\(alias)')"), token: graph)
            #expect(found.json["value"].array?.first?["id"].string == user.id)
            let page = try await sim.graph("GET", "/users?$top=999&$select=id", token: graph)
            #expect(page.json["value"].array?.count == 999)
            #expect(page.json["@odata.nextLink"].string != nil)
            let rooms = try await sim.rows(
                "Get-Mailbox", ["RecipientTypeDetails": "RoomMailbox", "ResultSize": "Unlimited"], token: exchange)
            #expect(rooms.count == 2_000)
            let recipient = try await sim.rows("Get-Recipient", ["Identity": .string(String(alias))], token: exchange)
            #expect(recipient.first?["ExternalDirectoryObjectId"].string == user.id)
            #expect(await sim.server.requestCount >= 6)
        }
    }
}
