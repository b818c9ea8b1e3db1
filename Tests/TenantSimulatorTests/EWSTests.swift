import Foundation
import MailscopeCore
import MailscopeCurl
import Testing

@testable import TenantSimulator

extension XMLNode {
    /// Every descendant (depth first) with local name `name`.
    func all(_ name: String) -> [XMLNode] {
        children.flatMap { ($0.name == name ? [$0] : []) + $0.all(name) }
    }

    /// The first descendant with local name `name`.
    func first(_ name: String) -> XMLNode? { all(name).first }
}

/// EWS calls over real HTTP with the project's libcurl transport.
struct EWSClient {
    let url: URL
    let transport = CurlTransport()

    static let password = OnPremisesTests.password
    static let service = HTTPAuthentication(scheme: .ntlm, username: "CONTOSO\\svc.calendar", password: Secret(password))

    /// A SOAP 1.1 envelope around `body`, with an `ExchangeImpersonation` header when `impersonating`
    /// names an account (`idType` is the ConnectingSID child).
    static func envelope(_ body: String, impersonating: String? = nil, idType: String = "PrimarySmtpAddress") -> String {
        var header = "<t:RequestServerVersion Version=\"Exchange2016\"/>"
        if let impersonating {
            header += "<t:ExchangeImpersonation><t:ConnectingSID><t:\(idType)>\(impersonating)</t:\(idType)></t:ConnectingSID></t:ExchangeImpersonation>"
        }
        return """
            <?xml version="1.0" encoding="utf-8"?>
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
                xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"
                xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
              <soap:Header>\(header)</soap:Header>
              <soap:Body>\(body)</soap:Body>
            </soap:Envelope>
            """
    }

    static func getFolder(_ id: String = "calendar", shape: String = "Default") -> String {
        "<m:GetFolder><m:FolderShape><t:BaseShape>\(shape)</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id=\"\(id)\"/></m:FolderIds></m:GetFolder>"
    }

    /// Posts `xml` with `authentication`.
    func post(_ xml: String, as authentication: HTTPAuthentication? = EWSClient.service, anchor: String? = nil) async throws
        -> HTTPResponse
    {
        var headers = [HTTPHeader(name: "Content-Type", value: "text/xml; charset=utf-8")]
        if let anchor { headers.append(HTTPHeader(name: "X-AnchorMailbox", value: anchor)) }
        return try await transport.send(
            HTTPRequest(method: "POST", url: url, headers: headers, body: Data(xml.utf8), authentication: authentication))
    }

    /// Calls an operation and parses the answer.
    func call(
        _ body: String, impersonating: String? = nil, idType: String = "PrimarySmtpAddress",
        as authentication: HTTPAuthentication? = EWSClient.service
    ) async throws -> (status: Int, xml: XMLNode) {
        let response = try await post(
            Self.envelope(body, impersonating: impersonating, idType: idType), as: authentication, anchor: impersonating)
        guard case .success(let root) = XMLNode.parse(response.body) else {
            throw TestFailure.unexpected("not XML: \(response.status) \(response.text)")
        }
        return (response.status, root)
    }
}

@Suite("Exchange Server EWS")
struct EWSTests {
    static let options = SimulatorOptions(propagationDelay: .seconds(3600))

    /// A simulator with the impersonation set-up propagated, and a client for its EWS endpoint.
    static func withService<T>(
        _ options: SimulatorOptions = EWSTests.options, scoped: Bool = true, propagated: Bool = true,
        _ body: (Simulator, EWSClient) async throws -> T
    ) async throws -> T {
        try await Simulator.with(options) { sim in
            try await OnPremisesTests.impersonationSetUp(sim.tenant, scoped: scoped)
            if propagated { try await sim.advance(.seconds(3601)) }
            return try await body(sim, EWSClient(url: sim.endpoints.ews))
        }
    }

