import Foundation
import MailscopeCore

/// One request inside a Graph `$batch`.
public struct BatchRequest: Sendable, Equatable {
    /// Unique within the batch.
    public var id: String
    /// The method.
    public var method: String
    /// The URL relative to the version root, e.g. `/users?$filter=...`.
    public var url: String
    /// The JSON body, if any.
    public var body: JSONValue?

    /// Creates a batch request.
    public init(id: String, method: String = "GET", url: String, body: JSONValue? = nil) {
        self.id = id
        self.method = method
        self.url = url
        self.body = body
    }

    /// `request` inside a `$batch` of its version: its URL is relative to the version root
    /// (`/v1.0/users?…` goes as `/users?…`; microsoft-graph-docs-contrib `concepts/json-batching.md`).
    public init(id: String, _ request: GraphRequest, body: JSONValue? = nil) {
        let path = request.path
        let versionEnd = path.dropFirst().firstIndex(of: "/") ?? path.endIndex
        self.init(id: id, method: request.method, url: String(path[versionEnd...]), body: body)
    }
}

/// One answer inside a Graph `$batch` response.
public struct BatchResponse: Sendable, Equatable {
    /// The request's id.
    public var id: String
    /// The status.
    public var status: Int
    /// The body.
    public var body: JSONValue
}

/// Microsoft Graph over the injected transport: JSON, paging, `$batch`, retries and token refresh.
public struct GraphClient: Sendable {
    /// The Graph base URL.
    public let base: URL
    private let tokens: any AccessTokenProvider
    private let sender: RequestSender

    /// The most requests Graph accepts in one `$batch`.
    public static let batchLimit = 20

    /// Creates a client.
    public init(base: URL, tokens: any AccessTokenProvider, sender: RequestSender) {
        self.base = base
        self.tokens = tokens
        self.sender = sender
    }

    /// Helpers for building paths: an OData string literal (`'` doubled).
    public static func literal(_ value: String) -> String { Query.literal(value) }

    /// The header an advanced directory query needs (with `$count=true` in its query): `$search`,
    /// `$filter` with `ne` or `endsWith`, `$orderby`, or an OData cast on a membership list
    /// (microsoft-graph-docs-contrib `concepts/aad-advanced-queries.md`).
    public static let eventualConsistency = HTTPHeader(name: "ConsistencyLevel", value: "eventual")

    /// `path` with query items, encoded.
    public static func path(_ path: String, _ items: [(String, String)]) -> String { Query.path(path, items) }

    /// A path segment, encoded.
    public static func segment(_ value: String) -> String { Query.segment(value) }

    /// The `@odata.id` (or `@odata.bind`) URL of a directory object, as a reference in a body:
    /// `https://graph.microsoft.com/v1.0/directoryObjects/{id}`
    /// (microsoft-graph-docs-contrib api-reference/v1.0/api/group-post-members.md, group-post-groups.md).
    public func reference(_ collection: DirectoryCollection, id: String) -> String {
        "\(base.absoluteString)/v1.0/\(collection.rawValue)/\(id)"
    }

    /// The collections a reference names.
    public enum DirectoryCollection: String, Sendable {
        /// Any directory object (a group member).
        case directoryObjects
        /// A user (a group owner, delegated sign-in).
        case users
        /// A service principal (a group owner, app-only sign-in).
        case servicePrincipals
    }

    // MARK: Typed requests (what the engine sends)

    /// Sends the GET `request`.
    public func get(_ request: GraphRequest) async throws -> JSONValue {
        try await send(request.method, request.path, headers: request.headers, idempotent: request.idempotent).json
    }

    /// Sends the GET `request`, or nil when it answers 404.
    public func getIfPresent(_ request: GraphRequest) async throws -> JSONValue? {
        do {
            return try await get(request)
        } catch let error as MicrosoftError where error.isNotFound {
            return nil
        }
    }

    /// Every page of the collection `request` reads (its headers go with every page).
    public func list(_ request: GraphRequest, limit: Int = .max) async throws -> [JSONValue] {
        try await list(request.path, limit: limit, headers: request.headers) { $0 }
    }

