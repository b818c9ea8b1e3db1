import Foundation
import MailscopeCore
import Testing

@testable import TenantSimulator

/// Hex helpers for the test vectors.
func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func bytes(_ hex: String) -> [UInt8] {
    let characters = Array(hex.replacingOccurrences(of: " ", with: "").utf8)
    return stride(from: 0, to: characters.count, by: 2).map {
        UInt8(String(decoding: characters[$0..<($0 + 2)], as: UTF8.self), radix: 16) ?? 0
    }
}

/// The client side of NTLMv2, as libcurl or Windows computes it, to drive the server in tests.
enum NTLMTestClient {
    static let negotiate: [UInt8] = {
        var message = NTLM.signature
        NTLM.appendUInt32(&message, 1)
        // OEM, request target, NTLM, always sign, extended session security: what libcurl sends.
        NTLM.appendUInt32(&message, 0x0000_0002 | 0x0000_0004 | 0x0000_0200 | 0x0000_8000 | 0x0008_0000)
        message += [UInt8](repeating: 0, count: 16)
        return message
    }()

    /// The AUTHENTICATE message answering `challenge` (a CHALLENGE message) with an NTLMv2 response,
    /// or with a 24-byte NTLMv1-shaped response when `version1`.
    static func authenticate(
        _ challenge: [UInt8], user: String, domain: String, password: String, version1: Bool = false
    ) -> [UInt8] {
        let flags = NTLM.readUInt32(challenge, at: 20)
        let serverChallenge = Array(challenge[24..<32])
        let infoLength = Int(NTLM.readUInt16(challenge, at: 40))
        let infoOffset = Int(NTLM.readUInt32(challenge, at: 44))
        let targetInfo = Array(challenge[infoOffset..<(infoOffset + infoLength)])
        let clientChallenge: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let key = NTLMCrypto.ntowfv2(ntHash: NTLMCrypto.ntHash(password: password), user: user, domain: domain)
        let blob: [UInt8] =
            [1, 1, 0, 0, 0, 0, 0, 0] + NTLM.fileTime(Date(timeIntervalSince1970: 1_795_000_000)) + clientChallenge
            + [0, 0, 0, 0] + targetInfo + [0, 0, 0, 0]
        let ntResponse =
            version1
            ? Array(NTLMCrypto.hmacMD5(key: key, serverChallenge).prefix(16)) + [UInt8](repeating: 0, count: 8)
            : NTLMCrypto.ntProof(ntowfv2: key, serverChallenge: serverChallenge, blob: blob) + blob
        let lmResponse = NTLMCrypto.hmacMD5(key: key, serverChallenge + clientChallenge) + clientChallenge
        let unicode = flags & NTLM.negotiateUnicode != 0
        func encode(_ text: String) -> [UInt8] { unicode ? NTLMCrypto.unicode(text) : Array(text.utf8) }
        let fields = [lmResponse, ntResponse, encode(domain), encode(user), encode("WORKSTATION"), []]
        var message = NTLM.signature
        NTLM.appendUInt32(&message, 3)
        var offset = 64
        for field in fields {
            NTLM.appendField(&message, length: field.count, offset: offset)
            offset += field.count
        }
        NTLM.appendUInt32(&message, flags)
        for field in fields { message += field }
        return message
    }
}

@Suite("NTLM and MD4")
struct NTLMTests {
    @Test("MD4 matches RFC 1320's test suite")
    func md4() {
        let vectors = [
            ("", "31d6cfe0d16ae931b73c59d7e0c089c0"),
            ("a", "bde52cb31de33e46245e05fbdbd6fb24"),
            ("abc", "a448017aaf21d8525fc10ae87aa6729d"),
            ("message digest", "d9130a8164549fe818874806e1c7014b"),
            ("abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "043f8582f241db351ce627e153e7f0e4"),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "e33b4ddc9c38f2199c3e7b164fcc0536"
            ),
        ]
        for (input, expected) in vectors {
            #expect(hex(MD4.hash(Array(input.utf8))) == expected, "MD4(\"\(input)\")")
        }
    }

