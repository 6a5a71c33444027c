import Foundation

/// A webhook URL split into what the dispatcher and the guard need.
public struct WebhookURL: Sendable, Equatable {
    public let scheme: String
    /// The host as written, without brackets.
    public let host: String
    public let port: Int
    /// Path and query, at least "/".
    public let target: String
    /// The host as an address when the URL names one directly.
    public var literalAddress: IPAddress? { IPAddress(host) }

    /// Reads an absolute `http`/`https` URL with a host and no user info or fragment; `nil` otherwise with `problem`
    /// explaining why. Control characters (a NUL, which PostgreSQL cannot store, among them) are refused: a URL
    /// carries them percent-encoded.
    public static func parse(_ text: String) -> Result<WebhookURL, DestinationGuard.Refusal> {
        guard text.count <= 2048 else { return .failure(.init("the URL is longer than 2048 characters")) }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return .failure(.init("the URL contains a control character (percent-encode it)"))
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return .failure(.init("not an absolute URL"))
        }
        guard scheme == "https" || scheme == "http" else { return .failure(.init("the scheme must be https")) }
        guard let rawHost = components.host, !rawHost.isEmpty else { return .failure(.init("the URL has no host")) }
        guard components.user == nil, components.password == nil else {
            return .failure(.init("user info in the URL is not allowed (credentials would be sent in clear logs)"))
        }
        guard components.fragment == nil else { return .failure(.init("a fragment (#...) is not allowed")) }
        var host = rawHost
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { return .failure(.init("the port is out of range")) }
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        return .success(WebhookURL(scheme: scheme, host: host.lowercased(), port: port, target: target))
    }

    /// The URL with its host replaced by `address` (used to pin plain-http requests to the checked address).
    public func pinned(to address: IPAddress) -> String {
        let host = address.isIPv4 ? address.description : "[\(address)]"
        return "\(scheme)://\(host):\(port)\(target)"
    }

    /// The `Host` header value of the original URL.
    public var hostHeader: String {
        // (Bytes, not `contains(":")`: with Foundation imported that is a locale-aware search, on every delivery.)
        let name = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        let defaultPort = scheme == "https" ? 443 : 80
        return port == defaultPort ? name : "\(name):\(port)"
    }
}