    /// Every page of the collection `request` reads, each item turned into a `T` as its page arrives.
    public func list<T>(
        _ request: GraphRequest, limit: Int = .max, _ transform: (JSONValue) throws -> T
    ) async throws -> [T] {
        try await list(request.path, limit: limit, headers: request.headers, transform)
    }

    /// Sends `request` with a JSON body (or none: a DELETE); returns the status and the body
    /// (`.null` when empty). Resent after a lost answer only when the request is idempotent.
    @discardableResult
    public func write(_ request: GraphRequest, body: JSONValue?) async throws -> (status: Int, body: JSONValue) {
        let result = try await send(
            request.method, request.path, body: body, headers: request.headers, idempotent: request.idempotent)
        return (result.status, result.json)
    }

    // MARK: Paths (tests, the fuzzers, and requests without a builder)

    /// GETs `path` (e.g. `/v1.0/organization`).
    public func get(_ path: String, headers: [HTTPHeader] = []) async throws -> JSONValue {
        try await send("GET", path, headers: headers).json
    }

    /// GETs `path`, or nil when it answers 404.
    public func getIfPresent(_ path: String) async throws -> JSONValue? {
        do {
            return try await get(path)
        } catch let error as MicrosoftError where error.isNotFound {
            return nil
        }
    }

    /// GETs every page of the collection at `path`, following `@odata.nextLink`; `headers` go with
    /// every page (an advanced query's `ConsistencyLevel: eventual`, say).
    public func list(_ path: String, limit: Int = .max, headers: [HTTPHeader] = []) async throws -> [JSONValue] {
        try await list(path, limit: limit, headers: headers) { $0 }
    }

    /// GETs every page of the collection at `path`, following `@odata.nextLink`, and turns each
    /// item into a `T` as its page arrives, so only one page of parsed JSON is held at a time
    /// (a group of 10,000 members is 11 pages).
    public func list<T>(
        _ path: String, limit: Int = .max, headers: [HTTPHeader] = [], _ transform: (JSONValue) throws -> T
    ) async throws -> [T] {
        var items: [T] = []
        var next: String? = path
        while let current = next, items.count < limit {
            let page = try await send("GET", current, headers: headers).json
            for item in page["value"].array ?? [] { items.append(try transform(item)) }
            next = page["@odata.nextLink"].string
        }
        return items
    }

    /// Sends a JSON body; returns the status and the body (`.null` when empty).
    @discardableResult
    public func write(
        _ method: String,
        _ path: String,
        body: JSONValue?,
        headers: [HTTPHeader] = [],
        idempotent: Bool = false
    ) async throws -> (status: Int, body: JSONValue) {
        let result = try await send(method, path, body: body, headers: headers, idempotent: idempotent)
        return (result.status, result.json)
    }

    /// How many `$batch` requests are in flight at once (Graph allows more; 4 keeps within the
    /// per-mailbox concurrency limit of 4 when a batch touches one mailbox).
    public static let batchConcurrency = 4

    /// Runs `requests` through `$batch`, 20 at a time with up to four batches in flight, retrying
    /// inner 429s; answers in request order.
    public func batch(_ requests: [BatchRequest], version: String = "v1.0") async throws -> [BatchResponse] {
        var answers: [String: BatchResponse] = [:]
        var pending = requests
        var round = 0
        while !pending.isEmpty {
            round += 1
            let chunks = stride(from: 0, to: pending.count, by: Self.batchLimit).map {
                Array(pending[$0..<min($0 + Self.batchLimit, pending.count)])
            }
            var retry: [BatchRequest] = []
            var retryAfter: Double = 0
            try await withThrowingTaskGroup(of: (chunk: [BatchRequest], responses: [JSONValue]).self) { group in
                var next = 0
                func startNext() {
                    guard next < chunks.count else { return }
                    let chunk = chunks[next]
                    next += 1
                    group.addTask { (chunk, try await self.sendBatch(chunk, version: version)) }
                }
                for _ in 0..<min(Self.batchConcurrency, chunks.count) { startNext() }
                while let (chunk, responses) = try await group.next() {
                    for response in responses {
                        guard let id = response["id"].string else { continue }
                        // Not Int(_:), which stops the process on a status of 1e300 (found by scripts/fuzz).
                        let status = response["status"].number.flatMap { Int(exactly: $0) } ?? 0
                        if status == 429 || status == 503, round < sender.policy.maximumAttempts,
                            let request = chunk.first(where: { $0.id == id })
                        {
                            retry.append(request)
                            let header =
                                response["headers"]["Retry-After"].string ?? response["headers"]["retry-after"].string
                            retryAfter = max(retryAfter, header.flatMap(Double.init) ?? 1)
                            continue
                        }
                        answers[id] = BatchResponse(id: id, status: status, body: response["body"])
                    }
                    startNext()
                }
            }
            pending = retry
            // At most the longest Retry-After the sender honours (a server may send any number).
            if !pending.isEmpty {
                try await sender.clock.sleep(for: min(.interval(retryAfter), sender.policy.maximumRetryAfter))
            }
        }
        return requests.map {
            answers[$0.id]
                ?? BatchResponse(
                    id: $0.id,
                    status: 0,
                    body: ["error": ["code": "NoResponse", "message": "missing from $batch answer"]]
                )
        }
    }

