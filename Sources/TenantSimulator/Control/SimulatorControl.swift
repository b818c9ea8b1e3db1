import FlyingFox
import Foundation
import MailscopeCore

/// One tenant request as the simulator's request log records it (for benchmarks).
public struct RequestRecord: Sendable, Equatable {
    /// The HTTP method.
    public var method: String
    /// The path and query as received (still percent-encoded).
    public var target: String
    /// `login`, `graph`, `exchange`, or `other`.
    public var service: String
    /// The status answered.
    public var status: Int
    /// When the request was received, since the statistics were last reset.
    public var started: Duration
    /// When the answer was ready (after the added latency), since the statistics were last reset.
    public var finished: Duration
}

/// Simulator-only endpoints under `/_sim/` for benchmarks. Microsoft has nothing like them; clients
/// of the tenant (mailscope) never call them. The server listens on 127.0.0.1 only, so only local
/// processes reach them.
///
/// | request | answer |
/// |---|---|
/// | `GET /_sim/stats` | `{"requests","inFlight","maxInFlight","byService":{"login","graph","exchange",…},"latencyMs","elapsedMs","logged","unlogged"}` since the start or the last reset |
/// | `GET /_sim/requests` | `{"value":[{"method","target","service","status","startMs","endMs"}]}`, oldest first |
/// | `POST /_sim/reset` | 204; zeroes the counters and empties the request log |
/// | `POST /_sim/latency?ms=N` | 200 `{"latencyMs":N}`; the latency added to each later tenant request (0 to 60000) |
/// | `POST /_sim/hold-after?write=N` | 200 `{"holdAfterWrite":N,"holdAfterProbe":K}`; the Nth write since the start is applied and its answer held forever (`probe=K` likewise; `0` clears) |
/// | `GET /_sim/inventory[?tenant=NAME]` | the tenant's objects (the default tenant's, or the one with that id or domain), normalised for comparison (`SimulatedTenant.inventory()`) |
///
/// `stats` also carries, for crash and fault tests: `writes` and `probes` since the start (see
/// `HoldPoints` for what counts), `held` (whether an answer is being held) and `heldRequest`,
/// `faults` by kind (`reset`, `stall`, `truncated`, `malformed` as injected; `throttled` and
/// `serverError` as the 429 and 503 answers) and `statuses` (answers by status; 404 and 401 show
/// replication lag and expired tokens).
///
/// Requests to `/_sim/` are neither counted nor delayed.
extension SimulatorServer {
    /// Answers a `/_sim/` request.
    func control(method: String, path: String, query: String) async -> FlyingFox.HTTPResponse {
        let route = path.split(separator: "/").dropFirst().joined(separator: "/")
        switch (method, route) {
        case ("GET", "stats"):
            return Self.json(200, statistics())
        case ("GET", "requests"):
            return Self.json(200, ["value": .array(requestLog.map(Self.json(of:)))])
        case ("POST", "reset"):
            resetStatistics()
            return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(204, phrase: Self.phrase(204)))
        case ("POST", "latency"):
            let items = query.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
            guard let value = items.first(where: { $0.first == "ms" })?.dropFirst().first, let milliseconds = Int(value),
                (0...60_000).contains(milliseconds)
            else {
                return Self.json(400, ["error": "POST /_sim/latency?ms=N with N from 0 to 60000"])
            }
            setLatency(.milliseconds(milliseconds))
            return Self.json(200, ["latencyMs": .number(Double(milliseconds))])
        case ("POST", "hold-after"):
            var points = holdPoints
            for item in query.split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2, let value = Int(pair[1]), value >= 0, ["write", "probe"].contains(pair[0]) else {
                    return Self.json(400, ["error": "POST /_sim/hold-after?write=N or ?probe=K (N, K ≥ 0; 0 clears)"])
                }
                if pair[0] == "write" { points.afterWrite = value == 0 ? nil : value }
                if pair[0] == "probe" { points.afterProbe = value == 0 ? nil : value }
            }
            holdPoints = points
            return Self.json(
                200,
                [
                    "holdAfterWrite": points.afterWrite.map { .number(Double($0)) } ?? .null,
                    "holdAfterProbe": points.afterProbe.map { .number(Double($0)) } ?? .null,
                ])
        case ("GET", "inventory"):
            // `?tenant=NAME` (an id or a verified domain) picks one of several tenants.
            let named = query.split(separator: "&").compactMap { item -> String? in
                let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
                return pair.count == 2 && pair[0] == "tenant" ? WireRequest.decode(pair[1]) : nil
            }.first
            guard let served = named.map({ tenantsByName[$0.lowercased()] }) ?? tenant else {
                return Self.json(404, ["error": .string("no simulated tenant is named \(named ?? "")")])
            }
            return Self.json(200, await served.inventory())
        case (_, "stats"), (_, "requests"), (_, "reset"), (_, "latency"), (_, "hold-after"), (_, "inventory"):
            return Self.json(405, ["error": .string("\(method) is not allowed on /_sim/\(route)")])
        default:
            return Self.json(
                404, ["error": "simulator-only endpoints: GET /_sim/stats, GET /_sim/requests, POST /_sim/reset, POST /_sim/latency?ms=N, POST /_sim/hold-after?write=N, GET /_sim/inventory"])
        }
    }

    /// Changes the latency added to each tenant request from now on.
    public func setLatency(_ latency: Duration) {
        self.latency = max(.zero, latency)
    }

    /// Zeroes the request counters and empties the request log (requests in flight stay in flight,
    /// and are not logged).
    public func resetStatistics() {
        statisticsEpoch = .now
        requestCount = 0
        maxInFlight = inFlight
        requestsByService = [:]
        requestLog = []
        unloggedRequests = 0
        faultCounts = [:]
        statusCounts = [:]
    }

    /// The statistics `GET /_sim/stats` answers.
    public func statistics() -> MailscopeCore.JSONValue {
        var services: [String: MailscopeCore.JSONValue] = [:]
        for (service, count) in requestsByService { services[service] = .number(Double(count)) }
        var faults: [String: MailscopeCore.JSONValue] = [:]
        for kind in TransportFault.allCases { faults[kind.rawValue] = .number(Double(faultCounts[kind.rawValue] ?? 0)) }
        faults["throttled"] = .number(Double(statusCounts[429] ?? 0))
        faults["serverError"] = .number(Double(statusCounts[503] ?? 0))
        var statuses: [String: MailscopeCore.JSONValue] = [:]
        for (status, count) in statusCounts { statuses[String(status)] = .number(Double(count)) }
        return [
            "requests": .number(Double(requestCount)), "inFlight": .number(Double(inFlight)),
            "maxInFlight": .number(Double(maxInFlight)), "byService": .object(services),
            "latencyMs": .number(Self.milliseconds(latency)),
            "elapsedMs": .number(Self.milliseconds(ContinuousClock.now - statisticsEpoch)),
            "logged": .number(Double(requestLog.count)), "unlogged": .number(Double(unloggedRequests)),
            "writes": .number(Double(writeCount)), "probes": .number(Double(probeCount)),
            "held": .bool(heldRequest != nil), "heldRequest": heldRequest.map(MailscopeCore.JSONValue.string) ?? .null,
            "faults": .object(faults), "statuses": .object(statuses),
        ]
    }

    func record(_ entry: RequestRecord) {
        if requestLog.count < Self.requestLogLimit {
            requestLog.append(entry)
        } else {
            unloggedRequests += 1
        }
    }

    static func service(ofPath path: String) -> String {
        switch path.split(separator: "/").first {
        case "login": "login"
        case "graph": "graph"
        case "exchange": "exchange"
        case let first? where first.lowercased() == "ews": "ews"
        default: "other"
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return (Double(seconds) * 1000 + Double(attoseconds) / 1e15).rounded(toPlaces: 3)
    }

    static func json(of record: RequestRecord) -> MailscopeCore.JSONValue {
        [
            "method": .string(record.method), "target": .string(record.target), "service": .string(record.service),
            "status": .number(Double(record.status)), "startMs": .number(milliseconds(record.started)),
            "endMs": .number(milliseconds(record.finished)),
        ]
    }

    static func json(_ status: Int, _ value: MailscopeCore.JSONValue) -> FlyingFox.HTTPResponse {
        FlyingFox.HTTPResponse(
            statusCode: HTTPStatusCode(status, phrase: phrase(status)),
            headers: [.contentType: "application/json; charset=utf-8", .connection: "close"], body: value.encoded())
    }
}

extension Double {
    fileprivate func rounded(toPlaces places: Int) -> Double {
        let factor = pow(10, Double(places))
        return (self * factor).rounded() / factor
    }
}
