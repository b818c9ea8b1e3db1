import Foundation
import MailscopeCore
import Testing

@testable import MailscopeCurl

/// Certificate verification against a self-signed HTTPS server on loopback.
@Suite("CurlTransport TLS")
struct TLSTests {
    @Test(
        "An untrusted certificate fails with tlsFailure; trusting it through caBundlePath succeeds",
        .enabled(if: TLSFixture.unavailableReason == nil, "TLS test skipped: \(TLSFixture.unavailableReason ?? "")")
    )
    func verification() async throws {
        let fixture = try await TLSFixture.start()
        defer { fixture.stop() }
        let url = try #require(URL(string: "https://127.0.0.1:\(fixture.port)/"))
        let request = HTTPRequest(method: "GET", url: url, timeout: .seconds(5))

        // The system's trust store does not know the self-signed certificate.
        await #expect {
            _ = try await CurlTransport().send(request)
        } throws: { error in
            guard case TransportError.tlsFailure = error else { return false }
            return true
        }

        // Trusting exactly that certificate works.
        let trusting = CurlTransport(caBundlePath: fixture.certificatePath)
        let response = try await trusting.send(request)
        #expect(response.status == 200)
        #expect(response.text == "secure over TLS")

        // A trusted certificate for another name is still refused (host verification is on):
        // the certificate names only IP 127.0.0.1, not "localhost".
        let byName = try #require(URL(string: "https://localhost:\(fixture.port)/"))
        await #expect {
            _ = try await trusting.send(HTTPRequest(method: "GET", url: byName, timeout: .seconds(5)))
        } throws: { error in
            guard case TransportError.tlsFailure = error else { return false }
            return true
        }

        // A CA bundle that does not exist is a TLS failure too, never a silent fallback.
        let missing = CurlTransport(caBundlePath: "/nonexistent/mailscope-ca.pem")
        await #expect(throws: TransportError.self) { _ = try await missing.send(request) }
    }
}
