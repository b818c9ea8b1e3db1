// libFuzzer target: the certificate credential, CertificateCredential(certificatePEM:privateKeyPEM:)
// (PEM decoding, the X.509 certificate, the RSA private key), its thumbprints and a signed assertion.
//
// Input: PEM text (the certificate block, then the key), or a first byte 0...2 followed by raw
// DER, wrapped in a PEM block so that the DER parsers see arbitrary bytes:
//   0: a certificate (with a valid key)   1: a PKCS#8 key   2: a PKCS#1 RSA key (with a valid certificate)
import Foundation
import FuzzDriver
import MailscopeCore
@testable import MicrosoftClients

/// A valid certificate and key, for the half of the input that is not fuzzed.
let valid = try! GeneratedCertificate.make(commonName: "mailscope-fuzz", now: Date(timeIntervalSince1970: 1_795_000_000), days: 30)

func pem(_ label: String, _ der: Data) -> String {
    "-----BEGIN \(label)-----\n" + der.base64EncodedString(options: .lineLength64Characters) + "\n-----END \(label)-----\n"
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPEM(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    let certificate: String
    let key: String
    if let mode = data.first, mode <= 2 {
        let der = Data(data.dropFirst())
        switch mode {
        case 0: (certificate, key) = (pem("CERTIFICATE", der), valid.privateKeyPEM.reveal())
        case 1: (certificate, key) = (valid.certificatePEM, pem("PRIVATE KEY", der))
        default: (certificate, key) = (valid.certificatePEM, pem("RSA PRIVATE KEY", der))
        }
    } else {
        let text = String(decoding: data, as: UTF8.self)
        let end = "-----END CERTIFICATE-----"
        if let range = text.range(of: end) {
            certificate = String(text[..<range.upperBound])
            key = String(text[range.upperBound...])
        } else {
            (certificate, key) = (text, text)
        }
    }
    guard let credential = try? CertificateCredential(certificatePEM: certificate, privateKeyPEM: Secret(key)) else {
        return 0
    }
    _ = (credential.sha256Thumbprint, credential.sha1ThumbprintHex)
    _ = try? credential.assertion(clientID: "app", audience: "https://login.example/token", now: Date())
    return 0
}

@main
enum Main {
    static func main() { runLibFuzzer(fuzzPEM) }
}
