import Foundation
import MailscopeCore
import MailscopeCurl
import Testing

@testable import TenantSimulator

/// The organisation's EWS settings (Set-OrganizationConfig.md: -EwsEnabled, -EwsAllowedAppIDs) and
/// Exchange Online's EWS endpoint for app-only tokens: the switch, the allow list after its lag, and
/// the app's `Application EWS.AccessAsApp` assignment within its scope.
@Suite("Exchange Online's EWS settings and EWS as an app")
struct OrganizationEWSTests {
    static let kept = OrganizationEWS.prepopulatedAppID

    /// The target app with `Application EWS.AccessAsApp` scoped to Meeting Rooms, and its EWS token.
    static func ewsApp(
        _ sim: Simulator
    ) async throws -> (appID: String, exchange: String, token: () async throws -> String) {
        let (_, graph, exchange) = try await sim.automation()
        let target = try await ExchangeTests.targetApp(sim, graph: graph)
        let dn = try #require(await sim.tenant.group("meetingrooms")?.distinguishedName)
        _ = try await sim.rows(
            "New-ServicePrincipal",
            ["AppId": .string(target.appID), "ObjectId": .string(target.spID)],
            token: exchange
        )
        _ = try await sim.rows(
            "New-ManagementScope",
            ["Name": "Meeting rooms", "RecipientRestrictionFilter": .string("MemberOfGroup -eq \(dn.quoted)")],
            token: exchange
        )
        _ = try await sim.rows(
            "New-ManagementRoleAssignment",
            [
                "Name": "Target EWS", "Role": "Application EWS.AccessAsApp", "App": .string(target.spID),
                "CustomResourceScope": "Meeting rooms",
            ],
            token: exchange
        )
        let scope = sim.endpoints.exchangeScope
        return (
            target.appID, exchange, { try await sim.appToken(appID: target.appID, secret: target.secret, scope: scope) }
        )
    }

    /// `GetFolder` of `mailbox`'s calendar over Exchange Online's EWS with `token`: the status, and
    /// the answer's XML when there is one.
    static func calendar(
        _ sim: Simulator,
        of mailbox: String,
        token: String
    ) async throws -> (status: Int, xml: XMLNode?) {
        let url = try #require(URL(string: sim.endpoints.exchange.absoluteString + "/EWS/Exchange.asmx"))
        let response = try await CurlTransport().send(
            HTTPRequest(
                method: "POST",
                url: url,
                headers: [
                    HTTPHeader(name: "Authorization", value: "Bearer \(token)"),
                    HTTPHeader(name: "Content-Type", value: "text/xml; charset=utf-8"),
                    HTTPHeader(name: "X-AnchorMailbox", value: mailbox),
                ],
                body: Data(EWSClient.envelope(EWSClient.getFolder(), impersonating: mailbox).utf8)
            )
        )
        guard case .success(let root) = XMLNode.parse(response.body) else { return (response.status, nil) }
        return (response.status, root)
    }

    @Test("Get-OrganizationConfig shows the list only with -RetrieveEwsOperationAccessPolicy; Set takes GUIDs or $null")
    func settings() async throws {
        try await Simulator.with { sim in
            let (_, _, exchange) = try await sim.automation()
            let plain = try #require(try await sim.rows("Get-OrganizationConfig", token: exchange).first)
            #expect(plain["EwsEnabled"].bool == true)
            #expect(plain["EwsAllowedAppIDs"] == nil || plain["EwsAllowedAppIDs"].isNull)
            let policy = try #require(
                try await sim.rows(
                    "Get-OrganizationConfig",
                    ["RetrieveEwsOperationAccessPolicy": true],
                    token: exchange
                ).first
            )
            #expect(policy["EwsAllowedAppIDs"].array?.compactMap(\.string) == [Self.kept])
            let bad = try await sim.invoke(
                "Set-OrganizationConfig",
                ["EwsAllowedAppIDs": "not-a-guid"],
                token: exchange
            )
            #expect(bad.status != 200)
            #expect(await sim.tenant.organizationEWSSettings().allowedAppIDs == [Self.kept])
            _ = try await sim.rows("Set-OrganizationConfig", ["EwsAllowedAppIDs": .null], token: exchange)
            #expect(await sim.tenant.organizationEWSSettings().allowedAppIDs.isEmpty)
            _ = try await sim.rows("Set-OrganizationConfig", ["EwsEnabled": .null], token: exchange)
            // Unset became False on 1 Oct 2026 (the test clock is in November 2026).
            let unset = try #require(try await sim.rows("Get-OrganizationConfig", token: exchange).first)
            #expect(unset["EwsEnabled"].bool == false)
        }
    }

    @Test("EWS lets the app in only once the list names it (after the lag), and only inside its scope")
    func allowListAndScope() async throws {
        let options = SimulatorOptions(propagationDelay: .seconds(60), ewsAllowListDelay: .seconds(1800))
        try await Simulator.with(options) { sim in
            let app = try await Self.ewsApp(sim)
            try await sim.advance(.seconds(61))
            let token = try await app.token()
            let blocked = try await Self.calendar(sim, of: "room-alder@contoso.com", token: token)
            #expect(blocked.status == 403, "the list names another app only")
            _ = try await sim.rows(
                "Set-OrganizationConfig",
                ["EwsAllowedAppIDs": .string("\(Self.kept),\(app.appID)")],
                token: app.exchange
            )
            #expect(
                try await Self.calendar(sim, of: "room-alder@contoso.com", token: token).status == 403,
                "within the lag"
            )
            try await sim.advance(.seconds(1800))
            let inside = try await Self.calendar(sim, of: "room-alder@contoso.com", token: token)
            #expect(inside.status == 200)
            #expect(inside.xml?.first("FolderId") != nil)
            let outside = try await Self.calendar(sim, of: "avery.adams@contoso.com", token: token)
            #expect(outside.status == 500)
            #expect(outside.xml?.first("ResponseCode")?.value == "ErrorAccessDenied")
            // full_access_as_app is tenant-wide: it voids the scope.
            try await sim.tenant.grantTenantWide(appID: app.appID, permission: "full_access_as_app")
            let wide = try await Self.calendar(sim, of: "avery.adams@contoso.com", token: try await app.token())
            #expect(wide.status == 200)
            // EwsEnabled False blocks every app whatever the list.
            _ = try await sim.rows("Set-OrganizationConfig", ["EwsEnabled": false], token: app.exchange)
            #expect(try await Self.calendar(sim, of: "room-alder@contoso.com", token: token).status == 403)
        }
    }
}
