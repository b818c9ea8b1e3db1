import Foundation
import MailscopeCore

/// The base URLs of one Microsoft cloud.
public struct CloudEndpoints: Sendable, Equatable {
    /// The identity platform, e.g. `https://login.microsoftonline.com`.
    public var login: URL
    /// Microsoft Graph, e.g. `https://graph.microsoft.com`.
    public var graph: URL
    /// Exchange Online (admin REST and EWS), e.g. `https://outlook.office365.com`.
    public var exchange: URL

    /// Creates endpoints from explicit base URLs.
    public init(login: URL, graph: URL, exchange: URL) {
        self.login = login
        self.graph = graph
        self.exchange = exchange
    }

    /// The worldwide cloud.
    public static let global = CloudEndpoints(
        login: URL(string: "https://login.microsoftonline.com")!,
        graph: URL(string: "https://graph.microsoft.com")!,
        exchange: URL(string: "https://outlook.office365.com")!
    )
    /// US Government (GCC High).
    public static let usGovernment = CloudEndpoints(
        login: URL(string: "https://login.microsoftonline.us")!,
        graph: URL(string: "https://graph.microsoft.us")!,
        exchange: URL(string: "https://outlook.office365.us")!
    )
    /// US Government DoD: Graph's DoD endpoint (national-cloud-deployments.md) and Exchange
    /// Online's DoD host (the Exchange Online Admin API's base-URL table: outlook-dod.office365.us).
    public static let usGovernmentDoD = CloudEndpoints(
        login: URL(string: "https://login.microsoftonline.us")!,
        graph: URL(string: "https://dod-graph.microsoft.us")!,
        exchange: URL(string: "https://outlook-dod.office365.us")!
    )
    /// China, operated by 21Vianet.
    public static let china = CloudEndpoints(
        login: URL(string: "https://login.chinacloudapi.cn")!,
        graph: URL(string: "https://microsoftgraph.chinacloudapi.cn")!,
        // The Exchange Online admin API's base-URL table names outlook.office365.cn for 21Vianet.
        exchange: URL(string: "https://outlook.office365.cn")!
    )

    /// The OAuth scope for an app-only or `.default` token for `resource`.
    public func defaultScope(for resource: Resource) -> String {
        "\(base(of: resource).absoluteString.trimmingSlash)/.default"
    }

    /// The base URL of `resource`.
    public func base(of resource: Resource) -> URL {
        switch resource {
        case .graph: graph
        case .exchange: exchange
        }
    }
}

/// The two resources mailscope asks tokens for.
public enum Resource: String, Sendable, Hashable, CaseIterable {
    /// Microsoft Graph.
    case graph
    /// Exchange Online.
    case exchange
}

extension String {
    /// The string without trailing slashes.
    var trimmingSlash: String {
        var value = self
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }
}

extension URL {
    /// `self` with `path` (which may carry a query) appended as text, without percent-encoding twice.
    func appending(rawPath path: String) -> URL? {
        URL(string: absoluteString.trimmingSlash + (path.hasPrefix("/") ? path : "/" + path))
    }
}
