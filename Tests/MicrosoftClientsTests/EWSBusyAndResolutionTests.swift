import Foundation
import MailscopeCore
import Testing

@testable import MicrosoftClients

/// The EWS client picks the exact match of a `ResolveNames` answer and waits out `ErrorServerBusy`
/// (office-developer-exchange-docs `web-service-reference/resolvenames-operation.md`,
/// `exchange-web-services/ews-throttling-in-exchange.md`).
@Suite("EWS client: exact resolution and ErrorServerBusy")
struct EWSBusyAndResolutionTests {
    /// Answers with `bodies` in turn (the last one again once they run out), counting requests.
    final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var answers: [HTTPResponse]
        private var sent = 0

        init(_ answers: [HTTPResponse]) { self.answers = answers }

        var requests: Int { lock.withLock { sent } }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            lock.withLock {
                sent += 1
                return answers.count > 1 ? answers.removeFirst() : answers[0]
            }
        }
    }

    static func busy(backOff milliseconds: Int?) -> HTTPResponse {
        let hint = milliseconds.map {
            "<t:MessageXml xmlns:t=\"\(EWSNamespace.types)\"><t:Value Name=\"BackOffMilliseconds\">\($0)</t:Value></t:MessageXml>"
        }
        let body = """
            <s:Envelope xmlns:s="\(EWSNamespace.soap)"><s:Body><s:Fault>
            <faultcode xmlns:a="\(EWSNamespace.types)">a:ErrorServerBusy</faultcode>
            <faultstring xml:lang="en-US">The server cannot service this request right now. Try again later.</faultstring>
            <detail><e:ResponseCode xmlns:e="\(EWSNamespace.errors)">ErrorServerBusy</e:ResponseCode>
            <e:Message xmlns:e="\(EWSNamespace.errors)">The server cannot service this request right now. Try again later.</e:Message>\(hint ?? "")</detail>
            </s:Fault></s:Body></s:Envelope>
            """
        return HTTPResponse(status: 500, headers: ["Content-Type": "text/xml; charset=utf-8"], body: Data(body.utf8))
    }

    static let folder = HTTPResponse(
        status: 200, headers: ["Content-Type": "text/xml; charset=utf-8"],
        body: Data(
            """
            <s:Envelope xmlns:s="\(EWSNamespace.soap)"><s:Body><m:GetFolderResponse xmlns:m="\(EWSNamespace.messages)"
             xmlns:t="\(EWSNamespace.types)"><m:ResponseMessages><m:GetFolderResponseMessage ResponseClass="Success">
            <m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:CalendarFolder><t:FolderId Id="AQMk=" ChangeKey="AgAA"/>
            </t:CalendarFolder></m:Folders></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>
            """.utf8))

    static func client(_ transport: ScriptedTransport, clock: WallClock) -> EWSClient {
        EWSClient(
            url: URL(string: "https://mail.contoso.com/EWS/Exchange.asmx")!, authentication: nil,
            sender: RequestSender(transport: transport, clock: clock))
    }

    @Test func busyAnswersAreRetriedAfterTheirBackOffOnTheInjectedClock() async throws {
        let clock = WallClock.immediate()
        let transport = ScriptedTransport([Self.busy(backOff: 1500), Self.busy(backOff: 2500), Self.folder])
        let started = clock.now
        let folder = try await Self.client(transport, clock: clock).calendar().get()
        #expect(folder.id == "AQMk=")
        #expect(transport.requests == 3)
        #expect(clock.now.timeIntervalSince(started) == 4)
    }

    @Test func withoutABackOffHintTheSendersBackOffIsUsed() async throws {
        let clock = WallClock.immediate()
        let transport = ScriptedTransport([Self.busy(backOff: nil), Self.folder])
        let started = clock.now
        _ = try await Self.client(transport, clock: clock).calendar().get()
        #expect(clock.now.timeIntervalSince(started) == RetryPolicy.standard.baseDelay.timeInterval)
    }

    @Test func theRetriesAreBoundedInCountAndTime() async throws {
        let clock = WallClock.immediate()
        let endless = ScriptedTransport([Self.busy(backOff: 10_000)])
        var started = clock.now
        let error = await #expect(throws: EWSError.self) { try await Self.client(endless, clock: clock).calendar() }
        #expect(error == .serverBusy(retries: 3, waited: .seconds(30), requested: .seconds(10)))
        #expect(endless.requests == 1 + EWSClient.busyRetries)
        #expect(clock.now.timeIntervalSince(started) == 30)
        #expect(error?.description == "Exchange is busy (ErrorServerBusy): still busy after 3 retries over 30 s")

        // 25 s, then 25 s: a third wait of 25 s would pass the minute.
        let slow = ScriptedTransport([Self.busy(backOff: 25_000)])
        started = clock.now
        let late = await #expect(throws: EWSError.self) { try await Self.client(slow, clock: clock).calendar() }
        #expect(late == .serverBusy(retries: 2, waited: .seconds(50), requested: .seconds(25)))
        #expect(clock.now.timeIntervalSince(started) == 50)
        #expect(late?.description.contains("it asks to wait 25 s before the next try") == true)
    }

    @Test func theExactMatchIsTheCandidateHoldingTheAddress() {
        let rivera = EWSMailbox(
            name: "Sam Rivera", address: "sam.rivera@contoso.com", mailboxType: "Mailbox",
            addresses: ["sam.rivera@contoso.com", "sam.rivera@contoso.onmicrosoft.com", "sam@contoso.com.au"])
        let sam = EWSMailbox(name: "Sam", address: "sam@contoso.com", mailboxType: "Mailbox", addresses: ["sam@contoso.com"])
        #expect(EWSMailbox.exactMatch(of: "sam@contoso.com", in: [rivera, sam]) == sam)
        #expect(EWSMailbox.exactMatch(of: "SAM@contoso.com.au", in: [rivera, sam]) == rivera)
        #expect(EWSMailbox.exactMatch(of: "sam@contoso.co", in: [rivera, sam]) == nil)
        #expect(EWSMailbox.exactMatch(of: "sam@contoso.com", in: []) == nil)
    }
}
