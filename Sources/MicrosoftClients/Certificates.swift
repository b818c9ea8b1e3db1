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
