import CCurl
import CCurlShims
import Foundation
import MailscopeCore

/// One request on its way through a transport.
///
/// `send` creates it and the mailbox publishes it to the worker thread under its lock. From
/// then on only the worker touches the transfer state (phase, response, buffers); the two
/// flags below are guarded by the mailbox lock.
final class CurlTransfer: @unchecked Sendable {
    /// Where the transfer is, as seen by the worker.
    enum Phase {
        /// Submitted, waiting for a free slot.
        case waiting
        /// In flight on this easy handle.
        case active(UnsafeMutableRawPointer)
        /// Done; the caller has been resumed.
        case finished
    }

    /// The request to send.
    let request: HTTPRequest

    /// Set when the calling task was cancelled. Guarded by the mailbox lock.
    var isCancellationRequested = false
    /// Set once the worker may see the transfer. Guarded by the mailbox lock.
    var isSubmitted = false

    /// The suspended caller; set before publication, resumed and cleared by `finish`.
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    /// Worker only.
    var phase = Phase.waiting

    /// The response head, filled by the header callback. Worker only.
    private var head = ResponseHeadCollector()
    /// The response body, filled by the write callback. Worker only.
    private var body = Data()
    /// The request headers as libcurl wants them; must outlive the transfer.
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// Where libcurl writes its explanation of a failure.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Creates a transfer for `request`.
    init(request: HTTPRequest) {
        self.request = request
        let size = Int(CURL_ERROR_SIZE)
        errorBuffer = .allocate(capacity: size)
        errorBuffer.initialize(repeating: 0, count: size)
    }

