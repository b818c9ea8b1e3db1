import Foundation
import MailscopeCore
import MailscopeEngine
import TenantSimulator
import Testing

/// A Graph evidence line is built from the request it reports (`GraphRequest.answered`), so it
/// names a request the engine actually sent: its method and path, decoded, with the query items
/// that decide the answer (`$filter`), never a path typed again by hand.
@Suite("Evidence names the Graph request sent", .serialized)
struct EvidenceNamesItsRequestTests {
    /// `request` as an admin would read it: the method and the decoded path with its query.
    static func readable(_ request: HTTPRequest, graph: URL) -> String? {
        let url = request.url.absoluteString
        guard url.hasPrefix(graph.absoluteString + "/") else { return nil }
        let path = String(url.dropFirst(graph.absoluteString.count))
        return "\(request.method) \(path.removingPercentEncoding ?? path)"
    }

    @Test("every Graph evidence line of an apply and a check names a request sent with its values")
    func everyGraphEvidenceLineNamesARequestSent() async throws {
        let harness = try await Harness.start()
        defer { Task { await harness.stop() } }
        let config = harness.config()
        let capture = CapturingTransport()
        #expect(try await harness.engine(config, transport: capture).apply { _ in true } == .verified)
        let reports = try await harness.engine(config, transport: capture).check()
        let applied = harness.events.all.compactMap { event -> StageReport? in
            if case .stage(let report) = event { return report }
            return nil
        }
        let sent = capture.requests.compactMap { Self.readable($0, graph: harness.endpoints.graph) }
        let lines = (applied + reports).flatMap(\.evidence).compactMap { line -> String? in
            guard line.hasPrefix("GET /v1.0/") || line.hasPrefix("GET /beta/") else { return nil }
            return line.components(separatedBy: " → ").first
        }
        #expect(lines.count >= 6, "\(lines)")
        for line in Set(lines) {
            // The whole path, then the end or the next query item: `/applications/a` is not `/applications/ab`.
            let named = sent.contains { request in
                request == line || request.hasPrefix(line + "?") || request.hasPrefix(line + "&")
            }
            #expect(named, "no request sent matches the evidence line \(line)")
        }
        let check = Dictionary(reports.map { ($0.stage, $0.evidence) }, uniquingKeysWith: { $1 })
        let serviceAccount = check[.serviceAccount] ?? []
        #expect(serviceAccount.contains { $0.hasPrefix("GET /v1.0/applications/") && $0.hasSuffix(" → 200") })
        #expect(
            serviceAccount.contains { $0.hasPrefix("GET /v1.0/servicePrincipals(appId='") && $0.hasSuffix("') → 200") }
        )
        #expect(
            (check[.scope] ?? []).contains {
                $0.hasPrefix(
                    "GET /beta/roleManagement/exchange/customAppScopes?$filter=displayName eq '\(config.scopeName)' → filter "
                )
            }
        )
    }
}
