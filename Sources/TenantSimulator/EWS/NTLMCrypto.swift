import Crypto
import Foundation

/// MD4 (RFC 1320). swift-crypto has no MD4; NTLM's NT hash needs it. Only for that: MD4 is broken
/// as a general-purpose hash.
enum MD4 {
    /// The 16-byte MD4 digest of `message`.
    static func hash<Bytes: Collection<UInt8>>(_ message: Bytes) -> [UInt8] {
        var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
        var padded = Array(message)
        let bitLength = UInt64(padded.count) &* 8
        padded.append(0x80)
        while padded.count % 64 != 56 { padded.append(0) }
        for shift in stride(from: 0, to: 64, by: 8) { padded.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }

        var words = [UInt32](repeating: 0, count: 16)
        for blockStart in stride(from: 0, to: padded.count, by: 64) {
            for index in 0..<16 {
                let offset = blockStart + index * 4
                words[index] =
                    UInt32(padded[offset]) | UInt32(padded[offset + 1]) << 8 | UInt32(padded[offset + 2]) << 16
                    | UInt32(padded[offset + 3]) << 24
            }
            var (a, b, c, d) = state

            func f(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { (x & y) | (~x & z) }
            func g(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { (x & y) | (x & z) | (y & z) }
            func h(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { x ^ y ^ z }
            func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 { (value << count) | (value >> (32 - count)) }

            // Round 1.
            for index in stride(from: 0, to: 16, by: 4) {
                a = rotate(a &+ f(b, c, d) &+ words[index], 3)
                d = rotate(d &+ f(a, b, c) &+ words[index + 1], 7)
                c = rotate(c &+ f(d, a, b) &+ words[index + 2], 11)
                b = rotate(b &+ f(c, d, a) &+ words[index + 3], 19)
            }
            // Round 2.
            for index in 0..<4 {
                a = rotate(a &+ g(b, c, d) &+ words[index] &+ 0x5A82_7999, 3)
                d = rotate(d &+ g(a, b, c) &+ words[index + 4] &+ 0x5A82_7999, 5)
                c = rotate(c &+ g(d, a, b) &+ words[index + 8] &+ 0x5A82_7999, 9)
                b = rotate(b &+ g(c, d, a) &+ words[index + 12] &+ 0x5A82_7999, 13)
            }
            // Round 3.
            for index in [0, 2, 1, 3] {
                a = rotate(a &+ h(b, c, d) &+ words[index] &+ 0x6ED9_EBA1, 3)
                d = rotate(d &+ h(a, b, c) &+ words[index + 8] &+ 0x6ED9_EBA1, 9)
                c = rotate(c &+ h(d, a, b) &+ words[index + 4] &+ 0x6ED9_EBA1, 11)
                b = rotate(b &+ h(c, d, a) &+ words[index + 12] &+ 0x6ED9_EBA1, 15)
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
        }
        var digest: [UInt8] = []
        digest.reserveCapacity(16)
        for word in [state.0, state.1, state.2, state.3] {
            for shift in stride(from: 0, to: 32, by: 8) { digest.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
        }
        return digest
    }
}

/// The NTLM one-way functions of MS-NLMP §3.3.
enum NTLMCrypto {
    /// UTF-16LE bytes of `text` (NTLM's "UNICODE").
    static func unicode(_ text: String) -> [UInt8] {
        text.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
    }

    /// The NT hash (NTOWFv1): MD4(UTF-16LE(password)). What Active Directory keeps for NTLM.
    static func ntHash(password: String) -> [UInt8] { MD4.hash(unicode(password)) }

    /// HMAC-MD5 of `message` under `key`.
    static func hmacMD5(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<Insecure.MD5>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// NTOWFv2 = HMAC_MD5(NT hash, UNICODE(Uppercase(user) + domain)); the domain keeps its case.
    static func ntowfv2(ntHash: [UInt8], user: String, domain: String) -> [UInt8] {
        hmacMD5(key: ntHash, unicode(user.uppercased() + domain))
    }

    /// NTProofStr = HMAC_MD5(NTOWFv2, server challenge + blob), the first 16 bytes of an NTLMv2 response.
    static func ntProof(ntowfv2: [UInt8], serverChallenge: [UInt8], blob: [UInt8]) -> [UInt8] {
        hmacMD5(key: ntowfv2, serverChallenge + blob)
    }

    /// Compares two byte strings in time independent of where they differ.
    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
