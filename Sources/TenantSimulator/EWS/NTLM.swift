import Foundation

/// The server side of NTLM over HTTP (MS-NLMP, connection-oriented): the client's NEGOTIATE
/// (type 1) is answered with a CHALLENGE (type 2), and the AUTHENTICATE (type 3) is verified as an
/// NTLMv2 response. NTLMv1 and LM-only responses are refused, as a hardened Windows server does.
enum NTLM {
    static let signature: [UInt8] = Array("NTLMSSP".utf8) + [0]

    // NEGOTIATE flags (MS-NLMP §2.2.2.5).
    static let negotiateUnicode: UInt32 = 0x0000_0001
    static let negotiateOEM: UInt32 = 0x0000_0002
    static let requestTarget: UInt32 = 0x0000_0004
    static let negotiateNTLM: UInt32 = 0x0000_0200
    static let negotiateAlwaysSign: UInt32 = 0x0000_8000
    static let targetTypeDomain: UInt32 = 0x0001_0000
    static let negotiateExtendedSessionSecurity: UInt32 = 0x0008_0000
    static let negotiateTargetInfo: UInt32 = 0x0080_0000
    static let negotiateVersion: UInt32 = 0x0200_0000
    static let negotiate128: UInt32 = 0x2000_0000
    static let negotiate56: UInt32 = 0x8000_0000

    /// The NetBIOS domain name the server announces.
    static let netBIOSDomain = "CONTOSO"
    /// The DNS domain name the server announces.
    static let dnsDomain = "contoso.com"
    /// The server's NetBIOS computer name.
    static let netBIOSComputer = "EX01"
    /// The server's DNS name.
    static let dnsComputer = "ex01.contoso.com"

    /// A decoded NEGOTIATE message: only its flags matter.
    struct Negotiate: Equatable {
        var flags: UInt32
    }

    /// A decoded AUTHENTICATE message.
    struct Authenticate: Equatable {
        var flags: UInt32
        var lmResponse: [UInt8]
        var ntResponse: [UInt8]
        var domain: String
        var user: String
        var workstation: String
    }

    /// Why a message was refused.
    enum Failure: Error, Equatable {
        case malformed
        case wrongType(UInt32)
    }

    /// The message type (1, 2 or 3) of `bytes`, or nil when it is not an NTLM message.
    static func messageType(_ bytes: [UInt8]) -> UInt32? {
        guard bytes.count >= 12, Array(bytes[0..<8]) == signature else { return nil }
        return readUInt32(bytes, at: 8)
    }

    /// Parses a NEGOTIATE message.
    static func parseNegotiate(_ bytes: [UInt8]) throws(Failure) -> Negotiate {
        guard let type = messageType(bytes) else { throw .malformed }
        guard type == 1 else { throw .wrongType(type) }
        guard bytes.count >= 16 else { throw .malformed }
        return Negotiate(flags: readUInt32(bytes, at: 12))
    }

    /// The CHALLENGE message for `negotiate`: `serverChallenge`, target name `CONTOSO` and target
    /// information naming the domain and server, with `timestamp` as `MsvAvTimestamp`.
    static func challenge(for negotiate: Negotiate, serverChallenge: [UInt8], timestamp: Date) -> [UInt8] {
        let unicode = negotiate.flags & negotiateOEM == 0 || negotiate.flags & negotiateUnicode != 0
        var flags =
            requestTarget | negotiateNTLM | negotiateAlwaysSign | targetTypeDomain | negotiateTargetInfo
            | negotiateVersion
        flags |= unicode ? negotiateUnicode : negotiateOEM
        flags |= negotiate.flags & (negotiateExtendedSessionSecurity | negotiate128 | negotiate56)
        let targetName = unicode ? NTLMCrypto.unicode(netBIOSDomain) : Array(netBIOSDomain.utf8)
        let targetInfo = targetInformation(timestamp: timestamp)
        let headerLength = 56
        var message = signature
        appendUInt32(&message, 2)
        appendField(&message, length: targetName.count, offset: headerLength)
        appendUInt32(&message, flags)
        message += serverChallenge
        message += [UInt8](repeating: 0, count: 8)
        appendField(&message, length: targetInfo.count, offset: headerLength + targetName.count)
        // Version: Windows Server 2019 (10.0 build 17763), NTLM revision 15.
        message += [10, 0, 0x03, 0x45, 0, 0, 0, 15]
        message += targetName
        message += targetInfo
        return message
    }

