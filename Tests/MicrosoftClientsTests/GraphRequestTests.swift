import Foundation
import MailscopeCore
import MicrosoftClients
import Testing

/// The typed Graph requests: each builder's path is the one the engine sent as a literal before
/// (byte for byte), each has its row in the wire contract, and its evidence line is the path an
/// admin reads.
@Suite("typed Graph requests")
struct GraphRequestTests {
    /// Every builder, with the path the engine built by hand before the builders existed.
    static let sent: [(GraphRequest, String)] = [
        (.organization(), "/v1.0/organization?$select=id,displayName,verifiedDomains,countryLetterCode"),
        (.me(), "/v1.0/me?$select=id"),
        (
            .myDirectoryRoles(),
            "/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true&$select=displayName,roleTemplateId"
        ),
        (
            .subscribedSkus(select: ["skuId", "skuPartNumber", "prepaidUnits", "consumedUnits"]),
            "/v1.0/subscribedSkus?$select=skuId,skuPartNumber,prepaidUnits,consumedUnits"
        ),
        (.application(id: "a b#c"), "/v1.0/applications/a%20b%23c"),
        (.application(id: "app1", select: ["keyCredentials"]), "/v1.0/applications/app1?$select=keyCredentials"),
        (.application(uniqueName: "mailscope-o'x"), "/v1.0/applications(uniqueName='mailscope-o''x')"),
        (
            .applications(displayName: "Mail Svc's"),
            "/v1.0/applications?$filter=displayName%20eq%20'Mail%20Svc''s'&$top=999"
        ),
        (.upsertApplication(uniqueName: "mailscope-x"), "/v1.0/applications(uniqueName='mailscope-x')"),
        (.updateApplication(id: "app1"), "/v1.0/applications/app1"),
        (.addPassword(application: "app1"), "/v1.0/applications/app1/addPassword"),
        (.removePassword(application: "app1"), "/v1.0/applications/app1/removePassword"),
        (
            .servicePrincipal(appID: "c1", select: ["id", "appId", "displayName"]),
            "/v1.0/servicePrincipals(appId='c1')?$select=id,appId,displayName"
        ),
        (.servicePrincipal(appID: "c1", select: ["id"]), "/v1.0/servicePrincipals(appId='c1')?$select=id"),
        (
            .servicePrincipal(id: "sp1", select: ["id", "appId", "displayName", "appRoles"]),
            "/v1.0/servicePrincipals/sp1?$select=id,appId,displayName,appRoles"
        ),
        (.upsertServicePrincipal(appID: "c1"), "/v1.0/servicePrincipals(appId='c1')"),
        (.appRoleAssignments(of: "sp1"), "/v1.0/servicePrincipals/sp1/appRoleAssignments"),
        (.deleteAppRoleAssignment("g 1", of: "sp1"), "/v1.0/servicePrincipals/sp1/appRoleAssignments/g%201"),
        (
            .user("svc#1@contoso.com", select: ["id", "userPrincipalName", "assignedLicenses", "usageLocation"]),
            "/v1.0/users/svc%231@contoso.com?$select=id,userPrincipalName,assignedLicenses,usageLocation"
        ),
        (.user("u1", select: ["id", "usageLocation"]), "/v1.0/users/u1?$select=id,usageLocation"),
        (
            .users(withAddress: "a b@contoso.com", select: ["id", "mail", "userPrincipalName"]),
            "/v1.0/users?$filter=proxyAddresses/any(p:p%20eq%20'smtp:a%20b@contoso.com')&$select=id,mail,userPrincipalName"
        ),
        (
            .users(select: ["id", "mail", "userPrincipalName", "userType", "assignedLicenses"], top: 999),
            "/v1.0/users?$select=id,mail,userPrincipalName,userType,assignedLicenses&$top=999"
        ),
        (.createUser(), "/v1.0/users"),
        (.updateUser("svc@contoso.com"), "/v1.0/users/svc@contoso.com"),
        (.assignLicense(to: "svc@contoso.com"), "/v1.0/users/svc@contoso.com/assignLicense"),
        (.calendar(of: "u1"), "/v1.0/users/u1/calendar?$select=id"),
        (.messages(of: "u1"), "/v1.0/users/u1/messages?$top=1&$select=id"),
        (.contacts(of: "u1"), "/v1.0/users/u1/contacts?$top=1&$select=id"),
        (.mailboxSettings(of: "u1"), "/v1.0/users/u1/mailboxSettings"),
        (
            .groups(select: ["displayName", "mailNickname"], top: 999),
            "/v1.0/groups?$select=displayName,mailNickname&$top=999"
        ),
        (.groups(mailNickname: "o'svc"), "/v1.0/groups?$filter=mailNickname%20eq%20'o''svc'"),
        (
            .groups(withAddress: "g@contoso.com", select: ["id", "mail"]),
            "/v1.0/groups?$filter=proxyAddresses/any(p:p%20eq%20'smtp:g@contoso.com')&$select=id,mail"
        ),
        (.createGroup(), "/v1.0/groups"),
        (
            .members(of: "g1", select: ["id", "mail", "userPrincipalName", "proxyAddresses"], top: 999),
            "/v1.0/groups/g1/members?$select=id,mail,userPrincipalName,proxyAddresses&$top=999"
        ),
        (.addMember(to: "g1"), "/v1.0/groups/g1/members/$ref"),
        (.customAppScopes(), "/beta/roleManagement/exchange/customAppScopes"),
        (
            .customAppScopes(displayName: "Scope 1"),
            "/beta/roleManagement/exchange/customAppScopes?$filter=displayName%20eq%20'Scope%201'"
        ),
        (.createCustomAppScope(), "/beta/roleManagement/exchange/customAppScopes"),
        (.updateCustomAppScope(id: "s1"), "/beta/roleManagement/exchange/customAppScopes/s1"),
        (.exchangeRoleDefinitions(), "/beta/roleManagement/exchange/roleDefinitions"),
        (
            .exchangeRoleAssignments(of: "sp1"),
            "/beta/roleManagement/exchange/roleAssignments?$filter=principalId%20eq%20'/ServicePrincipals/sp1'"
        ),
        (.createExchangeRoleAssignment(), "/beta/roleManagement/exchange/roleAssignments"),
        (.deleteExchangeRoleAssignment(id: "r1"), "/beta/roleManagement/exchange/roleAssignments/r1"),
    ]

