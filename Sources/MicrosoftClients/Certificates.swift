import Crypto
import Foundation
import MailscopeCore
import SwiftASN1
import X509
import _CryptoExtras

/// A certificate and its private key, used to sign client assertions (app-only sign-in).
public struct CertificateCredential: Sendable {
    /// The certificate, DER-encoded.
    public let certificateDER: Data
    private let privateKeyPEM: Secret

    /// Loads a PEM certificate and a PEM RSA private key.
    public init(certificatePEM: String, privateKeyPEM: Secret) throws {
        try RSAKeyGuard.check(certificatePEM: certificatePEM)
        let certificate = try Certificate(pemEncoded: certificatePEM)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.certificateDER = Data(serializer.serializedBytes)
        _ = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM.reveal())
        self.privateKeyPEM = privateKeyPEM
    }

    /// The SHA-256 thumbprint of the certificate, base64url (`x5t#S256`).
    public var sha256Thumbprint: String { Base64URL.encode(Data(SHA256.hash(data: certificateDER))) }

    /// The SHA-1 thumbprint in upper-case hex, as the Entra portal shows it.
    public var sha1ThumbprintHex: String {
        Insecure.SHA1.hash(data: certificateDER).map { String(format: "%02X", $0) }.joined()
    }

    /// A signed client assertion (PS256) for `clientID`, valid for five minutes from `now`.
    public func assertion(clientID: String, audience: String, now: Date) throws -> Secret {
        let header: JSONValue = ["alg": "PS256", "typ": "JWT", "x5t#S256": .string(sha256Thumbprint)]
        let issued = Int(now.timeIntervalSince1970)
        let claims: JSONValue = [
            "aud": .string(audience), "iss": .string(clientID), "sub": .string(clientID),
            "jti": .string(UUID().uuidString), "nbf": .number(Double(issued)), "iat": .number(Double(issued)),
            "exp": .number(Double(issued + 300)),
        ]
        let signingInput = Base64URL.encode(header.encoded()) + "." + Base64URL.encode(claims.encoded())
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM.reveal())
        let signature = try key.signature(for: Data(signingInput.utf8), padding: .PSS)
        return Secret(signingInput + "." + Base64URL.encode(signature.rawRepresentation))
    }
}

/// A new self-signed certificate for an app's credential.
public struct GeneratedCertificate: Sendable {
    /// The certificate in PEM.
    public let certificatePEM: String
    /// The certificate, DER-encoded (what Graph's `keyCredentials[].key` carries, base64).
    public let certificateDER: Data
    /// The private key in PEM (PKCS#8); write it only to a 0600 file.
    public let privateKeyPEM: Secret
    /// The SHA-1 thumbprint, upper-case hex.
    public let thumbprint: String
    /// The end of validity.
    public let notAfter: Date

    /// Makes an RSA-2048 self-signed certificate with subject `CN=<commonName>`, valid from `now` for `days`.
    public static func make(commonName: String, now: Date, days: Int) throws -> GeneratedCertificate {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let certificateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName { CommonName(commonName) }
        let notAfter = now.addingTimeInterval(TimeInterval(days) * 86_400)
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: certificateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: notAfter,
            issuer: name,
            subject: name,
            signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                KeyUsage(digitalSignature: true)
            },
            issuerPrivateKey: certificateKey
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = Data(serializer.serializedBytes)
        return GeneratedCertificate(
            certificatePEM: try certificate.serializeAsPEM().pemString,
            certificateDER: der,
            privateKeyPEM: Secret(key.pkcs8PEMRepresentation),
            thumbprint: Insecure.SHA1.hash(data: der).map { String(format: "%02X", $0) }.joined(),
            notAfter: notAfter
        )
    }
}

