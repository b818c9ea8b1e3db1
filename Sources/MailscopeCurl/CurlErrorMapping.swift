import CCurl
import Foundation
import MailscopeCore

/// Translates libcurl's result codes into `TransportError`.
enum CurlErrorMapping {
    /// The error for a transfer to `url` that ended with `code`; `detail` is libcurl's own
    /// explanation (from the error buffer), which names hosts and ports but never headers or bodies.
    static func transportError(for code: CURLcode, detail: String, url: URL) -> TransportError {
        let text = "\(detail) (curl error \(code.rawValue))"
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(text)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED,
            CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return .tlsFailure(text)
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .refusedURL(url.absoluteString, reason: text)
        default:
            // Could not resolve or connect, send or receive failed, partial or empty reply,
            // HTTP/2 framing errors, and anything else that left us without a response.
            return .connectionFailed(text)
        }
    }
}
