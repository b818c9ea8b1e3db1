import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

@Suite("Microsoft Graph")
struct GraphTests {
    @Test("organization and the admin's directory roles")
    func organizationAndRoles() async throws {
        try await Simulator.with { sim in
            let token = try await sim.adminToken()
            let organization = try await sim.graph("GET", "/organization?$select=id,displayName,verifiedDomains", token: token)
            #expect(organization.status == 200)
            let tenant = try #require(organization.json["value"].array?.first)
            #expect(tenant["id"].string == SimulatedTenant.tenantID)
            #expect(tenant["verifiedDomains"].array?.count == 2)
            #expect(tenant["tenantType"].isNull)  // not selected
            let roles = try await sim.graph(
                "GET", "/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true&$select=displayName,roleTemplateId",
                token: token, headers: ["ConsistencyLevel": "eventual"])
            #expect(roles.json["@odata.count"].number == 1)
            #expect(roles.json["value"].array?.first?["displayName"].string == "Global Administrator")
            #expect(roles.json["value"].array?.first?["roleTemplateId"].string == "62e90394-69f5-4237-9190-012177145e10")
        }
    }

    @Test("an OData cast on transitiveMemberOf needs ConsistencyLevel: eventual and $count=true")
    func transitiveMemberOfCastIsAnAdvancedQuery() async throws {
        try await Simulator.with { sim in
            let token = try await sim.adminToken()
            let path = "/me/transitiveMemberOf/microsoft.graph.directoryRole"
            for (query, headers) in [
                ("?$select=displayName", [:]), ("?$count=true", [:]), ("", ["ConsistencyLevel": "eventual"]),
            ] {
                let refused = try await sim.graph("GET", path + query, token: token, headers: headers)
                #expect(refused.status == 400, "\(query) \(headers)")
                #expect(refused.json["error"]["code"].string == "Request_UnsupportedQuery")
            }
            let answered = try await sim.graph(
                "GET", path + "?$count=true", token: token, headers: ["ConsistencyLevel": "eventual"])
            #expect(answered.status == 200)
        }
    }

    @Test("application upsert by uniqueName: 201 new, 204 existing, 404 without the Prefer header")
    func applicationUpsert() async throws {
        try await Simulator.with { sim in
            let token = try await sim.adminToken()
            let before = await sim.tenant.applications().count
            let body: JSONValue = ["displayName": "Mailscope Sync", "signInAudience": "AzureADMyOrg", "notes": "v1"]
            let missing = try await sim.graph("PATCH", "/applications(uniqueName='mailscope-sync')", token: token, json: body)
            #expect(missing.status == 404)
            #expect(missing.json["error"]["code"].string == "Request_ResourceNotFound")
            let created = try await sim.graph(
                "PATCH", "/applications(uniqueName='mailscope-sync')", token: token, json: body,
                headers: ["Prefer": "create-if-missing"])
            #expect(created.status == 201)
            #expect(created.json["uniqueName"].string == "mailscope-sync")
            let again = try await sim.graph(
                "PATCH", "/applications(uniqueName='mailscope-sync')", token: token,
                json: ["displayName": "Mailscope Sync", "notes": "v2"], headers: ["Prefer": "create-if-missing"])
            #expect(again.status == 204)
            #expect(again.body.isEmpty)
            #expect(await sim.tenant.applications().count == before + 1)
            let read = try await sim.graph("GET", "/applications(uniqueName='mailscope-sync')", token: token)
            #expect(read.json["notes"].string == "v2")
            let byAppID = try await sim.graph("GET", "/applications(appId='\(created.json["appId"].string ?? "")')", token: token)
            #expect(byAppID.json["id"] == created.json["id"])
            let filtered = try await sim.graph(
                "GET", "/applications?$filter=" + Simulator.encode("displayName eq 'Mailscope Sync'"), token: token)
            #expect(filtered.json["value"].array?.count == 1)
            let unknownProperty = try await sim.graph(
                "PATCH", "/applications(uniqueName='mailscope-sync')", token: token, json: ["colour": "blue"])
            #expect(unknownProperty.status == 400)
        }
    }