/// Refuses, before swift-certificates parses it, a certificate whose RSA public key BoringSSL would
/// refuse. swift-crypto 3.12 frees the key twice when both of its RSA parses fail (its
/// `BoringSSLRSAPublicKey.Backing` frees the pointer, then its deinit frees it again: an abort
/// that scripts/fuzz found with a malformed certificate file); 4.x no longer does. The rules are
/// BoringSSL's `RSA_parse_public_key` and `rsa_check_public_key`: two non-negative, minimally
/// encoded INTEGERs and nothing after them, an odd modulus of at most 16,384 bits, an odd exponent
/// of 2 to 33 bits, and a modulus larger than the exponent.
enum RSAKeyGuard {
    /// rsaEncryption (PKCS #1).
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    static func check(certificatePEM: String) throws {
        guard let document = try? PEMDocument(pemString: certificatePEM),
            let certificate = try? DER.parse(document.derBytes)
        else { return }  // not PEM or not DER: the certificate parser says why
        guard let key = rsaPublicKey(inCertificate: certificate) else { return }
        try checkPKCS1(key)
    }

    /// The subjectPublicKey bits of an rsaEncryption SubjectPublicKeyInfo, or nil for any other
    /// key or shape (the certificate parser then decides).
    static func rsaPublicKey(inCertificate certificate: ASN1Node) -> ArraySlice<UInt8>? {
        guard case .constructed(let top) = certificate.content, let tbs = Array(top).first,
            case .constructed(let fields) = tbs.content
        else { return nil }
        for field in fields {
            guard field.identifier == .sequence, case .constructed(let parts) = field.content else { continue }
            let children = Array(parts)
            guard children.count == 2, children[0].identifier == .sequence,
                case .constructed(let algorithm) = children[0].content,
                let oid = Array(algorithm).first, oid.identifier == .objectIdentifier,
                let identifier = try? ASN1ObjectIdentifier(derEncoded: oid), identifier == rsaEncryption,
                children[1].identifier == .bitString,
                let bits = try? ASN1BitString(derEncoded: children[1]), bits.paddingBits == 0
            else { continue }
            return bits.bytes
        }
        return nil
    }

    /// BoringSSL's checks of an RSAPublicKey (PKCS #1).
    static func checkPKCS1(_ bytes: ArraySlice<UInt8>) throws {
        let refused = Refused(description: "the certificate's RSA public key is malformed")
        guard let node = try? DER.parse(Array(bytes)), node.identifier == .sequence,
            case .constructed(let parts) = node.content, node.encodedBytes.count == bytes.count
        else { throw refused }
        let integers = Array(parts)
        guard integers.count == 2, integers.allSatisfy({ $0.identifier == .integer }),
            case .primitive(let modulus) = integers[0].content, case .primitive(let exponent) = integers[1].content,
            let n = unsigned(modulus), let e = unsigned(exponent)
        else { throw refused }
        let nBits = bitCount(n)
        let eBits = bitCount(e)
        guard nBits <= 16_384, n.last.map({ $0 & 1 == 1 }) == true, (2...33).contains(eBits),
            e.last.map({ $0 & 1 == 1 }) == true
        else { throw refused }
        if nBits <= 33 && !isGreater(n, than: e) { throw refused }
    }

    /// The magnitude of a DER INTEGER that is non-negative and minimally encoded, without its
    /// leading zero; nil otherwise.
    static func unsigned(_ content: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let first = content.first, first & 0x80 == 0 else { return nil }
        if first == 0 {
            guard content.count == 1 || content[content.index(after: content.startIndex)] & 0x80 != 0 else {
                return nil
            }
            return content.dropFirst()
        }
        return content
    }

    /// Whether the magnitude `a` is larger than `b` (both big-endian).
    static func isGreater(_ a: ArraySlice<UInt8>, than b: ArraySlice<UInt8>) -> Bool {
        let a = a.drop(while: { $0 == 0 })
        let b = b.drop(while: { $0 == 0 })
        if a.count != b.count { return a.count > b.count }
        return b.lexicographicallyPrecedes(a)
    }

    static func bitCount(_ magnitude: ArraySlice<UInt8>) -> Int {
        guard let first = magnitude.first(where: { $0 != 0 }),
            let index = magnitude.firstIndex(where: { $0 != 0 })
        else { return 0 }
        let remaining = magnitude.distance(from: index, to: magnitude.endIndex)
        return (remaining - 1) * 8 + (8 - first.leadingZeroBitCount)
    }
}
