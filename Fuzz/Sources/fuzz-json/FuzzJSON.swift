// libFuzzer target: JSON answers. JSONValue.parse (and its encode/parse round trip), the error
// bodies of the identity platform, Graph and Exchange (ErrorBody.parse → MicrosoftError, redacted),
// the claims of an access token (TokenClaims), and the error of a $batch item.
import Foundation
import FuzzDriver
import MailscopeCore
@testable import MicrosoftClients

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    if let value = try? JSONValue.parse(data) {
        // What mailscope writes back (journal, $batch bodies) must read back as the same value.
        let again = try? JSONValue.parse(value.encoded())
        precondition(again == value, "JSONValue changed in an encode/parse round trip")
        _ = value.strings
        if let error = value["error"].object {
            let item = BatchResponse(id: "1", status: 400, body: ["error": .object(error)])
            _ = GraphClient.error(of: item, request: "GET /v1.0/users").description
        }
    }
    // The three services' bodies are read by the same code; the service only labels the error.
    let response = HTTPResponse(status: 400, headers: ["Content-Type": "application/json"], body: data)
    let error = ErrorBody.parse(response, service: .graph, request: "POST /fuzz")
    _ = (error.description, error.isNotFound, error.isAlreadyExists, error.isAccessDenied)
    // The payload of a JWT (the identity platform's access token), and the input as a whole token.
    let claims = TokenClaims(jwt: "eyJhbGciOiJSUzI1NiJ9." + Base64URL.encode(data) + ".c2ln")
    _ = claims?.isAppOnly
    _ = TokenClaims(jwt: String(decoding: data, as: UTF8.self))
    return 0
}

@main
enum Main {
    static func main() { runLibFuzzer(fuzzJSON) }
}
