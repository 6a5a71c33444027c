import Crypto
import Foundation

/// Decisions about a console request that need no I/O.
enum ConsolePolicy {
    /// Cookies are `Secure` unless the bridge serves plain HTTP on a loopback address (a developer's machine, where
    /// no TLS exists and a Secure cookie would never be sent back). A public URL with https means TLS in front.
    static func secureCookies(host: String, publicURL: String?) -> Bool {
        if let publicURL, publicURL.lowercased().hasPrefix("https://") { return true }
        let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
        return !loopback
    }

    /// Whether a state-changing request comes from the console's own pages: its `Origin` is the origin of the
    /// configured public URL or `scheme://Host` of the request itself. Under `Referrer-Policy: no-referrer` a
    /// browser sends `Origin: null` with a form post, so then `Sec-Fetch-Site: same-origin` must say it (a header
    /// that pages cannot set). Another origin, or neither header, is refused.
    static func originAllowed(origin: String?, fetchSite: String? = nil, host: String?, publicURL: String?) -> Bool {
        guard let origin = origin?.lowercased(), origin != "null" else {
            return fetchSite?.lowercased() == "same-origin"
        }
        if let publicURL, let own = self.origin(of: publicURL), own == origin { return true }
        guard let host = host?.lowercased(), !host.isEmpty else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    /// `scheme://host[:port]` of a URL, lower-cased.
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased()
        else { return nil }
        return components.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }
}