    @Test("addPassword, then client credentials as the new app; removePassword revokes it")
    func addPasswordThenSignIn() async throws {
        try await Simulator.with { sim in
            let token = try await sim.adminToken()
            let created = try await sim.graph(
                "PATCH", "/applications(uniqueName='svc')", token: token, json: ["displayName": "Service"],
                headers: ["Prefer": "create-if-missing"])
            let id = try #require(created.json["id"].string)
            let appID = try #require(created.json["appId"].string)
            let noSP = try await sim.graph("GET", "/servicePrincipals(appId='\(appID)')", token: token)
            #expect(noSP.status == 404)
            let secret = try await sim.graph(
                "POST", "/applications/\(id)/addPassword", token: token,
                json: ["passwordCredential": ["displayName": "mailscope", "endDateTime": "2030-01-01T00:00:00Z"]])
            #expect(secret.status == 200)
            let text = try #require(secret.json["secretText"].string)
            #expect(secret.json["hint"].string == String(text.prefix(3)))
            #expect(secret.json["endDateTime"].string == "2030-01-01T00:00:00Z")
            // Without a service principal the tenant refuses the app.
            let withoutSP = try await sim.send(
                "POST", sim.endpoints.tokenURL().absoluteString,
                form: ["grant_type": "client_credentials", "client_id": appID, "client_secret": text, "scope": sim.endpoints.graphScope])
            #expect(withoutSP.json["error_codes"].array?.first?.number == 7_000_229)
            let sp = try await sim.graph(
                "PATCH", "/servicePrincipals(appId='\(appID)')", token: token, json: [:], headers: ["Prefer": "create-if-missing"])
            #expect(sp.status == 201)
            #expect(sp.json["appId"].string == appID)
            let spAgain = try await sim.graph(
                "PATCH", "/servicePrincipals(appId='\(appID)')", token: token, json: [:], headers: ["Prefer": "create-if-missing"])
            #expect(spAgain.status == 204)
            _ = try await sim.appToken(appID: appID, secret: text, scope: sim.endpoints.graphScope)
            // The secret is never readable again.
            let read = try await sim.graph("GET", "/applications/\(id)", token: token)
            let credential = try #require(read.json["passwordCredentials"].array?.first)
            #expect(credential["secretText"].isNull)
            let removed = try await sim.graph(
                "POST", "/applications/\(id)/removePassword", token: token, json: ["keyId": credential["keyId"]])
            #expect(removed.status == 204)
            await #expect(throws: TestFailure.self) {
                _ = try await sim.appToken(appID: appID, secret: text, scope: sim.endpoints.graphScope)
            }
        }
    }

    @Test("resource service principals carry the real app role ids; grants can be listed, added and removed")
    func resourceServicePrincipalsAndGrants() async throws {
        try await Simulator.with { sim in
            let (app, graph, _) = try await sim.automation()
            let resource = try await sim.graph(
                "GET", "/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')?$select=id,appId,displayName,appRoles",
                token: graph)
            let roles = resource.json["appRoles"].array ?? []
            #expect(roles.contains { $0["value"].string == "Calendars.ReadWrite" && $0["id"].string == "ef54d2bf-783f-4e0f-bca1-3210c0444d99" })
            #expect(roles.contains { $0["value"].string == "Mail.Read" && $0["id"].string == "810c84a8-4a9e-49e6-bf7d-12d183f40d01" })
            let exchange = try await sim.graph(
                "GET", "/servicePrincipals(appId='00000002-0000-0ff1-ce00-000000000000')", token: graph)
            #expect(exchange.json["appRoles"].array?.contains { $0["id"].string == "dc890d15-9560-4a4c-9b7f-a736ec74ec40" } == true)
            let resourceID = try #require(resource.json["id"].string)
            let added = try await sim.graph(
                "POST", "/servicePrincipals/\(resourceID)/appRoleAssignedTo", token: graph,
                json: [
                    "principalId": .string(app.servicePrincipalID), "resourceId": .string(resourceID),
                    "appRoleId": "798ee544-9d2d-430c-a058-570e29e34338",
                ])
            #expect(added.status == 201)
            let list = try await sim.graph("GET", "/servicePrincipals/\(app.servicePrincipalID)/appRoleAssignments", token: graph)
            let calendars = try #require(list.json["value"].array?.first { $0["appRoleId"].string == "798ee544-9d2d-430c-a058-570e29e34338" })
            #expect(calendars["resourceDisplayName"].string == "Microsoft Graph")
            let deleted = try await sim.graph(
                "DELETE", "/servicePrincipals/\(app.servicePrincipalID)/appRoleAssignments/\(calendars["id"].string ?? "")",
                token: graph)
            #expect(deleted.status == 204)
            #expect(await sim.tenant.grants(appID: app.appID).contains { $0.permission == "Calendars.Read" } == false)
        }
    }

    @Test("group members page with $top and absolute nextLinks carrying a $skiptoken")
    func memberPaging() async throws {
        try await Simulator.with { sim in
            let token = try await sim.adminToken()
            let group = try #require(await sim.tenant.group("allstaff"))
            var url: String? = sim.endpoints.graph.absoluteString
                + "/v1.0/groups/\(group.id)/members?$select=id,displayName,userPrincipalName,mail&$top=4"
            var pages = 0
            var seen: [String] = []
            while let next = url {
                let reply = try await sim.send("GET", next, headers: ["Authorization": "Bearer \(token)"])
                #expect(reply.status == 200)
                pages += 1
                for member in reply.json["value"].array ?? [] {
                    seen.append(member["id"].string ?? "")
                    #expect(member["@odata.type"].string == "#microsoft.graph.user")
                    #expect(member["proxyAddresses"].isNull)
                }
                url = reply.json["@odata.nextLink"].string
                if let link = url {
                    #expect(link.hasPrefix(sim.endpoints.graph.absoluteString))
                    #expect(link.contains("$skiptoken="))
                }
            }
            #expect(pages == 3)
            #expect(seen.count == 11)
            #expect(Set(seen).count == 11)
            let tooBig = try await sim.graph("GET", "/groups/\(group.id)/members?$top=1000", token: token)
            #expect(tooBig.status == 400)
        }
    }

    @Test("$batch runs inner requests through the router: an inner 404 does not fail the batch")
    func batch() async throws {
        try await Simulator.with { sim in
            let token = try await sim.adminToken()
            let reply = try await sim.graph(
                "POST", "/$batch", token: token,
                json: [
                    "requests": [
                        ["id": "1", "method": "GET", "url": "/organization?$select=id"],
                        ["id": "2", "method": "GET", "url": "/applications(uniqueName='missing')"],
                        [
                            "id": "3", "method": "GET",
                            "url": .string("/users?$filter=" + Simulator.encode("proxyAddresses/any(p:p eq 'smtp:avery.adams@contoso.com')")),
                        ],
                    ]
                ])
            #expect(reply.status == 200)
            let responses = reply.json["responses"].array ?? []
            #expect(responses.map { $0["id"].string ?? "" } == ["1", "2", "3"])
            #expect(responses[0]["status"].number == 200)
            #expect(responses[1]["status"].number == 404)
            #expect(responses[1]["body"]["error"]["code"].string == "Request_ResourceNotFound")
            #expect(responses[2]["body"]["value"].array?.count == 1)
            let tooMany = try await sim.graph(
                "POST", "/$batch", token: token,
                json: ["requests": .array((0..<21).map { ["id": .string("\($0)"), "method": "GET", "url": "/organization"] })])
            #expect(tooMany.status == 400)
        }
    }

    @Test("proxyAddresses filter: an alias resolves to the user whose primary differs")
    func aliasFilter() async throws {
        try await Simulator.with { sim in
            let token = try await sim.adminToken()
            // User #1 (Blake Adams) has the alias badams@contoso.com.
            let filter = Simulator.encode("proxyAddresses/any(p:p eq 'smtp:BAdams@contoso.com')")
            let reply = try await sim.graph(
                "GET", "/users?$filter=\(filter)&$select=id,displayName,userPrincipalName,mail,proxyAddresses", token: token)
            let user = try #require(reply.json["value"].array?.first)
            #expect(user["mail"].string == "blake.adams@contoso.com")
            #expect(user["proxyAddresses"].strings.contains("SMTP:blake.adams@contoso.com"))
            #expect(user["proxyAddresses"].strings.contains("smtp:badams@contoso.com"))
            let none = try await sim.graph(
                "GET", "/users?$filter=" + Simulator.encode("proxyAddresses/any(p:p eq 'smtp:nobody@contoso.com')"), token: token)
            #expect(none.json["value"].array?.isEmpty == true)
            let unsupported = try await sim.graph("GET", "/users?$filter=" + Simulator.encode("city eq 'Paris'"), token: token)
            #expect(unsupported.status == 400)
            #expect(unsupported.json["error"]["code"].string == "Request_UnsupportedQuery")
            let group = try await sim.graph(
                "GET", "/groups?$filter=" + Simulator.encode("mailNickname eq 'meetingrooms'"), token: token)
            #expect(group.json["value"].array?.first?["groupTypes"].array?.isEmpty == true)
        }
    }

    @Test("Graph creates Microsoft 365 groups but refuses to write distribution lists")
    func groupWrites() async throws {
        try await Simulator.with { sim in
            let token = try await sim.adminToken()
            let created = try await sim.graph(
                "POST", "/groups", token: token,
                json: [
                    "displayName": "Calendar Sync", "mailNickname": "calendarsync", "mailEnabled": true,
                    "securityEnabled": false, "groupTypes": ["Unified"],
                ])
            #expect(created.status == 201)
            let id = try #require(created.json["id"].string)
            let room = try #require(await sim.tenant.rooms().first)
            let added = try await sim.graph(
                "POST", "/groups/\(id)/members/$ref", token: token,
                json: ["@odata.id": .string("\(sim.endpoints.graph.absoluteString)/v1.0/directoryObjects/\(room.id)")])
            #expect(added.status == 204)
            let duplicate = try await sim.graph(
                "POST", "/groups/\(id)/members/$ref", token: token,
                json: ["@odata.id": .string("\(sim.endpoints.graph.absoluteString)/v1.0/directoryObjects/\(room.id)")])
            #expect(duplicate.status == 400)
            #expect(duplicate.json["error"]["message"].string?.contains("already exist") == true)
            let dl = try #require(await sim.tenant.group("meetingrooms"))
            let refused = try await sim.graph(
                "POST", "/groups/\(dl.id)/members/$ref", token: token,
                json: ["@odata.id": .string("\(sim.endpoints.graph.absoluteString)/v1.0/directoryObjects/\(room.id)")])
            #expect(refused.status == 400)
            let mailDL = try await sim.graph(
                "POST", "/groups", token: token,
                json: ["displayName": "DL", "mailNickname": "dl", "mailEnabled": true, "securityEnabled": false, "groupTypes": []])
            #expect(mailDL.status == 400)
        }
    }

    @Test("replication lag: a new object answers 404 on reads for a while")
    func replicationLag() async throws {
        try await Simulator.with(SimulatorOptions(replicationLag: .seconds(30))) { sim in
            let token = try await sim.adminToken()
            let created = try await sim.graph(
                "PATCH", "/applications(uniqueName='lagging')", token: token, json: ["displayName": "Lagging"],
                headers: ["Prefer": "create-if-missing"])
            #expect(created.status == 201)
            let appID = try #require(created.json["appId"].string)
            #expect(try await sim.graph("GET", "/applications(uniqueName='lagging')", token: token).status == 404)
            let sp = try await sim.graph(
                "PATCH", "/servicePrincipals(appId='\(appID)')", token: token, json: [:], headers: ["Prefer": "create-if-missing"])
            #expect(sp.status == 400)
            #expect(sp.json["error"]["details"].array?.first?["code"].string == "NoBackingApplicationObject")
            try await sim.advance(.seconds(31))
            #expect(try await sim.graph("GET", "/applications(uniqueName='lagging')", token: token).status == 200)
        }
    }

    @Test("throttling at rate 1.0: 429 with Retry-After and Graph's TooManyRequests body")
    func throttling() async throws {
        try await Simulator.with(SimulatorOptions(throttleRate: 1.0, retryAfterSeconds: 7)) { sim in
            let reply = try await sim.send("GET", "/graph/v1.0/organization", headers: ["client-request-id": "abc-123"])
            #expect(reply.status == 429)
            #expect(reply.header("retry-after") == "7")
            #expect(reply.json["error"]["code"].string == "TooManyRequests")
            #expect(reply.header("client-request-id") == "abc-123")
            #expect(reply.header("request-id") != nil)
            // Sign-in is not throttled; inside a $batch each request is throttled on its own.
            let (_, graph, _) = try await sim.automation()
            let batch = try await sim.graph(
                "POST", "/$batch", token: graph, json: ["requests": [["id": "a", "method": "GET", "url": "/users?$top=1"]]])
            #expect(batch.status == 200)
            #expect(batch.json["responses"].array?.first?["status"].number == 429)
            #expect(batch.json["responses"].array?.first?["headers"]["Retry-After"].string == "7")
            let exchange = try await sim.invoke("Get-ManagementScope", token: "x")
            #expect(exchange.status == 429)
            #expect(exchange.header("retry-after") == "7")
        }
    }

    @Test("a delegated caller without an application admin role may read but not write")
    func insufficientPrivileges() async throws {
        var options = SimulatorOptions()
        options.admin.directoryRoles = ["Global Reader"]
        try await Simulator.with(options) { sim in
            let token = try await sim.adminToken()
            #expect(try await sim.graph("GET", "/applications", token: token).status == 200)
            let write = try await sim.graph(
                "PATCH", "/applications(uniqueName='x')", token: token, json: ["displayName": "X"],
                headers: ["Prefer": "create-if-missing"])
            #expect(write.status == 403)
            #expect(write.json["error"]["code"].string == "Authorization_RequestDenied")
            let exchangeToken = try await sim.adminToken(scope: sim.endpoints.exchangeScope)
            // Exchange refuses the cmdlet with 401 "User is not allowed to call" (office-docs-powershell #8058).
            let cmdlet = try await sim.invoke("Get-ManagementScope", token: exchangeToken)
            #expect(cmdlet.status == 401)
            #expect(cmdlet.json["error"]["message"].string == "User is not allowed to call Get-ManagementScope")
        }
    }
}
