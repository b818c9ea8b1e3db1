import Foundation

/// An HTTP request as the Microsoft clients build it and a transport sends it.
public struct HTTPRequest: Sendable, Equatable {
    /// The method, upper case (`GET`, `POST`, `PATCH`, `DELETE`).
    public var method: String
    /// The absolute URL.
    public var url: URL
    /// Header fields in the order they are sent.
    public var headers: [HTTPHeader]
    /// The body, if any.
    public var body: Data?
    /// How long the whole exchange may take.
    public var timeout: Duration
    /// Credentials the transport answers a server's challenge with (NTLM or Basic), for services
    /// that sign in with a user name and password (Exchange Server's EWS). Never part of a trace.
    public var authentication: HTTPAuthentication?

    /// Creates a request.
    public init(
        method: String,
        url: URL,
        headers: [HTTPHeader] = [],
        body: Data? = nil,
        timeout: Duration = .seconds(60),
        authentication: HTTPAuthentication? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.authentication = authentication
    }

    /// The first value of the header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Sets the header named `name`, replacing any earlier value.
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        headers.append(HTTPHeader(name: name, value: value))
    }
}

/// A user name and password, and the scheme to present them with.
public struct HTTPAuthentication: Sendable, Equatable {
    /// How the credentials are presented.
    public enum Scheme: String, Sendable, Codable, CaseIterable {
        /// NTLM challenge-response on one kept-alive connection (Exchange Server's default for EWS).
        case ntlm
        /// Basic: the password in every request, so only over TLS (or loopback).
        case basic
    }

    /// The scheme.
    public var scheme: Scheme
    /// `DOMAIN\\user` or a user principal name.
    public var username: String
    /// The password.
    public var password: Secret

    /// Creates credentials.
    public init(scheme: Scheme, username: String, password: Secret) {
        self.scheme = scheme
        self.username = username
        self.password = password
    }
}

/// One header field.
public struct HTTPHeader: Sendable, Equatable, Hashable {
    /// The field name as sent.
    public var name: String
    /// The field value.
    public var value: String

    /// Creates a header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An HTTP response.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// Header fields with lower-cased names (the last value wins).
    public var headers: [String: String]
    /// The body.
    public var body: Data

    /// Creates a response.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(
            headers.map { ($0.key.lowercased(), $0.value) },
            uniquingKeysWith: { _, last in last }
        )
        self.body = body
    }

    /// The value of the header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body as UTF-8 text (lossy), for evidence and error messages.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Sends HTTP requests. The libcurl transport is the production one; tests may wrap it.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the response, whatever its status.
    /// Throws `TransportError` when no response arrived.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// Why no HTTP response arrived.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL is not allowed (plain `http://` to a host that is not loopback, or another scheme).
    case refusedURL(String, reason: String)
    /// The server could not be reached or the connection broke.
    case connectionFailed(String)
    /// The exchange took longer than the request's timeout.
    case timedOut(String)
    /// The TLS handshake failed, typically an untrusted or mismatched certificate.
    case tlsFailure(String)

    public var description: String {
        switch self {
        case .refusedURL(let url, let reason): "refused \(url): \(reason)"
        case .connectionFailed(let detail): "connection failed: \(detail)"
        case .timedOut(let detail): "timed out: \(detail)"
        case .tlsFailure(let detail): "TLS verification failed: \(detail)"
        }
    }

    /// Whether the fault may pass (a broken connection or a timeout), as opposed to a refusal that
    /// the same request will meet again (a URL or a redirect mailscope does not follow, a certificate).
    public var mayPass: Bool {
        switch self {
        case .connectionFailed, .timedOut: true
        case .refusedURL, .tlsFailure: false
        }
    }
}

/// The rule every outgoing URL obeys: HTTPS, or plain HTTP to a loopback address only.
public enum EndpointPolicy {
    /// Returns nil when `url` may be used, or the reason it may not.
    public static func violation(for url: URL) -> String? {
        guard let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return "not an absolute URL"
        }
        switch scheme {
        case "https": return nil
        case "http":
            return isLoopback(host: host) ? nil : "plain http:// is allowed for loopback addresses only; use https://"
        default:
            return "only https:// (or http:// on loopback) is supported"
        }
    }

    /// Whether `host` names the loopback interface (`localhost`, 127.0.0.0/8, `::1`).
    public static func isLoopback(host: String) -> Bool {
        let trimmed = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if trimmed == "localhost" || trimmed == "::1" { return true }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }
}
