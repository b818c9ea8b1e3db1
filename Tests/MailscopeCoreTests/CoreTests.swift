import Foundation
import MailscopeCore
import Testing

@Suite("Core primitives")
struct CoreTests {
    @Test(arguments: [
        "https://graph.microsoft.com", "http://127.0.0.1:8080/x", "http://localhost/", "http://[::1]:9/",
        "http://127.5.0.1/",
    ])
    func allowedURLs(_ text: String) { #expect(EndpointPolicy.violation(for: URL(string: text)!) == nil) }

    @Test(arguments: [
        "http://graph.microsoft.com", "http://10.0.0.1/", "ftp://127.0.0.1/", "http://127.0.0.1.evil.com/",
        "file:///etc/passwd",
    ])
    func refusedURLs(_ text: String) { #expect(EndpointPolicy.violation(for: URL(string: text)!) != nil) }

    @Test func secretsDoNotPrint() {
        let secret = Secret("hunter2-very-secret")
        #expect("\(secret)" == "‹redacted›")
        #expect(String(reflecting: secret) == "‹redacted›")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
    }

    @Test func redactorRemovesTokensAndSecretFields() {
        let text =
            #"client_id=abc&client_secret=s3cr3t&scope=x Authorization: Bearer eyJ0eXAiOiJKV1QifQ.eyJ0aWQiOiJ4In0.sig {"secretText":"ABC~def","hint":"ABC"}"#
        let clean = Redactor.redact(text)
        #expect(!clean.contains("s3cr3t"))
        #expect(!clean.contains("ABC~def"))
        #expect(!clean.contains("eyJ0aWQiOiJ4In0"))
        #expect(clean.contains("client_id=abc"))
        #expect(clean.contains("\"hint\":\"ABC\""))
    }

    @Test func privateFilesAre0600AndAtomic() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mailscope-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("state/journal.json")
        try PrivateFiles.write(Data("one".utf8), to: url)
        try PrivateFiles.write(Data("two".utf8), to: url)
        #expect(PrivateFiles.permissions(of: url) == 0o600)
        #expect(PrivateFiles.permissions(of: url.deletingLastPathComponent()) == 0o700)
        #expect(String(decoding: try Data(contentsOf: url), as: UTF8.self) == "two")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(leftovers == ["journal.json"])
    }

    @Test func immediateClockRunsTwoHoursAtOnce() async throws {
        let clock = WallClock.immediate()
        let start = clock.now
        try await clock.sleep(until: start.addingTimeInterval(7200))
        #expect(clock.now.timeIntervalSince(start) >= 7200)
    }

    @Test func jsonKeepsEveryKindApart() throws {
        let text = #"{"s":"123","n":123,"f":1.5,"t":true,"z":false,"x":null,"a":[1,"1",[],{}],"o":{"k":"v"}}"#
        let value = try JSONValue.parse(Data(text.utf8))
        #expect(value["s"] == .string("123"))
        #expect(value["n"] == .number(123))
        #expect(value["f"] == .number(1.5))
        #expect(value["t"] == .bool(true))
        #expect(value["z"] == .bool(false))
        #expect(value["x"] == .null)
        #expect(value["a"] == .array([.number(1), .string("1"), .array([]), .object([:])]))
        #expect(value["o"]["k"] == .string("v"))
        // 1 and 0 stay numbers, true and false stay booleans; a bare value parses; bad JSON throws.
        #expect(try JSONValue.parse(Data("[1,0,true,false]".utf8)) == [1, 0, true, false])
        #expect(try JSONValue.parse(Data("42".utf8)) == .number(42))
        // A number Foundation reads as a decimal is the nearest Double, and survives a round trip.
        let huge = try JSONValue.parse(Data("[-12345922337203685477580761234567]".utf8))
        #expect(huge == [.number(-1.2345922337203685e+31)])
        #expect(try JSONValue.parse(huge.encoded()) == huge)
        #expect(throws: (any Error).self) { try JSONValue.parse(Data(#"{"a":1"#.utf8)) }
    }

    @Test func jsonRoundTrips() throws {
        let value: JSONValue = ["a": [1, "b", true, nil], "n": 1.5]
        #expect(try JSONValue.parse(value.encoded()) == value)
    }
}
