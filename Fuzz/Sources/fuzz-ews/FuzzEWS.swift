// libFuzzer target: EWS SOAP answers through EWSClient.interpret (the XML tree builder, faults,
// response messages, MessageXml values, the server version) and a 401's WWW-Authenticate.
import Foundation
import FuzzDriver
import MailscopeCore
@testable import MicrosoftClients

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEWS(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    let answers = [
        HTTPResponse(status: 200, headers: ["Content-Type": "text/xml; charset=utf-8"], body: data),
        HTTPResponse(status: 500, body: data),
        HTTPResponse(status: 401, headers: ["WWW-Authenticate": String(decoding: data.prefix(256), as: UTF8.self)]),
    ]
    for answer in answers {
        switch try? EWSClient.interpret(answer) {
        case .success(let message)?:
            _ = message.serverVersion
            _ = message.all(named: "Mailbox").map { ($0.child("EmailAddress")?.text, $0.child("MailboxType")?.text) }
            _ = message.first(named: "FolderId")?.attributes["Id"]
        case .failure(let error)?:
            _ = (error.code, error.message, error.values)
        case nil:
            break
        }
    }
    return 0
}

@main
enum Main {
    static func main() { runLibFuzzer(fuzzEWS) }
}
