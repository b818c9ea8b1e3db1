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
        return WireResponse(status: status, headers: all, body: WireJSON.encode(value))
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

/// Compact JSON for answers, keys sorted, slashes unescaped: what `JSONValue.encoded()` writes,
/// without `JSONEncoder`'s per-value overhead (a page of 999 group members was about 16 ms of
/// encoding in a release build, each member page a round trip on the re-check's critical path).
enum WireJSON {
    static func encode(_ value: JSONValue) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4096)
        write(value, into: &bytes)
        return Data(bytes)
    }

    private static func write(_ value: JSONValue, into bytes: inout [UInt8]) {
        switch value {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            if number.rounded() == number, abs(number) < 1e15 {
                bytes.append(contentsOf: String(Int64(number)).utf8)
            } else {
                // Rare in answers: JSONEncoder's own spelling of a non-integral or huge number.
                bytes.append(contentsOf: JSONValue.number(number).encoded())
            }
        case .string(let text): writeString(text, into: &bytes)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(item, into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                write(members[key] ?? .null, into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string (RFC 8259 section 7): quote, backslash and control characters escaped,
    /// everything else as its UTF-8 bytes.
    private static func writeString(_ text: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
