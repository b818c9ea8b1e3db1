/// Builds the response's header fields from the lines libcurl passes to its header callback.
///
/// Names are lower-cased and the last value of a repeated field wins (as `HTTPResponse`
/// documents). A new status line (`HTTP/…`) starts over, so after interim responses
/// (`100 Continue`, a proxy's `CONNECT` reply) only the final response's fields remain.
struct ResponseHeadCollector {
    /// The fields collected so far.
    private(set) var headers: [String: String] = [:]
    /// The field the previous line belonged to, for obsolete folded continuation lines.
    private var lastName: String?

    /// Takes one header line, with or without its trailing CRLF.
    mutating func consume(line rawLine: String) {
        var line = Substring(rawLine)
        while let last = line.last, last == "\r" || last == "\n" || last == "\r\n" { line = line.dropLast() }

        if line.hasPrefix("HTTP/") {
            headers = [:]
            lastName = nil
            return
        }
        guard let first = line.first else { return }  // the blank line that ends a head
        if first == " " || first == "\t" {
            // A folded continuation of the previous field (obsolete, but still legal to receive).
            if let lastName, let previous = headers[lastName] {
                headers[lastName] = previous + " " + line.trimmingWhitespace()
            }
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingWhitespace().lowercased()
        guard !name.isEmpty else { return }
        headers[name] = line[line.index(after: colon)...].trimmingWhitespace()
        lastName = name
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    fileprivate func trimmingWhitespace() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isBlank($0) }), let end = lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
