import Crypto
import Foundation
import MailscopeCore
import SwiftASN1
import X509
import _CryptoExtras

/// A refusal by the identity platform: the `error` code, the AADSTS number and its text.
struct OAuthFailure: Error, Equatable {
    var status: Int
    var error: String
    var code: Int
    var text: String

    static func invalidClient(_ code: Int, _ text: String, status: Int = 401) -> OAuthFailure {
        OAuthFailure(status: status, error: "invalid_client", code: code, text: text)
    }
}

/// Verifies certificate client assertions (RFC 7523 JWTs signed with the app's private key) against
/// the certificates the app registered in `keyCredentials`.
enum ClientAssertionVerifier {
    /// Checks `assertion` for `clientID`: header (`alg` PS256 or RS256, `x5t#S256` or `x5t`), a
    /// registered and currently valid certificate, the signature, and the `aud`/`iss`/`sub`/`exp`/`nbf` claims.
    static func verify(
        _ assertion: String, clientID: String, keys: [KeyCredential], audiences: Set<String>, now: Date
    ) throws(OAuthFailure) {
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let claimsData = Base64URL.decode(parts[1]),
            let header = try? JSONValue.parse(headerData), let claims = try? JSONValue.parse(claimsData),
            let signatureBytes = Base64URL.decode(parts[2])
        else {
            throw .invalidClient(50027, "JWT token is invalid or malformed.", status: 400)
        }
        let algorithm = header["alg"].string ?? ""
        let padding: _RSA.Signing.Padding
        switch algorithm {
        case "PS256": padding = .PSS
        case "RS256": padding = .insecurePKCS1v1_5
        default:
            throw .invalidClient(
                5002738, "Invalid JWT token. '\(algorithm)' is not a supported signature algorithm. Use PS256 or RS256.",
                status: 400)
        }
        let sha256 = header["x5t#S256"].string
        let sha1 = header["x5t"].string
        guard sha256 != nil || sha1 != nil else {
            throw .invalidClient(
                700027, "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '']")
        }
        guard
            let key = keys.first(where: { key in
                (sha256.map { $0 == key.sha256Thumbprint } ?? false) || (sha1.map { $0 == key.sha1Thumbprint } ?? false)
            })
        else {
            throw .invalidClient(
                700027,
                "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '\(sha256 ?? sha1 ?? "")', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '\(clientID)'.]"
            )
        }
        guard key.endDateTime > now else {
            throw .invalidClient(
                700027,
                "Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '\(key.customKeyIdentifier)']"
            )
        }
        guard key.startDateTime <= now else {
            throw .invalidClient(
                700027,
                "Client assertion contains an invalid signature. [Reason - The key is not yet valid., Thumbprint of key used by client: '\(key.customKeyIdentifier)']"
            )
        }
        guard let publicKey = publicKey(of: key.certificateDER) else {
            throw .invalidClient(700027, "Client assertion contains an invalid signature. [Reason - The key is not an RSA key.]")
        }
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureBytes)
        let input = Data((parts[0] + "." + parts[1]).utf8)
        guard publicKey.isValidSignature(signature, for: SHA256.hash(data: input), padding: padding) else {
            throw .invalidClient(
                700027,
                "Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '\(key.customKeyIdentifier)']"
            )
        }
        let audienceValues = claims["aud"].string.map { [$0] } ?? claims["aud"].strings
        guard audienceValues.contains(where: { audiences.contains($0.withoutTrailingSlash.lowercased()) }) else {
            throw .invalidClient(
                700212,
                "No matching federated identity record found for presented assertion audience '\(audienceValues.joined(separator: ","))'. The audience must be the token endpoint.",
                status: 400)
        }
        guard claims["iss"].string == clientID, claims["sub"].string == clientID else {
            throw .invalidClient(
                700021, "Client assertion application identifier doesn't match 'client_id' parameter.", status: 400)
        }
        guard let exp = claims["exp"].number else {
            throw .invalidClient(50027, "JWT token is invalid or malformed: the 'exp' claim is missing.", status: 400)
        }
        let notBefore = claims["nbf"].number ?? claims["iat"].number ?? 0
        let skew: TimeInterval = 300
        guard Date(timeIntervalSince1970: exp) > now, Date(timeIntervalSince1970: notBefore) <= now.addingTimeInterval(skew)
        else {
            throw .invalidClient(
                700024,
                "Client assertion is not within its valid time range. Current time: \(Timestamp.string(now)), assertion valid from \(Timestamp.string(Date(timeIntervalSince1970: notBefore))), expiry time of assertion \(Timestamp.string(Date(timeIntervalSince1970: exp))).",
                status: 400)
        }
    }

    /// The RSA public key of a DER certificate, or nil.
    static func publicKey(of der: Data) -> _RSA.Signing.PublicKey? {
        guard let certificate = try? Certificate(derEncoded: Array(der)) else { return nil }
        return _RSA.Signing.PublicKey(certificate.publicKey)
    }

    /// Whether `der` is an X.509 certificate, and its validity period.
    static func certificateValidity(of der: Data) -> (notBefore: Date, notAfter: Date)? {
        guard let certificate = try? Certificate(derEncoded: Array(der)) else { return nil }
        return (certificate.notValidBefore, certificate.notValidAfter)
    }

    /// The thumbprints Entra derives from a certificate: SHA-1 upper-case hex, base64url SHA-1, base64url SHA-256.
    static func thumbprints(of der: Data) -> (sha1Hex: String, sha1: String, sha256: String) {
        let sha1 = Data(Insecure.SHA1.hash(data: der))
        return (
            sha1.map { String(format: "%02X", $0) }.joined(), Base64URL.encode(sha1), Base64URL.encode(Data(SHA256.hash(data: der)))
        )
    }
}