    deinit {
        // The easy handle was reset before the worker let go, so nothing points here any more.
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Resumes the caller with `outcome`; later calls do nothing.
    func finish(_ outcome: Result<HTTPResponse, any Error>) {
        phase = .finished
        continuation?.resume(with: outcome)
        continuation = nil
    }

    // MARK: Setting up the easy handle

    /// Sets every option of `handle` for this request.
    ///
    /// - Throws: `TransportError.connectionFailed` when libcurl rejects an option (for example
    ///   one this libcurl is too old for); security options are never skipped silently.
    func configure(_ handle: UnsafeMutableRawPointer, with configuration: CurlConfiguration) throws {
        let setup = EasySetup(handle: handle)
        let url = request.url

        // Where, and only there: no other protocols, no redirects, no proxy for loopback.
        try setup.string(CURLOPT_URL, url.absoluteString, "URL")
        try setup.string(CURLOPT_PROTOCOLS_STR, "http,https", "PROTOCOLS_STR")
        try setup.string(CURLOPT_REDIR_PROTOCOLS_STR, "http,https", "REDIR_PROTOCOLS_STR")
        try setup.long(CURLOPT_FOLLOWLOCATION, 0, "FOLLOWLOCATION")
        if let host = url.host, EndpointPolicy.isLoopback(host: host) {
            // An empty proxy disables any proxy from the environment.
            try setup.string(CURLOPT_PROXY, "", "PROXY")
        }

        // TLS: always verified, never below 1.2.
        try setup.long(CURLOPT_SSL_VERIFYPEER, 1, "SSL_VERIFYPEER")
        try setup.long(CURLOPT_SSL_VERIFYHOST, 2, "SSL_VERIFYHOST")
        try setup.long(CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2, "SSLVERSION")
        if let caBundlePath = configuration.caBundlePath {
            try setup.string(CURLOPT_CAINFO, caBundlePath, "CAINFO")
            // The bundle is the whole trust store: no CA directory on top of it.
            try setup.string(CURLOPT_CAPATH, nil, "CAPATH")
        }

        // Behaviour on a shared worker thread: no signals; timeouts.
        try setup.long(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        let timeout = Self.milliseconds(request.timeout)
        try setup.long(CURLOPT_TIMEOUT_MS, timeout, "TIMEOUT_MS")
        try setup.long(
            CURLOPT_CONNECTTIMEOUT_MS,
            min(timeout, Self.milliseconds(configuration.connectTimeout)),
            "CONNECTTIMEOUT_MS"
        )
        try setup.long(CURLOPT_TCP_KEEPALIVE, 1, "TCP_KEEPALIVE")

        // Content: any encoding libcurl can decode; our user agent unless the request sets one.
        try setup.string(CURLOPT_ACCEPT_ENCODING, "", "ACCEPT_ENCODING")
        try setup.string(CURLOPT_USERAGENT, configuration.userAgent, "USERAGENT")

        // Method and body.
        let method = request.method.uppercased()
        let carriesBody = request.body != nil || ["POST", "PUT", "PATCH"].contains(method)
        if carriesBody {
            let payload = request.body ?? Data()
            try payload.withUnsafeBytes { bytes in
                try setup.check(
                    mailscope_curl_set_body(handle, bytes.baseAddress, curl_off_t(bytes.count)),
                    "POSTFIELDS"
                )
            }
            if method != "POST" { try setup.string(CURLOPT_CUSTOMREQUEST, method, "CUSTOMREQUEST") }
        } else if method == "GET" {
            try setup.long(CURLOPT_HTTPGET, 1, "HTTPGET")
        } else if method == "HEAD" {
            try setup.long(CURLOPT_NOBODY, 1, "NOBODY")
        } else {
            try setup.string(CURLOPT_CUSTOMREQUEST, method, "CUSTOMREQUEST")
        }

        // Credentials: libcurl answers the server's challenge (NTLM needs the connection kept alive
        // between its three legs, which libcurl's connection cache does).
        if let authentication = request.authentication {
            // CURLAUTH_BASIC (1) and CURLAUTH_NTLM (8): macros with casts that Swift cannot import.
            let scheme = authentication.scheme == .ntlm ? 8 : 1
            try setup.long(CURLOPT_HTTPAUTH, scheme, "HTTPAUTH")
            try setup.string(CURLOPT_USERNAME, authentication.username, "USERNAME")
            try setup.string(CURLOPT_PASSWORD, authentication.password.reveal(), "PASSWORD")
        }

        // Headers.
        headerList = try Self.makeHeaderList(for: request, carriesBody: carriesBody)
        try setup.check(mailscope_curl_set_list(handle, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")

        // Where the response goes.
        errorBuffer[0] = 0
        try setup.check(mailscope_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")
        let context = Unmanaged.passUnretained(self).toOpaque()
        try setup.check(
            mailscope_curl_set_data_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                guard let data, let context else { return 0 }
                let length = size * count
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().head.consume(line: line)
                return length
            },
            "HEADERFUNCTION"
        )
        try setup.check(mailscope_curl_set_pointer(handle, CURLOPT_HEADERDATA, context), "HEADERDATA")
        try setup.check(
            mailscope_curl_set_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                guard let data, let context else { return 0 }
                let length = size * count
                Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().body
                    .append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
                return length
            },
            "WRITEFUNCTION"
        )
        try setup.check(mailscope_curl_set_pointer(handle, CURLOPT_WRITEDATA, context), "WRITEDATA")
    }

    /// The request's headers as a libcurl list, plus the overrides of libcurl's own headers:
    /// no `Expect: 100-continue`, and no invented `Content-Type` for a body without one.
    private static func makeHeaderList(
        for request: HTTPRequest,
        carriesBody: Bool
    ) throws -> UnsafeMutablePointer<curl_slist>? {
        var lines: [String] = []
        for header in request.headers {
            // libcurl computes Content-Length itself; a second one would corrupt the request.
            guard CurlRequestValidation.isToken(header.name),
                header.name.caseInsensitiveCompare("Content-Length") != .orderedSame
            else { continue }
            let value = CurlRequestValidation.headerValue(header.value)
            // "Name;" is libcurl's spelling of a header with an empty value.
            lines.append(value.isEmpty ? "\(header.name);" : "\(header.name): \(value)")
        }
        if request.header("Expect") == nil { lines.append("Expect:") }
        if carriesBody && request.header("Content-Type") == nil { lines.append("Content-Type:") }

        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw TransportError.connectionFailed("libcurl could not store the request headers")
            }
            list = appended
        }
        return list
    }

    /// `duration` in whole milliseconds, at least 1 (libcurl reads 0 as "no timeout").
    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 1 }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return Int.max }
        return max(1, Int(clamping: scaled + attoseconds / 1_000_000_000_000_000))
    }

    // MARK: Reading the result

    /// The response, or the error, after libcurl finished the transfer on `handle` with `code`.
    func outcome(of code: CURLcode, on handle: UnsafeMutableRawPointer) -> Result<HTTPResponse, any Error> {
        guard code == CURLE_OK else {
            let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
            return .failure(CurlErrorMapping.transportError(for: code, detail: detail, url: request.url))
        }
        var status = 0
        guard mailscope_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK, status > 0 else {
            return .failure(
                TransportError.connectionFailed("no HTTP status received from \(request.url.host ?? "server")")
            )
        }
        return .success(HTTPResponse(status: status, headers: head.headers, body: body))
    }
}

/// Sets options on one easy handle, turning a rejected option into a `TransportError`.
private struct EasySetup {
    let handle: UnsafeMutableRawPointer

    func long(_ option: CURLoption, _ value: Int, _ name: String) throws {
        try check(mailscope_curl_set_long(handle, option, value), name)
    }

    func string(_ option: CURLoption, _ value: String?, _ name: String) throws {
        if let value {
            try check(value.withCString { mailscope_curl_set_string(handle, option, $0) }, name)
        } else {
            try check(mailscope_curl_set_string(handle, option, nil), name)
        }
    }

    func check(_ code: CURLcode, _ name: String) throws {
        guard code == CURLE_OK else {
            let reason = String(cString: curl_easy_strerror(code))
            throw TransportError.connectionFailed("libcurl rejected CURLOPT_\(name): \(reason)")
        }
    }
}

/// Checks on request fields that end up verbatim in the request head.
enum CurlRequestValidation {
    /// Whether `text` is an HTTP token (RFC 9110 `tchar`s), as a method or header name must be.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"):
                    true
                default:
                    "!#$%&'*+-.^_`|~".utf8.contains(byte)
                }
            }
    }

    /// `value` with line breaks and NULs replaced by spaces, so it cannot start a new header,
    /// and surrounding whitespace trimmed.
    static func headerValue(_ value: String) -> String {
        String(value.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" || $0 == "\0" ? " " : $0 })
            .trimmingCharacters(in: .whitespaces)
    }
}
