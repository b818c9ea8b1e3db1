import Foundation
import Testing

@testable import MicrosoftClients

/// A certificate whose RSA key BoringSSL would refuse is refused before swift-crypto 3.12 parses
/// it (its failed parse frees the key twice: scripts/fuzz found the abort).
@Suite("RSA public keys are checked before the certificate parser")
struct RSAKeyGuardTests {
    /// DER INTEGER of `bytes` (already minimal).
    static func integer(_ bytes: [UInt8]) -> [UInt8] { [0x02, UInt8(bytes.count)] + bytes }
    static func sequence(_ content: [UInt8]) -> [UInt8] { [0x30, UInt8(content.count)] + content }

    @Test func wellFormedKeysPass() throws {
        let modulus: [UInt8] = [0x00, 0xC3] + Array(repeating: 0x11, count: 30) + [0x05]
        try RSAKeyGuard.checkPKCS1(ArraySlice(Self.sequence(Self.integer(modulus) + Self.integer([0x01, 0x00, 0x01]))))
        let valid = try GeneratedCertificate.make(commonName: "guard", now: Date(), days: 1)
        try RSAKeyGuard.check(certificatePEM: valid.certificatePEM)
        _ = try CertificateCredential(certificatePEM: valid.certificatePEM, privateKeyPEM: valid.privateKeyPEM)
    }

    @Test(arguments: [
        ("even modulus", [0x00, 0xC3, 0x10], [0x01, 0x00, 0x01]),
        ("negative modulus", [0xC3, 0x11], [0x01, 0x00, 0x01]),
        ("not minimal", [0x00, 0x03], [0x01, 0x00, 0x01]),
        ("even exponent", [0x00, 0xC3, 0x11], [0x01, 0x00, 0x02]),
        ("exponent of one bit", [0x00, 0xC3, 0x11], [0x01]),
        ("exponent over 33 bits", [0x00, 0xC3] + Array(repeating: 0x11, count: 8) + [0x05], [0x01, 0, 0, 0, 0, 0x01]),
        ("modulus not larger than the exponent", [0x03], [0x05]),
    ] as [(String, [UInt8], [UInt8])])
    func malformedKeysAreRefused(_ name: String, _ modulus: [UInt8], _ exponent: [UInt8]) {
        let key = Self.sequence(Self.integer(modulus) + Self.integer(exponent))
        #expect(throws: RSAKeyGuard.Refused.self, "\(name)") { try RSAKeyGuard.checkPKCS1(ArraySlice(key)) }
    }

    @Test func trailingBytesAreRefused() {
        let key = Self.sequence(Self.integer([0x00, 0xC3, 0x11]) + Self.integer([0x01, 0x00, 0x01])) + [0x00]
        #expect(throws: RSAKeyGuard.Refused.self) { try RSAKeyGuard.checkPKCS1(ArraySlice(key)) }
    }
}