    @Test("no credentials: 401 offering NTLM and Basic in one header; good passwords sign in, bad ones do not")
    func signIn() async throws {
        try await Self.withService { sim, client in
            #expect(sim.endpoints.ews.absoluteString == sim.endpoints.base.absoluteString + "/EWS/Exchange.asmx")
            let anonymous = try await client.post(EWSClient.envelope(EWSClient.getFolder()), as: nil)
            #expect(anonymous.status == 401)
            #expect(anonymous.header("www-authenticate") == "NTLM, Basic realm=\"127.0.0.1\"")
            #expect(anonymous.body.isEmpty)

            let ownCalendar = EWSClient.getFolder()
            for name in ["CONTOSO\\svc.calendar", "contoso.com\\svc.calendar", "svc.calendar@contoso.com"] {
                for scheme in [HTTPAuthentication.Scheme.ntlm, .basic] {
                    let good = HTTPAuthentication(scheme: scheme, username: name, password: Secret(EWSClient.password))
                    let (status, _) = try await client.call(ownCalendar, as: good)
                    #expect(status == 200, "\(scheme) \(name)")
                    let bad = HTTPAuthentication(scheme: scheme, username: name, password: Secret("Wr0ng!pass"))
                    let refused = try await client.post(EWSClient.envelope(ownCalendar), as: bad)
                    #expect(refused.status == 401, "\(scheme) \(name) with a wrong password")
                }
            }
            // A pre-populated account has no password; an unknown domain or account never signs in.
            for name in ["CONTOSO\\avery.adams", "FABRIKAM\\svc.calendar", "CONTOSO\\nobody"] {
                let refused = try await client.post(
                    EWSClient.envelope(ownCalendar),
                    as: HTTPAuthentication(scheme: .ntlm, username: name, password: Secret(EWSClient.password)))
                #expect(refused.status == 401, "\(name)")
            }
            try await sim.tenant.setPassword(user: "avery.adams@contoso.com", password: "Av3ry!pass")
            let avery = HTTPAuthentication(scheme: .ntlm, username: "CONTOSO\\avery.adams", password: Secret("Av3ry!pass"))
            #expect(try await client.call(ownCalendar, as: avery).status == 200)
            #expect(await sim.server.requestsByService["ews"] ?? 0 > 10)
        }
    }

    @Test("with Basic turned off, the challenge offers NTLM only and Basic credentials are refused")
    func basicOff() async throws {
        var options = Self.options
        options.ewsBasicAuthentication = false
        try await Self.withService(options) { sim, client in
            let anonymous = try await client.post(EWSClient.envelope(EWSClient.getFolder()), as: nil)
            #expect(anonymous.status == 401)
            #expect(anonymous.header("www-authenticate") == "NTLM")
            let basic = HTTPAuthentication(scheme: .basic, username: "CONTOSO\\svc.calendar", password: Secret(EWSClient.password))
            #expect(try await client.post(EWSClient.envelope(EWSClient.getFolder()), as: basic).status == 401)
            #expect(try await client.call(EWSClient.getFolder()).status == 200)
        }
    }

