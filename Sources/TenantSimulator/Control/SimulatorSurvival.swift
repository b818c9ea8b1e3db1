import FlyingFox
import Foundation
import MailscopeCore

/// What a tenant request does, for hold points (`HoldPoints`) and statistics.
enum RequestKind: String, Sendable {
    /// Changes the tenant.
    case write
    /// A read of the kind the propagation wait polls (`Test-*`, a mailbox's content, EWS impersonation).
    case probe
    /// Any other read, and sign-ins.
    case read
}

/// The transport fault drawn for one answer.
enum TransportFault: String, Sendable, CaseIterable {
    case reset, stall, truncated, malformed
}

extension SimulatorServer {
    /// Classifies a tenant request by its method, path, cmdlet and headers.
    static func kind(of request: WireRequest) -> RequestKind {
        let segments = request.segments
        switch segments.first {
        case "graph":
            let last = segments.last ?? ""
            if request.method == "GET" {
                // /graph/v1.0/users/{id}/calendar|messages|contacts|mailboxSettings
                if segments.count >= 5, segments[2] == "users",
                    ["calendar", "messages", "contacts", "mailboxSettings"].contains(segments[4])
                {
                    return .probe
                }
                return .read
            }
            if last == "$batch" || last.hasPrefix("get") || last.hasPrefix("check") { return .read }
            return ["POST", "PATCH", "PUT", "DELETE"].contains(request.method) ? .write : .read
        case "exchange":
            guard request.method == "POST", segments.last == "InvokeCommand" else { return .read }
            let name =
                (try? JSONValue.parse(request.body))?["CmdletInput"]["CmdletName"].string
                ?? request.headers["x-cmdletname"] ?? ""
            let lower = name.lowercased()
            if lower.hasPrefix("get-") { return .read }
            if lower.hasPrefix("test-") { return .probe }
            return .write
        case let first? where first.lowercased() == "ews":
            return String(decoding: request.body, as: UTF8.self).contains("ExchangeImpersonation") ? .probe : .read
        default:
            return .read
        }
    }

    /// A short label of a request for `/_sim/stats` (`held`): method, path, and the cmdlet if any.
    static func label(of request: WireRequest) -> String {
        var text = "\(request.method) \(request.rawPath)"
        if let cmdlet = (try? JSONValue.parse(request.body))?["CmdletInput"]["CmdletName"].string {
            text += " \(cmdlet)"
        }
        return text
    }

    /// Counts a request that was applied and, when it is the configured hold point, never returns
    /// (until the server stops): the answer is held, the tenant already changed.
    func countAndHoldIfDue(_ kind: RequestKind, label: String) async {
        var due = false
        switch kind {
        case .write:
            writeCount += 1
            due = holdPoints.afterWrite == writeCount
        case .probe:
            probeCount += 1
            due = holdPoints.afterProbe == probeCount
        case .read:
            break
        }
        guard due else { return }
        heldRequest = label
        // One long sleep: a cancelled sleep (the server stopping) returns at once.
        try? await Task.sleep(for: .seconds(24 * 3600))
    }

    /// Draws this answer's transport fault, if any, from the seeded stream.
    func drawTransportFault() -> TransportFault? {
        let faults = options.transportFaults
        guard faults.isEnabled else { return nil }
        if transportFaultGenerator.chance(faults.resetRate) { return .reset }
        if transportFaultGenerator.chance(faults.stallRate) { return .stall }
        if transportFaultGenerator.chance(faults.truncateRate) { return .truncated }
        if transportFaultGenerator.chance(faults.malformedRate) { return .malformed }
        return nil
    }

    /// The answer as `fault` breaks it.
    func broken(_ answer: FlyingFox.HTTPResponse, body: Data, by fault: TransportFault) async -> FlyingFox.HTTPResponse {
        faultCounts[fault.rawValue, default: 0] += 1
        switch fault {
        case .reset:
            return FlyingFox.HTTPResponse(webSocket: ClosingHandler(sendsHead: false))
        case .stall:
            try? await Task.sleep(for: options.transportFaults.stallDuration)
            return FlyingFox.HTTPResponse(webSocket: ClosingHandler(sendsHead: false))
        case .truncated:
            // The head promises the whole body; the connection closes before any of it.
            var response = FlyingFox.HTTPResponse(webSocket: ClosingHandler(sendsHead: true))
            response.statusCode = answer.statusCode
            response.headers = answer.headers
            response.headers[.contentLength] = String(max(1, body.count))
            response.headers[.connection] = "close"
            return response
        case .malformed:
            var response = answer
            let half = body.isEmpty ? Data("{\"value\":[".utf8) : body.prefix(body.count / 2)
            response.payload = .httpBody(HTTPBodySequence(data: Data(half)))
            response.headers[.contentLength] = String(half.count)
            if response.headers[.contentType] == nil { response.headers[.contentType] = "application/json" }
            return response
        }
    }

    /// Counts an answer's status for `/_sim/stats` (`statuses`).
    func countStatus(_ status: Int) {
        statusCounts[status, default: 0] += 1
    }
}

/// Closes the connection from inside FlyingFox's protocol switch: with `sendsHead` false before a
/// byte is written (the handler fails), otherwise right after the response head (no frames).
struct ClosingHandler: WSHandler {
    let sendsHead: Bool

    struct Closed: Error {}

    func makeFrames(for client: AsyncThrowingStream<WSFrame, any Error>) async throws -> AsyncStream<WSFrame> {
        guard sendsHead else { throw Closed() }
        return AsyncStream { $0.finish() }
    }
}