    @Test func eachBuilderSendsThePathTheEngineSentBefore() {
        for (request, path) in Self.sent {
            #expect(request.path == path, "\(request.evidence)")
        }
    }

    @Test func eachBuilderHasItsRowInTheWireContract() {
        for (request, _) in Self.sent {
            var http = HTTPRequest(
                method: request.method,
                url: URL(string: "https://graph.microsoft.com" + request.path)!,
                headers: request.headers
            )
            http.setHeader("Authorization", "Bearer x")
            if ["POST", "PATCH"].contains(request.method) { http.setHeader("Content-Type", "application/json") }
            let path = request.path.components(separatedBy: "?")[0].removingPercentEncoding ?? ""
            #expect(WireContract.violation(of: http, service: .graph, path: path) == nil, "\(request.evidence)")
        }
    }

    @Test func onlyReadsUpsertsUpdatesDeletesAndAssignLicenseAreResent() {
        let resent = Self.sent.filter(\.0.idempotent).map(\.0.method)
        #expect(Set(resent) == ["GET", "PATCH", "DELETE", "POST"])
        #expect(
            Self.sent.filter { $0.0.method == "POST" && $0.0.idempotent }.map(\.0.path) == [
                "/v1.0/users/svc@contoso.com/assignLicense"
            ]
        )
        #expect(
            GraphRequest.upsertApplication(uniqueName: "x").headers == [
                HTTPHeader(name: "Prefer", value: "create-if-missing")
            ]
        )
        #expect(GraphRequest.myDirectoryRoles().headers == [GraphClient.eventualConsistency])
    }

    @Test func theEvidenceIsThePathAnAdminReads() {
        #expect(
            GraphRequest.servicePrincipal(appID: "c1", select: ["id"]).answered("200")
                == "GET /v1.0/servicePrincipals(appId='c1') → 200"
        )
        #expect(GraphRequest.user("svc#1@contoso.com", select: ["id"]).evidence == "GET /v1.0/users/svc#1@contoso.com")
        #expect(
            GraphRequest.applications(displayName: "Mail Svc").evidence
                == "GET /v1.0/applications?$filter=displayName eq 'Mail Svc'"
        )
        #expect(GraphRequest.organization().evidence == "GET /v1.0/organization")
        #expect(GraphRequest.subscribedSkus(select: ["skuId"]).evidence == "GET /v1.0/subscribedSkus")
        #expect(
            GraphRequest.groups(select: ["displayName", "mailNickname"], top: 999).evidence
                == "GET /v1.0/groups?$select=displayName,mailNickname"
        )
        #expect(
            GraphRequest.exchangeRoleAssignments(of: "sp1").evidence
                == "GET /beta/roleManagement/exchange/roleAssignments?$filter=principalId eq '/ServicePrincipals/sp1'"
        )
        #expect(
            GraphRequest.deleteExchangeRoleAssignment(id: "r1").description
                == "DELETE /beta/roleManagement/exchange/roleAssignments/r1"
        )
    }

    @Test func aBatchCarriesTheRequestBelowItsVersion() {
        let batched = BatchRequest(id: "3", .groups(withAddress: "g@contoso.com", select: ["id", "mail"]))
        #expect(batched.method == "GET")
        #expect(batched.url == "/groups?$filter=proxyAddresses/any(p:p%20eq%20'smtp:g@contoso.com')&$select=id,mail")
    }

    @Test func aReferenceNamesTheObjectUnderTheGraphBase() {
        let graph = GraphClient(
            base: URL(string: "https://graph.microsoft.com")!,
            tokens: CountingTokens(),
            sender: RequestSender(transport: ScriptedTransport([]), clock: .immediate())
        )
        #expect(graph.reference(.directoryObjects, id: "u1") == "https://graph.microsoft.com/v1.0/directoryObjects/u1")
        #expect(
            graph.reference(.servicePrincipals, id: "s1") == "https://graph.microsoft.com/v1.0/servicePrincipals/s1"
        )
    }

    @Test func aNextPageIsFollowedAsGraphGaveIt() {
        let link = "https://graph.microsoft.com/v1.0/users?$skiptoken=abc"
        #expect(GraphRequest.nextPage(link).path == link)
        #expect(GraphRequest.nextPage(link).idempotent)
    }
}