    @Test("the NTLM handshake belongs to its connection")
    func handshakePerConnection() async throws {
        let tenant = SimulatedTenant(options: Self.options, clock: .immediate())
        try await OnPremisesTests.impersonationSetUp(tenant)
        let context = RequestContext(
            options: Self.options, endpoints: SimulatorEndpoints(base: URL(string: "http://127.0.0.1:1")!), requestID: "",
            clientRequestID: "")
        func post(_ token: [UInt8], on connection: String, body: String = "") async -> WireResponse {
            await tenant.respond(
                to: WireRequest(
                    method: "POST", rawPath: "/EWS/Exchange.asmx", rawQuery: "",
                    headers: ["authorization": "NTLM " + Data(token).base64EncodedString()], body: Data(body.utf8),
                    connection: connection),
                context: context)
        }
        let challenge = await post(NTLMTestClient.negotiate, on: "127.0.0.1:5000")
        #expect(challenge.status == 401)
        #expect(challenge.keepsConnectionOpen)
        let header = try #require(challenge.headers["WWW-Authenticate"])
        #expect(header.hasPrefix("NTLM "))
        let type2 = try #require(Data(base64Encoded: String(header.dropFirst(5))).map(Array.init))
        let type3 = NTLMTestClient.authenticate(type2, user: "svc.calendar", domain: "CONTOSO", password: EWSClient.password)
        let body = EWSClient.envelope(EWSClient.getFolder())
        let elsewhere = await post(type3, on: "127.0.0.1:5001", body: body)
        #expect(elsewhere.status == 401)
        #expect(!elsewhere.keepsConnectionOpen)
        let signedIn = await post(type3, on: "127.0.0.1:5000", body: body)
        #expect(signedIn.status == 200, "\(String(decoding: signedIn.body, as: UTF8.self))")
        #expect(signedIn.headers["Content-Type"] == "text/xml; charset=utf-8")
        // The challenge is used once.
        #expect(await post(type3, on: "127.0.0.1:5000", body: body).status == 401)
        // The server challenges differ (seeded), NTLMv1 is refused.
        let second = await post(NTLMTestClient.negotiate, on: "127.0.0.1:5002")
        let secondType2 = try #require(
            second.headers["WWW-Authenticate"].flatMap { Data(base64Encoded: String($0.dropFirst(5))) }.map(Array.init))
        #expect(secondType2[24..<32] != type2[24..<32])
        let version1 = NTLMTestClient.authenticate(
            secondType2, user: "svc.calendar", domain: "CONTOSO", password: EWSClient.password, version1: true)
        #expect(await post(version1, on: "127.0.0.1:5002", body: body).status == 401)
    }

    @Test("GetFolder: the signed-in account's own calendar, with Exchange 2019's ServerVersionInfo")
    func ownCalendar() async throws {
        try await Self.withService { sim, client in
            let (status, xml) = try await client.call(EWSClient.getFolder())
            #expect(status == 200)
            let version = try #require(xml.first("ServerVersionInfo"))
            #expect(version.namespace == EWSNamespace.types)
            #expect(version.attributes["MajorVersion"] == "15" && version.attributes["MinorVersion"] == "2")
            #expect(version.attributes["MajorBuildNumber"] == "1544" && version.attributes["Version"] == "V2017_07_11")
            let message = try #require(xml.first("GetFolderResponseMessage"))
            #expect(message.namespace == EWSNamespace.messages)
            #expect(message.attributes["ResponseClass"] == "Success")
            #expect(message.first("ResponseCode")?.value == "NoError")
            let folder = try #require(message.first("CalendarFolder"))
            #expect(folder.namespace == EWSNamespace.types)
            #expect(folder.first("DisplayName")?.value == "Calendar")
            let id = try #require(folder.first("FolderId")?.attributes["Id"])
            #expect(folder.first("FolderId")?.attributes["ChangeKey"]?.isEmpty == false)
            // Stable per mailbox.
            let again = try await client.call(EWSClient.getFolder(shape: "IdOnly"))
            #expect(again.xml.first("FolderId")?.attributes["Id"] == id)
            #expect(again.xml.first("DisplayName") == nil)
            let inbox = try await client.call(EWSClient.getFolder("inbox"))
            #expect(inbox.xml.first("Folder")?.first("DisplayName")?.value == "Inbox")
            #expect(inbox.xml.first("FolderId")?.attributes["Id"] != id)
            let contacts = try await client.call(EWSClient.getFolder("contacts"))
            #expect(contacts.xml.first("ContactsFolder")?.first("DisplayName")?.value == "Contacts")
            _ = sim
        }
    }

    @Test("impersonation: in scope allowed, outside ErrorImpersonateUserDenied, no role ErrorImpersonationDenied")
    func impersonation() async throws {
        try await Self.withService { sim, client in
            let room = try await client.call(EWSClient.getFolder(), impersonating: "room-alder@contoso.com")
            #expect(room.status == 200)
            #expect(room.xml.first("GetFolderResponseMessage")?.attributes["ResponseClass"] == "Success")
            let own = try await client.call(EWSClient.getFolder())
            #expect(room.xml.first("FolderId")?.attributes["Id"] != own.xml.first("FolderId")?.attributes["Id"])
            for idType in ["SmtpAddress", "PrincipalName"] {
                let other = try await client.call(EWSClient.getFolder(), impersonating: "room-alder@contoso.com", idType: idType)
                #expect(other.status == 200, "\(idType)")
            }

            let outside = try await client.call(EWSClient.getFolder(), impersonating: "avery.adams@contoso.com")
            #expect(outside.status == 500)
            #expect(outside.xml.first("faultcode")?.value == "a:ErrorImpersonateUserDenied")
            #expect(outside.xml.first("faultstring")?.value == "The account does not have permission to impersonate the requested user.")
            let code = try #require(outside.xml.first("detail")?.first("ResponseCode"))
            #expect(code.namespace == EWSNamespace.errors && code.value == "ErrorImpersonateUserDenied")
            #expect(outside.xml.first("detail")?.first("Message")?.namespace == EWSNamespace.errors)
            // A room only in a nested group is outside the scope.
            let nested = try await client.call(EWSClient.getFolder(), impersonating: "room-elm@contoso.com")
            #expect(nested.xml.first("faultcode")?.value == "a:ErrorImpersonateUserDenied")

            let alias = try await client.call(EWSClient.getFolder(), impersonating: "alder.room@contoso.com")
            #expect(alias.status == 500)
            #expect(alias.xml.first("faultcode")?.value == "a:ErrorNonPrimarySmtpAddress")
            let primary = try #require(alias.xml.first("MessageXml")?.first("Value"))
            #expect(primary.attributes["Name"] == "Primary" && primary.value == "room-alder@contoso.com")
            #expect(try await client.call(EWSClient.getFolder(), impersonating: "alder.room@contoso.com", idType: "SmtpAddress").status == 200)

            let nobody = try await client.call(EWSClient.getFolder(), impersonating: "nobody@contoso.com")
            #expect(nobody.xml.first("faultcode")?.value == "a:ErrorNonExistentMailbox")
            // An empty ConnectingSID child fails schema validation; a SID names nobody here.
            let empty = try await client.call(EWSClient.getFolder(), impersonating: "")
            #expect(empty.xml.first("faultcode")?.value == "a:ErrorSchemaValidation")
            let sid = try await client.call(EWSClient.getFolder(), impersonating: "S-1-5-21-1-2-3-1104", idType: "SID")
            #expect(sid.xml.first("faultcode")?.value == "a:ErrorNonExistentMailbox")
            let notSID = try await client.call(EWSClient.getFolder(), impersonating: "room-alder", idType: "SID")
            #expect(notSID.xml.first("faultcode")?.value == "a:ErrorInvalidExchangeImpersonationHeaderData")

            try await sim.tenant.setPassword(user: "avery.adams@contoso.com", password: "Av3ry!pass")
            let avery = HTTPAuthentication(scheme: .ntlm, username: "avery.adams@contoso.com", password: Secret("Av3ry!pass"))
            let noRole = try await client.call(EWSClient.getFolder(), impersonating: "room-alder@contoso.com", as: avery)
            #expect(noRole.status == 500)
            #expect(noRole.xml.first("faultcode")?.value == "a:ErrorImpersonationDenied")
            #expect(noRole.xml.first("detail")?.first("ResponseCode")?.value == "ErrorImpersonationDenied")
        }
    }

    @Test("a new ApplicationImpersonation assignment is denied until the propagation delay has passed")
    func propagation() async throws {
        try await Self.withService(propagated: false) { sim, client in
            let before = try await client.call(EWSClient.getFolder(), impersonating: "room-alder@contoso.com")
            #expect(before.xml.first("faultcode")?.value == "a:ErrorImpersonationDenied")
            try await sim.advance(.seconds(3599))
            let almost = try await client.call(EWSClient.getFolder(), impersonating: "room-alder@contoso.com")
            #expect(almost.status == 500)
            try await sim.advance(.seconds(2))
            let after = try await client.call(EWSClient.getFolder(), impersonating: "room-alder@contoso.com")
            #expect(after.status == 200)

            // Adding the nested room to the scope's group propagates too.
            try await sim.tenant.addGroupMember(group: "meetingrooms", member: "room-elm@contoso.com")
            let pending = try await client.call(EWSClient.getFolder(), impersonating: "room-elm@contoso.com")
            #expect(pending.xml.first("faultcode")?.value == "a:ErrorImpersonateUserDenied")
            try await sim.advance(.seconds(3601))
            #expect(try await client.call(EWSClient.getFolder(), impersonating: "room-elm@contoso.com").status == 200)
        }
    }

    @Test("ExpandDL lists direct members (a nested group as PublicDL) from live membership")
    func expandDL() async throws {
        try await Self.withService(propagated: false) { sim, client in
            let request = "<m:ExpandDL><m:Mailbox><t:EmailAddress>meetingrooms@contoso.com</t:EmailAddress></m:Mailbox></m:ExpandDL>"
            let (status, xml) = try await client.call(request)
            #expect(status == 200)
            let message = try #require(xml.first("ExpandDLResponseMessage"))
            #expect(message.attributes["ResponseClass"] == "Success")
            let expansion = try #require(message.first("DLExpansion"))
            let mailboxes = expansion.all("Mailbox")
            let rooms = await sim.tenant.rooms()
            #expect(mailboxes.count == rooms.count)
            #expect(expansion.attributes["TotalItemsInView"] == String(rooms.count))
            #expect(expansion.attributes["IncludesLastItemInRange"] == "true")
            #expect(expansion.attributes["IndexedPagingOffset"] == String(rooms.count))
            #expect(mailboxes.first?.first("EmailAddress")?.value == "room-alder@contoso.com")
            #expect(mailboxes.first?.first("Name")?.value == "Room Alder")
            #expect(mailboxes.first?.first("RoutingType")?.value == "SMTP")
            #expect(mailboxes.first?.first("MailboxType")?.value == "Mailbox")
            #expect(mailboxes.last?.first("EmailAddress")?.value == "annexrooms@contoso.com")
            #expect(mailboxes.last?.first("MailboxType")?.value == "PublicDL")
            #expect(!mailboxes.contains { $0.first("EmailAddress")?.value == "room-elm@contoso.com" })

            // Live: a new member shows at once, although the scope's change is still propagating.
            try await sim.tenant.addGroupMember(group: "meetingrooms", member: "avery.adams@contoso.com")
            let live = try await client.call(request)
            #expect(live.xml.all("Mailbox").last?.first("EmailAddress")?.value == "avery.adams@contoso.com")

            for address in ["nobody@contoso.com", "avery.adams@contoso.com"] {
                let missing = try await client.call(
                    "<m:ExpandDL><m:Mailbox><t:EmailAddress>\(address)</t:EmailAddress></m:Mailbox></m:ExpandDL>")
                #expect(missing.status == 200)
                let error = try #require(missing.xml.first("ExpandDLResponseMessage"))
                #expect(error.attributes["ResponseClass"] == "Error")
                #expect(error.first("ResponseCode")?.value == "ErrorNameResolutionNoResults")
                #expect(error.first("MessageText")?.value.isEmpty == false)
                #expect(error.first("DescriptiveLinkKey")?.value == "0")
            }
        }
    }

    @Test("ResolveNames answers an alias with the primary address")
    func resolveNames() async throws {
        try await Self.withService(propagated: false) { _, client in
            func resolve(_ entry: String) async throws -> XMLNode {
                let (status, xml) = try await client.call(
                    "<m:ResolveNames ReturnFullContactData=\"false\"><m:UnresolvedEntry>\(entry)</m:UnresolvedEntry></m:ResolveNames>")
                #expect(status == 200)
                return try #require(xml.first("ResolveNamesResponseMessage"))
            }
            for entry in ["alder.room@contoso.com", "SMTP:alder.room@contoso.com", "room-alder@contoso.com"] {
                let message = try await resolve(entry)
                #expect(message.attributes["ResponseClass"] == "Success", "\(entry)")
                let mailbox = try #require(message.first("Resolution")?.first("Mailbox"))
                #expect(mailbox.first("EmailAddress")?.value == "room-alder@contoso.com")
                #expect(mailbox.first("RoutingType")?.value == "SMTP")
                #expect(mailbox.first("MailboxType")?.value == "Mailbox")
                #expect(message.first("ResolutionSet")?.attributes["TotalItemsInView"] == "1")
            }
            let group = try await resolve("meetingrooms@contoso.com")
            #expect(group.first("MailboxType")?.value == "PublicDL")
            let none = try await resolve("nobody@contoso.com")
            #expect(none.attributes["ResponseClass"] == "Error")
            #expect(none.first("ResponseCode")?.value == "ErrorNameResolutionNoResults")
        }
    }

    @Test("malformed XML, a non-SOAP body and unsupported operations are faults; the server keeps serving")
    func faults() async throws {
        try await Self.withService(propagated: false) { _, client in
            let malformed = try await client.post("<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>")
            #expect(malformed.status == 500)
            #expect(malformed.header("content-type") == "text/xml; charset=utf-8")
            #expect(malformed.text.contains("<faultcode xmlns:a=\"http://schemas.microsoft.com/exchange/services/2006/types\">a:ErrorSchemaValidation</faultcode>"))
            for body in ["", "not xml at all", "<html><body/></html>", "<?xml version=\"1.0\"?><a:b xmlns:a=\"urn:x\"/>"] {
                let response = try await client.post(body)
                #expect(response.status == 500, "\(body)")
                #expect(response.text.contains("a:ErrorSchemaValidation"), "\(body)")
            }
            let unsupported = try await client.call("<m:FindItem Traversal=\"Shallow\"/>")
            #expect(unsupported.status == 500)
            #expect(unsupported.xml.first("faultcode")?.value == "a:ErrorInvalidRequest")
            let badFolder = try await client.call(EWSClient.getFolder("nonsense"))
            #expect(badFolder.xml.first("faultcode")?.value == "a:ErrorSchemaValidation")
            #expect(badFolder.xml.first("detail")?.first("Message")?.value == "The request failed schema validation.")
            #expect(badFolder.xml.first("faultstring")?.value.hasPrefix("The request failed schema validation: ") == true)
            #expect(badFolder.xml.first("MessageXml")?.first("Violation") != nil)
            // Exchange 2019 refuses a RequestServerVersion its schema lacks.
            let newer = try await client.post(
                EWSClient.envelope(EWSClient.getFolder()).replacingOccurrences(of: "Exchange2016", with: "Exchange2019"))
            #expect(newer.status == 500)
            #expect(newer.text.contains("a:ErrorInvalidRequest"))
            let noFlag = try await client.call(
                "<m:ResolveNames><m:UnresolvedEntry>room-alder@contoso.com</m:UnresolvedEntry></m:ResolveNames>")
            #expect(noFlag.xml.first("faultcode")?.value == "a:ErrorSchemaValidation")
            // Any prefixes work.
            let prefixed = """
                <S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>
                <GetFolder xmlns="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:x="http://schemas.microsoft.com/exchange/services/2006/types">
                <FolderShape><x:BaseShape>IdOnly</x:BaseShape></FolderShape><FolderIds><x:DistinguishedFolderId Id="calendar"/></FolderIds>
                </GetFolder></S:Body></S:Envelope>
                """
            #expect(try await client.post(prefixed).status == 200)
            #expect(try await client.call(EWSClient.getFolder()).status == 200)
        }
    }
}
