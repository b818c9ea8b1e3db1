import Foundation
import MailscopeCore

/// The entry point of every request: picks the service by path prefix, injects faults, and adds
/// the `request-id` and `client-request-id` headers every Microsoft answer carries.
extension SimulatedTenant {
    func respond(to request: WireRequest, context incoming: RequestContext) -> WireResponse {
        var context = incoming
        if !servedBases.contains(context.endpoints.base) { servedBases.append(context.endpoints.base) }
        context.requestID = newRequestID()
        if context.clientRequestID.isEmpty { context.clientRequestID = context.requestID }
        let segments = request.segments
        var response: WireResponse
        switch segments.first {
        case "login":
            response = login(request, segments: Array(segments.dropFirst()), context: context)
        case "graph":
            response = graph(request, segments: Array(segments.dropFirst()), context: context, inBatch: false)
        case "exchange" where segments.count > 1 && segments[1].lowercased() == "ews":
            response = onlineEWS(request, segments: Array(segments.dropFirst()), context: context)
        case "exchange":
            response = exchange(request, segments: Array(segments.dropFirst()), context: context)
        case let first? where first.lowercased() == "ews":
            response = ews(request, segments: Array(segments.dropFirst()), context: context)
        default:
            response = .text(404, "Not found. The simulator serves /login, /graph, /exchange and /EWS/Exchange.asmx.")
        }
        response.headers["request-id"] = context.requestID
        response.headers["client-request-id"] = context.clientRequestID
        return response
    }

    // MARK: Faults

    /// A throttled (429) or busy (503) answer drawn from the seeded fault generator, or nil.
    func injectedFault(for resource: ResourceKind, context: RequestContext) -> WireResponse? {
        let retryAfter = String(max(0, context.options.retryAfterSeconds))
        if faultGenerator.chance(context.options.throttleRate) {
            let body: JSONValue
            switch resource {
            case .graph:
                body = graphErrorBody(
                    code: "TooManyRequests",
                    message: "Too many requests are being made to the service. Retry after \(retryAfter) seconds.",
                    context: context)
            case .exchange:
                body = [
                    "error": [
                        "code": "TooManyRequests",
                        "message":
                            "You have reached the maximum number of concurrent requests per tenant. Please wait before sending another request.",
                    ]
                ]
            }
            return .json(429, body, headers: ["Retry-After": retryAfter])
        }
        if faultGenerator.chance(context.options.serverErrorRate) {
            let body: JSONValue
            switch resource {
            case .graph:
                body = graphErrorBody(
                    code: "serviceNotAvailable", message: "The service is temporarily unavailable. Try again later.",
                    context: context)
            case .exchange:
                body = ["error": ["code": "ServiceUnavailable", "message": "The service is temporarily unavailable."]]
            }
            return .json(503, body, headers: ["Retry-After": retryAfter])
        }
        return nil
    }

    /// Graph's error body: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
    func graphErrorBody(code: String, message: String, context: RequestContext, details: [JSONValue] = []) -> JSONValue {
        var error: [String: JSONValue] = [
            "code": .string(code), "message": .string(message),
            "innerError": [
                "date": .string(Timestamp.string(now)), "request-id": .string(context.requestID),
                "client-request-id": .string(context.clientRequestID),
            ],
        ]
        if !details.isEmpty { error["details"] = .array(details) }
        return ["error": .object(error)]
    }
}