    @Test("NT hash, NTOWFv2 and NTProofStr match MS-NLMP §4.2.4's example")
    func specificationVectors() {
        let ntHash = NTLMCrypto.ntHash(password: "Password")
        #expect(hex(ntHash) == "a4f49c406510bdcab6824ee7c30fd852")
        let key = NTLMCrypto.ntowfv2(ntHash: ntHash, user: "User", domain: "Domain")
        #expect(hex(key) == "0c868a403bfd7a93a3001ef22ef02e3f")
        let serverChallenge = bytes("0123456789abcdef")
        let clientChallenge = bytes("aaaaaaaaaaaaaaaa")
        let lmResponse = NTLMCrypto.hmacMD5(key: key, serverChallenge + clientChallenge) + clientChallenge
        #expect(hex(lmResponse) == "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa")
        let blob = bytes(
            "01010000000000000000000000000000aaaaaaaaaaaaaaaa00000000"
                + "02000c0044006f006d00610069006e0001000c0053006500720076006500720000000000" + "00000000")
        let proof = NTLMCrypto.ntProof(ntowfv2: key, serverChallenge: serverChallenge, blob: blob)
        #expect(hex(proof) == "68cd0ab851e51c96aabc927bebef6a1c")

        // The server accepts exactly that response for that challenge, and nothing else.
        let message = NTLM.Authenticate(
            flags: NTLM.negotiateUnicode, lmResponse: lmResponse, ntResponse: proof + blob, domain: "Domain", user: "User",
            workstation: "COMPUTER")
        #expect(NTLM.verify(message, ntHash: ntHash, serverChallenge: serverChallenge))
        #expect(!NTLM.verify(message, ntHash: NTLMCrypto.ntHash(password: "password"), serverChallenge: serverChallenge))
        #expect(!NTLM.verify(message, ntHash: ntHash, serverChallenge: bytes("0123456789abcdee")))
        var otherDomain = message
        otherDomain.domain = "DOMAIN"  // the domain keeps its case in NTOWFv2
        #expect(!NTLM.verify(otherDomain, ntHash: ntHash, serverChallenge: serverChallenge))
        var upperUser = message
        upperUser.user = "USER"  // the user name is upper-cased
        #expect(NTLM.verify(upperUser, ntHash: ntHash, serverChallenge: serverChallenge))
    }

    @Test("CHALLENGE carries the seeded challenge and CONTOSO's target information; AUTHENTICATE round-trips")
    func handshake() throws {
        let negotiate = try NTLM.parseNegotiate(NTLMTestClient.negotiate)
        let serverChallenge = bytes("1122334455667788")
        let challenge = NTLM.challenge(
            for: negotiate, serverChallenge: serverChallenge, timestamp: Date(timeIntervalSince1970: 1_795_000_000))
        #expect(NTLM.messageType(challenge) == 2)
        #expect(Array(challenge[24..<32]) == serverChallenge)
        let flags = NTLM.readUInt32(challenge, at: 20)
        #expect(flags & NTLM.negotiateTargetInfo != 0)
        #expect(flags & NTLM.negotiateOEM != 0)  // libcurl asked for OEM strings only
        let infoOffset = Int(NTLM.readUInt32(challenge, at: 44))
        let info = Array(challenge[infoOffset...])
        // MsvAvNbDomainName "CONTOSO" first, then the computer name; MsvAvDnsDomainName "contoso.com" later.
        #expect(Array(info[0..<4]) == [2, 0, 14, 0])
        #expect(String(decoding: stride(from: 4, to: 18, by: 2).map { UInt16(info[$0]) }, as: UTF16.self) == "CONTOSO")
        #expect(hex(info).contains(hex(NTLMCrypto.unicode("contoso.com"))))
        #expect(hex(info).contains("07000800"))  // MsvAvTimestamp

        let good = try NTLM.parseAuthenticate(
            NTLMTestClient.authenticate(challenge, user: "svc.calendar", domain: "CONTOSO", password: "Corr3ct!horse"))
        #expect(good.user == "svc.calendar" && good.domain == "CONTOSO" && good.workstation == "WORKSTATION")
        let hash = NTLMCrypto.ntHash(password: "Corr3ct!horse")
        #expect(NTLM.verify(good, ntHash: hash, serverChallenge: serverChallenge))
        let bad = try NTLM.parseAuthenticate(
            NTLMTestClient.authenticate(challenge, user: "svc.calendar", domain: "CONTOSO", password: "wrong"))
        #expect(!NTLM.verify(bad, ntHash: hash, serverChallenge: serverChallenge))
        let version1 = try NTLM.parseAuthenticate(
            NTLMTestClient.authenticate(
                challenge, user: "svc.calendar", domain: "CONTOSO", password: "Corr3ct!horse", version1: true))
        #expect(version1.ntResponse.count == 24)
        #expect(!NTLM.verify(version1, ntHash: hash, serverChallenge: serverChallenge))
        var lmOnly = good
        lmOnly.ntResponse = []
        #expect(!NTLM.verify(lmOnly, ntHash: hash, serverChallenge: serverChallenge))
    }

    @Test("truncated and foreign messages are refused, never read out of bounds")
    func malformed() {
        #expect(NTLM.messageType([1, 2, 3]) == nil)
        #expect(throws: NTLM.Failure.malformed) { try NTLM.parseAuthenticate(NTLM.signature + [3, 0, 0, 0]) }
        var message = NTLM.signature
        NTLM.appendUInt32(&message, 3)
        NTLM.appendField(&message, length: 200, offset: 60)  // LM response beyond the end
        message += [UInt8](repeating: 0, count: 52)
        #expect(throws: NTLM.Failure.malformed) { try NTLM.parseAuthenticate(message) }
        #expect(throws: NTLM.Failure.wrongType(1)) { try NTLM.parseAuthenticate(NTLMTestClient.negotiate) }
    }
}
