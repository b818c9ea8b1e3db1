import Foundation
import MailscopeCore
import MicrosoftClients
import TenantSimulator
import Testing

/// The wire contract as data (issue 10): the table docs/wire-contract.md shows, and the rules the
/// engine suites' transport enforces on every request (`ContractCheckingTransport`).
@Suite("the wire contract")
struct WireContractTests {
    static let endpoints = SimulatorEndpoints(base: URL(string: "http://127.0.0.1:9")!)

    static func request(_ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil) -> HTTPRequest {
        HTTPRequest(
            method: method, url: URL(string: endpoints.graph.absoluteString + path)!,
            headers: headers.map { HTTPHeader(name: $0.key, value: $0.value) }, body: body.map { Data($0.utf8) })
    }

    @Test func aRequestWithoutItsRequiredHeadersOrQueryIsNamed() {
        let cast = "/v1.0/me/transitiveMemberOf/microsoft.graph.directoryRole"
        let bare = ContractCheckingTransport.violations(
            of: Self.request("GET", cast + "?$select=displayName", headers: ["Authorization": "Bearer x"]),
            endpoints: Self.endpoints)
        #expect(bare.first?.contains("ConsistencyLevel") == true)
        let noCount = ContractCheckingTransport.violations(
            of: Self.request(
                "GET", cast + "?$select=displayName", headers: ["Authorization": "Bearer x", "ConsistencyLevel": "eventual"]),
            endpoints: Self.endpoints)
        #expect(noCount.first?.contains("$count=true") == true)
        let good = ContractCheckingTransport.violations(
            of: Self.request(
                "GET", cast + "?$count=true&$select=displayName",
                headers: ["Authorization": "Bearer x", "ConsistencyLevel": "eventual"]),
            endpoints: Self.endpoints)
        #expect(good.isEmpty)
        let upsert = ContractCheckingTransport.violations(
            of: Self.request(
                "PATCH", "/v1.0/applications(uniqueName='mailscope-x')",
                headers: ["Authorization": "Bearer x", "Content-Type": "application/json"], body: "{}"),
            endpoints: Self.endpoints)
        #expect(upsert.first?.contains("Prefer") == true)
    }

    @Test func aRequestWithNoRowIsNamedInsideABatchToo() {
        let unknown = ContractCheckingTransport.violations(
            of: Self.request("GET", "/v1.0/drives", headers: ["Authorization": "Bearer x"]), endpoints: Self.endpoints)
        #expect(unknown.first?.contains("has no row") == true)
        let batch = ContractCheckingTransport.violations(
            of: Self.request(
                "POST", "/v1.0/$batch", headers: ["Authorization": "Bearer x", "Content-Type": "application/json"],
                body: #"{"requests":[{"id":"1","method":"GET","url":"/users?$filter=x"},{"id":"2","method":"GET","url":"/sites/root"}]}"#),
            endpoints: Self.endpoints)
        #expect(batch.count == 1)
        #expect(batch.first?.hasPrefix("inside $batch: GET /v1.0/sites/root") == true)
    }

    @Test func aCmdletIsMatchedByItsName() {
        var request = HTTPRequest(
            method: "POST", url: URL(string: Self.endpoints.exchange.absoluteString + "/adminapi/beta/t/InvokeCommand")!,
            headers: [
                HTTPHeader(name: "Authorization", value: "Bearer x"), HTTPHeader(name: "Content-Type", value: "application/json"),
                HTTPHeader(name: "X-CmdletName", value: "Remove-Mailbox"),
            ])
        request.body = Data(#"{"CmdletInput":{"CmdletName":"Remove-Mailbox","Parameters":{}}}"#.utf8)
        #expect(
            ContractCheckingTransport.violations(of: request, endpoints: Self.endpoints).first?.contains("has no row") == true)
    }

    @Test func theDocsShowTheTable() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/wire-contract.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let begin = "<!-- wire-contract:begin (generated from WireContract.rows; MAILSCOPE_RECORD_CONTRACT=1 swift test --filter WireContractTests rewrites it) -->"
        let end = "<!-- wire-contract:end -->"
        let expected = begin + "\n" + WireContract.markdown + "\n" + end
        if ProcessInfo.processInfo.environment["MAILSCOPE_RECORD_CONTRACT"] == "1" {
            var updated = text
            if let start = text.range(of: begin), let stop = text.range(of: end) {
                updated.replaceSubrange(start.lowerBound..<stop.upperBound, with: expected)
            } else {
                updated += "\n## The contract, request by request\n\n" + expected + "\n"
            }
            try updated.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(text.contains(expected), "docs/wire-contract.md differs from WireContract.rows: rerun with MAILSCOPE_RECORD_CONTRACT=1")
        #expect(WireContract.rows.filter { !$0.documented }.allSatisfy { $0.path.contains("InvokeCommand") })
    }
}