    /// The AV pairs of the CHALLENGE: NetBIOS and DNS names of domain and server, a timestamp, end.
    static func targetInformation(timestamp: Date) -> [UInt8] {
        var pairs: [UInt8] = []
        func pair(_ id: UInt16, _ value: [UInt8]) {
            appendUInt16(&pairs, id)
            appendUInt16(&pairs, UInt16(value.count))
            pairs += value
        }
        pair(2, NTLMCrypto.unicode(netBIOSDomain))
        pair(1, NTLMCrypto.unicode(netBIOSComputer))
        pair(4, NTLMCrypto.unicode(dnsDomain))
        pair(3, NTLMCrypto.unicode(dnsComputer))
        pair(5, NTLMCrypto.unicode(dnsDomain))
        pair(7, fileTime(timestamp))
        pair(0, [])
        return pairs
    }

    /// `date` as a little-endian FILETIME (100 ns ticks since 1601-01-01).
    static func fileTime(_ date: Date) -> [UInt8] {
        let ticks = UInt64(max(0, (date.timeIntervalSince1970 + 11_644_473_600) * 10_000_000))
        return (0..<8).map { UInt8(truncatingIfNeeded: ticks >> (8 * UInt64($0))) }
    }

    /// Parses an AUTHENTICATE message.
    static func parseAuthenticate(_ bytes: [UInt8]) throws(Failure) -> Authenticate {
        guard let type = messageType(bytes) else { throw .malformed }
        guard type == 3 else { throw .wrongType(type) }
        guard bytes.count >= 64 else { throw .malformed }
        let flags = readUInt32(bytes, at: 60)
        let unicode = flags & negotiateUnicode != 0
        func field(at position: Int) throws(Failure) -> [UInt8] {
            let length = Int(readUInt16(bytes, at: position))
            let offset = Int(readUInt32(bytes, at: position + 4))
            guard length == 0 || (offset >= 0 && offset <= bytes.count && length <= bytes.count - offset) else {
                throw .malformed
            }
            return length == 0 ? [] : Array(bytes[offset..<(offset + length)])
        }
        func text(at position: Int) throws(Failure) -> String {
            let raw = try field(at: position)
            if unicode {
                guard raw.count % 2 == 0 else { throw .malformed }
                let units = stride(from: 0, to: raw.count, by: 2).map { UInt16(raw[$0]) | UInt16(raw[$0 + 1]) << 8 }
                return String(decoding: units, as: UTF16.self)
            }
            return String(decoding: raw, as: UTF8.self)
        }
        return Authenticate(
            flags: flags, lmResponse: try field(at: 12), ntResponse: try field(at: 20), domain: try text(at: 28),
            user: try text(at: 36), workstation: try text(at: 44))
    }

    /// Whether `message` proves knowledge of the password whose NT hash is `ntHash`, for the
    /// `serverChallenge` sent: an NTLMv2 response only (NTLMv1's 24-byte and LM-only responses fail).
    static func verify(_ message: Authenticate, ntHash: [UInt8], serverChallenge: [UInt8]) -> Bool {
        let response = message.ntResponse
        // NTProofStr (16) + blob: version 1/1, reserved, timestamp, client challenge, reserved, AV pairs.
        guard response.count >= 16 + 28, response[16] == 1, response[17] == 1 else { return false }
        let proof = Array(response[0..<16])
        let blob = Array(response[16...])
        let key = NTLMCrypto.ntowfv2(ntHash: ntHash, user: message.user, domain: message.domain)
        let expected = NTLMCrypto.ntProof(ntowfv2: key, serverChallenge: serverChallenge, blob: blob)
        return NTLMCrypto.constantTimeEqual(proof, expected)
    }

    // MARK: Little-endian fields

    static func readUInt16(_ bytes: [UInt8], at offset: Int) -> UInt16 {
        guard offset >= 0, offset + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        guard offset >= 0, offset + 4 <= bytes.count else { return 0 }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }

    static func appendUInt16(_ bytes: inout [UInt8], _ value: UInt16) {
        bytes += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)]
    }

    static func appendUInt32(_ bytes: inout [UInt8], _ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// A security buffer: length, maximum length, offset.
    static func appendField(_ bytes: inout [UInt8], length: Int, offset: Int) {
        appendUInt16(&bytes, UInt16(length))
        appendUInt16(&bytes, UInt16(length))
        appendUInt32(&bytes, UInt32(offset))
    }
}
