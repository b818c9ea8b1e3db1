import Foundation
import MailscopeCore
import MailscopeCurl
import MailscopeEngine
import TenantSimulator
import Testing

@Suite("Least privilege", .serialized)
struct LeastPrivilegeTests {
    @Test func anUnscopedAssignmentIsFoundAndRemoved() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        #expect(try await harness.apply(harness.config()) == .verified)
        let sp = try #require(
            await harness.tenant.exchangeServicePrincipals().first { $0.displayName == "workable_service" }
        )
        // Someone assigns a role with no scope: the app now reaches every mailbox.
        let automation = try await harness.tenant.registerAutomationApp(graphPermissions: [
            "RoleManagement.ReadWrite.Exchange"
        ])
        let token = try await clientCredentialsToken(harness, appID: automation.appID, secret: automation.clientSecret)
        var request = HTTPRequest(
            method: "GET",
            url: URL(
                string:
                    "\(harness.endpoints.graph.absoluteString)/beta/roleManagement/exchange/roleDefinitions?$filter=displayName%20eq%20'Application%20Mail.Read'"
            )!
        )
        request.setHeader("Authorization", "Bearer \(token)")
        let definitions = try JSONValue.parse(try await CurlTransport().send(request).body)
        let definition = try #require(definitions["value"].array?.first?["id"].string)
        var post = HTTPRequest(
            method: "POST",
            url: URL(string: "\(harness.endpoints.graph.absoluteString)/beta/roleManagement/exchange/roleAssignments")!,
            body: JSONValue.object([
                "roleDefinitionId": .string(definition), "principalId": .string("/ServicePrincipals/\(sp.objectId)"),
                "directoryScopeId": "/",
            ]).encoded()
        )
        post.setHeader("Authorization", "Bearer \(token)")
        post.setHeader("Content-Type", "application/json")
        #expect(try await CurlTransport().send(post).status == 201)

        let reports = try await harness.engine(harness.config()).check()
        #expect(reports.report(.scope)?.status == .needsChange)
        #expect(
            reports.report(.scope)?.changes.contains {
                $0.summary.contains("unscoped assignment of Application Mail.Read")
            } == true
        )
        #expect(try await harness.apply(harness.config()) == .verified)
        #expect(await harness.tenant.roleAssignments().allSatisfy { $0.customResourceScope != nil })
    }

    private func clientCredentialsToken(_ harness: Harness, appID: String, secret: String) async throws -> String {
        var form = HTTPRequest(
            method: "POST",
            url: URL(
                string: "\(harness.endpoints.login.absoluteString)/\(SimulatedTenant.tenantID)/oauth2/v2.0/token"
            )!,
            body: Data(
                "grant_type=client_credentials&client_id=\(appID)&client_secret=\(secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&scope=\(harness.endpoints.graph.absoluteString)/.default"
                    .utf8
            )
        )
        form.setHeader("Content-Type", "application/x-www-form-urlencoded")
        return try JSONValue.parse(try await CurlTransport().send(form).body)["access_token"].string ?? ""
    }
}
