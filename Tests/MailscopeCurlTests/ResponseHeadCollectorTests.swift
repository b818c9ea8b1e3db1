import Testing

@testable import MailscopeCurl

/// How header lines from libcurl become `HTTPResponse.headers`.
@Suite("ResponseHeadCollector")
struct ResponseHeadCollectorTests {
    private func collect(_ lines: [String]) -> [String: String] {
        var collector = ResponseHeadCollector()
        for line in lines { collector.consume(line: line) }
        return collector.headers
    }

    @Test("Names are lower-cased, values trimmed, the last repeated value wins")
    func basics() {
        let headers = collect([
            "HTTP/1.1 200 OK\r\n", "Content-Type:  application/json \r\n", "Set-Cookie: a=1\r\n",
            "set-cookie: b=2\r\n", "X-Empty:\r\n", "\r\n",
        ])
        #expect(headers == ["content-type": "application/json", "set-cookie": "b=2", "x-empty": ""])
    }

    @Test("Only the last response's fields remain after interim responses")
    func interimResponses() {
        let headers = collect([
            "HTTP/1.1 100 Continue\r\n", "X-Interim: yes\r\n", "\r\n",
            "HTTP/2 201 \r\n", "location: /items/1\r\n", "\r\n",
        ])
        #expect(headers == ["location": "/items/1"])
    }

    @Test("Folded continuation lines extend the previous field; junk lines are ignored")
    func foldingAndJunk() {
        let headers = collect([
            "HTTP/1.1 200 OK\r\n", "X-Long: first\r\n", "\t second\r\n", "no colon here\r\n", ": no name\r\n",
        ])
        #expect(headers == ["x-long": "first second"])
    }
}
