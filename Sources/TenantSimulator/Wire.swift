import Foundation
import MailscopeCore

/// An HTTP request as the simulator's routes see it, independent of the HTTP server library.
struct WireRequest: Sendable {
    /// The method, upper case.
    var method: String
    /// The path as sent (percent-encoded), e.g. `/graph/v1.0/users`.
    var rawPath: String
    /// The query as sent (percent-encoded), without `?`.
    var rawQuery: String
    /// Header fields with lower-cased names.
    var headers: [String: String]
    /// The body.
    var body: Data
    /// The TCP connection the request came on (`ip:port` of the client), for connection-bound
    /// authentication (NTLM); empty when unknown.
    var connection = ""

    /// The path split into percent-decoded segments (empty segments dropped).
    var segments: [String] {
        rawPath.split(separator: "/", omittingEmptySubsequences: true).map { Self.decode(String($0)) }
    }

    /// The query's parameters, percent-decoded; names are lower-cased, the first value wins.
    var query: [String: String] {
        var result: [String: String] = [:]
        for pair in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(String(parts[0]), plusIsSpace: true).lowercased()
            let value = parts.count > 1 ? Self.decode(String(parts[1]), plusIsSpace: true) : ""
            if result[name] == nil { result[name] = value }
        }
        return result
    }

    /// The value of header `name` (case-insensitive).
    func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Percent-decodes `text`; malformed escapes are kept as they are.
    static func decode(_ text: String, plusIsSpace: Bool = false) -> String {
        let source = plusIsSpace ? text.replacingOccurrences(of: "+", with: " ") : text
        return source.removingPercentEncoding ?? source
    }

    /// Parses an `application/x-www-form-urlencoded` body.
    static func form(_ body: Data) -> [String: String] {
        let text = String(decoding: body, as: UTF8.self)
        var result: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(String(parts[0]), plusIsSpace: true)
            let value = parts.count > 1 ? decode(String(parts[1]), plusIsSpace: true) : ""
            if result[name] == nil { result[name] = value }
        }
        return result
    }
}

/// An HTTP response produced by a route.
struct WireResponse: Sendable {
    /// The status code.
    var status: Int
    /// Header fields (names as sent).
    var headers: [String: String]
    /// The body.
    var body: Data
    /// Whether the connection stays open after this response (an NTLM challenge, whose handshake
    /// continues on the same connection); otherwise the server sends `Connection: close`.
    var keepsConnectionOpen = false

    /// A JSON response.
    static func json(_ status: Int, _ value: JSONValue, headers: [String: String] = [:]) -> WireResponse {
        var all = headers
        all["Content-Type"] = "application/json; charset=utf-8"
        return WireResponse(status: status, headers: all, body: value.encoded())
    }

    /// A response without a body.
    static func empty(_ status: Int, headers: [String: String] = [:]) -> WireResponse {
        WireResponse(status: status, headers: headers, body: Data())
    }

    /// A plain-text response.
    static func text(_ status: Int, _ text: String) -> WireResponse {
        WireResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Data(text.utf8))
    }

    /// The body parsed as JSON, or nil.
    var json: JSONValue? { body.isEmpty ? nil : try? JSONValue.parse(body) }
}

/// Everything a route needs to know about the request besides the request itself.
struct RequestContext: Sendable {
    /// The server's per-request options.
    var options: SimulatorOptions
    /// The base URLs.
    var endpoints: SimulatorEndpoints
    /// The request id this answer carries.
    var requestID: String
    /// The client's request id, echoed.
    var clientRequestID: String
}

/// ISO 8601 dates as Microsoft writes them.
enum Timestamp {
    /// `2026-11-23T12:00:00Z`.
    static func string(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    /// Parses an ISO 8601 date with or without fractional seconds (Graph writes up to seven digits).
    static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        if let dot = text.firstIndex(of: "."),
            let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
        {
            return try? Date.ISO8601FormatStyle().parse(String(text[..<dot]) + String(text[zone...]))
        }
        return nil
    }
}

extension String {
    /// The string without trailing slashes.
    var withoutTrailingSlash: String {
        var value = self
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }

    /// Whether two strings are equal ignoring case.
    func equalsIgnoringCase(_ other: String) -> Bool { caseInsensitiveCompare(other) == .orderedSame }
}

/// Base64url without padding.
enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard base64.count % 4 != 1 else { return nil }
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