    private func sendBatch(_ chunk: [BatchRequest], version: String) async throws -> [JSONValue] {
        let body: JSONValue = [
            "requests": .array(
                chunk.map { request in
                    var item: [String: JSONValue] = [
                        "id": .string(request.id), "method": .string(request.method), "url": .string(request.url),
                    ]
                    if let body = request.body {
                        item["body"] = body
                        item["headers"] = ["Content-Type": "application/json"]
                    }
                    return .object(item)
                }
            )
        ]
        return try await send("POST", "/\(version)/$batch", body: body, headers: [], idempotent: true).json["responses"]
            .array ?? []
    }

    /// The error a failed batch answer stands for.
    public static func error(of response: BatchResponse, request: String) -> MicrosoftError {
        let error = response.body["error"]
        return MicrosoftError(
            service: .graph,
            status: response.status,
            code: error["code"].string ?? "HTTP\(response.status)",
            message: error["message"].string ?? "",
            request: request
        )
    }

    private func send(
        _ method: String,
        _ path: String,
        body: JSONValue? = nil,
        headers: [HTTPHeader],
        idempotent: Bool? = nil
    ) async throws -> (status: Int, json: JSONValue) {
        let url: URL
        if path.hasPrefix("http://") || path.hasPrefix("https://") {
            // An @odata.nextLink: only ever followed on the same host.
            guard let link = URL(string: path), link.host == base.host, link.port == base.port else {
                throw MicrosoftError(
                    service: .graph,
                    status: 0,
                    code: "UnexpectedNextLink",
                    message: "a next link points to another host",
                    request: "\(method) \(path)"
                )
            }
            url = link
        } else {
            guard let built = base.appending(rawPath: path) else {
                throw MicrosoftError(service: .graph, status: 0, code: "BadPath", message: path, request: method)
            }
            url = built
        }
        let label = "\(method) \(url.path)"
        var forceRefresh = false
        for attempt in 1...2 {
            let token = try await tokens.token(for: .graph, forceRefresh: forceRefresh)
            var request = HTTPRequest(method: method, url: url, headers: headers)
            request.setHeader("Authorization", "Bearer \(token.value.reveal())")
            request.setHeader("Accept", "application/json")
            request.setHeader("client-request-id", UUID().uuidString.lowercased())
            if let body {
                request.body = body.encoded()
                request.setHeader("Content-Type", "application/json")
            }
            let (response, decoded) = try await sender.send(
                request, idempotent: idempotent ?? (method == "GET"), decode: HTTPResponse.jsonBody)
            if response.status == 401, attempt == 1 {
                forceRefresh = true  // expired or revoked: one fresh token, then give up
                continue
            }
            guard (200..<300).contains(response.status) else {
                throw ErrorBody.parse(response, service: .graph, request: label)
            }
            guard let json = decoded else {
                throw MicrosoftError(
                    service: .graph,
                    status: response.status,
                    code: "MalformedResponse",
                    message: "the answer is not valid JSON",
                    request: label
                )
            }
            return (response.status, json)
        }
        throw MicrosoftError(
            service: .graph,
            status: 401,
            code: "Unauthorized",
            message: "token refused twice",
            request: label
        )
    }
}
