import Foundation
import MailscopeCore
import Testing

@testable import MicrosoftClients

@Suite("EWS answers")
struct EWSResponseTests {
    static func response(_ status: Int, _ body: String, type: String = "text/xml; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": type], body: Data(body.utf8))
    }

    @Test func aSuccessfulGetFolderYieldsTheFolderAndServerVersion() throws {
        let body = """
            <?xml version="1.0" encoding="utf-8"?>
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>
            <h:ServerVersionInfo MajorVersion="15" MinorVersion="2" MajorBuildNumber="1544" MinorBuildNumber="4"
             xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/></s:Header>
            <s:Body><m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
             xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>
            <m:GetFolderResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>
            <m:Folders><t:CalendarFolder><t:FolderId Id="AQMk=" ChangeKey="AgAA"/></t:CalendarFolder></m:Folders>
            </m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>
            """
        let message = try EWSClient.interpret(Self.response(200, body)).get()
        #expect(message.first(named: "FolderId")?.attributes["Id"] == "AQMk=")
        #expect(message.serverVersion == "15.2.1544.4")
    }

    @Test func anImpersonationFaultCarriesItsResponseCode() throws {
        let body = """
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
            <faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorImpersonateUserDenied</faultcode>
            <faultstring xml:lang="en-US">The account does not have permission to impersonate the requested user.</faultstring>
            <detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorImpersonateUserDenied</e:ResponseCode>
            <e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">The account does not have permission to impersonate the requested user.</e:Message></detail>
            </s:Fault></s:Body></s:Envelope>
            """
        let result = try EWSClient.interpret(Self.response(500, body))
        guard case .failure(let error) = result else {
            Issue.record("a fault must be an EWS error")
            return
        }
        #expect(error.code == "ErrorImpersonateUserDenied")
        #expect(error.status == 500)
        #expect(error.message.contains("impersonate"))
    }

    @Test func aFaultWithoutDetailFallsBackToTheFaultCode() throws {
        let body = """
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>
            <faultcode>a:ErrorImpersonationDenied</faultcode><faultstring>no right</faultstring></soap:Fault></soap:Body></soap:Envelope>
            """
        guard case .failure(let error) = try EWSClient.interpret(Self.response(500, body)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == "ErrorImpersonationDenied")
        #expect(error.message == "no right")
    }

    @Test func aPerMessageErrorCarriesMessageXmlValues() throws {
        let body = """
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
            <m:GetFolderResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
             xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages>
            <m:GetFolderResponseMessage ResponseClass="Error"><m:MessageText>not primary</m:MessageText>
            <m:ResponseCode>ErrorNonPrimarySmtpAddress</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>
            <m:MessageXml><t:Value Name="Primary">alex@contoso.com</t:Value></m:MessageXml>
            </m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>
            """
        guard case .failure(let error) = try EWSClient.interpret(Self.response(200, body)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == "ErrorNonPrimarySmtpAddress")
        #expect(error.values["Primary"] == "alex@contoso.com")
    }

    @Test func a401NamesTheSchemesOffered() {
        let response = HTTPResponse(status: 401, headers: ["WWW-Authenticate": "Negotiate, NTLM, Basic realm=\"mail\""])
        #expect(throws: EWSError.unauthorized(offered: ["Negotiate", "NTLM", "Basic"])) {
            try EWSClient.interpret(response)
        }
    }

    @Test func answersThatAreNotEWSAreRefused() {
        #expect(throws: EWSError.self) { try EWSClient.interpret(Self.response(200, "<html>login</html>")) }
        #expect(throws: EWSError.self) { try EWSClient.interpret(Self.response(200, "<a><b></a>")) }
        #expect(throws: EWSError.self) { try EWSClient.interpret(Self.response(503, "busy", type: "text/plain")) }
        let bomb = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>&lol2;</s:Body></s:Envelope>
            """
        #expect(throws: EWSError.self) { try EWSClient.interpret(Self.response(200, bomb)) }
        let deep = String(repeating: "<a>", count: 500) + String(repeating: "</a>", count: 500)
        #expect(throws: EWSError.self) { try EWSClient.interpret(Self.response(200, deep)) }
        // Found by scripts/fuzz: an element name that is not UTF-8 made Foundation's XMLParser trap.
        let notUTF8 = HTTPResponse(status: 200, headers: ["Content-Type": "text/xml"], body: Data([0x3C, 0xF9, 0x73, 0x45, 0x45]))
        #expect(throws: EWSError.self) { try EWSClient.interpret(notUTF8) }
        // Found by scripts/fuzz: a processing instruction without data crashed XMLParser.
        #expect(throws: EWSError.self) { try EWSClient.interpret(Self.response(200, "<?xo?>\n<s:Envelope/>")) }
        #expect(throws: EWSError.self) { try EWSClient.interpret(Self.response(200, "<?xml ><?x?>")) }
    }

    @Test func requestValuesAreEscaped() {
        let envelope = EWSRequest.envelope(
            body: EWSRequest.expandDL("a&b<c>\"'@contoso.com\u{1}"),
            impersonating: "o'brien@contoso.com"
        )
        #expect(envelope.contains("a&amp;b&lt;c&gt;&quot;&apos;@contoso.com</t:EmailAddress>"))
        #expect(envelope.contains("<t:PrimarySmtpAddress>o&apos;brien@contoso.com</t:PrimarySmtpAddress>"))
        #expect(!envelope.contains("\u{1}"))
    }
}
