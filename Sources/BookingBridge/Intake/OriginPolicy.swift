import Foundation
import HTTPTypes

/// Which browser origins may post to a public source. An empty list or `*` allows any (and posts without an
/// `Origin`); otherwise the `Origin` header, or failing that the `Referer`'s origin, must be one of the list.
struct OriginPolicy: Sendable, Equatable {
    var allowsAny: Bool
    var origins: Set<String>
    /// The list as configured, for the common case of a browser sending exactly that.
    var verbatim: Set<String>

    init(_ allowed: [String]) {
        allowsAny = allowed.isEmpty || allowed.contains("*")
        origins = Set(allowed.compactMap(Self.normalize))
        verbatim = Set(allowed)
    }

    func allows(origin: String?, referer: String?) -> Bool {
        if allowsAny { return true }
        if let origin {
            if verbatim.contains(origin) { return true }
            return Self.normalize(origin).map(origins.contains) ?? false
        }
        guard let referer, let url = URLComponents(string: referer), let scheme = url.scheme, let host = url.host
        else { return false }
        let port = url.port.map { ":\($0)" } ?? ""
        return Self.normalize("\(scheme)://\(host)\(port)").map(origins.contains) ?? false
    }

    /// Whether the browser's `Origin` (or failing that the `Referer`'s origin) is the bridge itself: `http` or
    /// `https` with exactly the request's `Host` as its authority.
    static func isOwn(origin: String?, referer: String?, authority: String?) -> Bool {
        guard let authority = authority?.lowercased(), !authority.isEmpty else { return false }
        var candidate = origin
        if candidate == nil, let referer, let url = URLComponents(string: referer), let scheme = url.scheme,
            let host = url.host
        {
            candidate = "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")"
        }
        guard let text = candidate?.trimmingWhitespace().lowercased() else { return false }
        return text == "http://" + authority || text == "https://" + authority
    }

    /// `scheme://host[:port]` in lower case without a default port or trailing slash; `nil` for `null` and junk.
    static func normalize(_ origin: String) -> String? {
        var text = origin.trimmingWhitespace().lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        guard let separator = text.range(of: "://"), !text[separator.upperBound...].isEmpty,
            !text[separator.upperBound...].utf8.contains(UInt8(ascii: "/"))
        else { return nil }
        if text.hasPrefix("https://"), text.hasSuffix(":443") { text.removeLast(4) }
        if text.hasPrefix("http://"), text.hasSuffix(":80") { text.removeLast(3) }
        return text
    }
}
