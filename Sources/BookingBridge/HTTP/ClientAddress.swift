/// Who the client of a request is when reverse proxies stand between it and the bridge.
///
/// The TCP peer is the client unless it is one of `server.trustedProxies`. Only then do the forwarding headers
/// count: `Forwarded` (RFC 7239, its `for=` parameters) when the request has one, `X-Forwarded-For` otherwise. Their
/// list is read from the right, where the nearest proxy appended its peer, skipping addresses that are themselves
/// trusted proxies; the first other address is the client. An entry that is not an address (`unknown`, an
/// obfuscated `_name`, garbage) stops the walk, and the last trusted address seen (the proxy that reported it) stands
/// for the client, so a client cannot choose its address by sending a header, and malformed chains share their
/// proxy's identity rather than get one of their own.
public enum ClientAddress {
    /// Headers longer than this many list entries are read only from the right, this far.
    static let maxHops = 64

    /// The client's address (`nil` only when there is no peer address, as on a Unix socket).
    /// - Parameters:
    ///   - peer: the TCP peer's address.
    ///   - forwarded: every `Forwarded` header line, in order.
    ///   - xForwardedFor: every `X-Forwarded-For` header line, in order.
    public static func resolve(
        peer: IPAddress?, forwarded: [String], xForwardedFor: [String], trustedProxies: [CIDR]
    ) -> IPAddress? {
        guard var nearest = peer, isTrusted(nearest, trustedProxies) else { return peer }
        let hops = forwarded.isEmpty ? xForwardedForHops(xForwardedFor) : forwardedHops(forwarded)
        for hop in hops.reversed().prefix(maxHops) {
            guard let address = hop else { return nearest }
            guard isTrusted(address, trustedProxies) else { return address }
            nearest = address
        }
        return nearest
    }

    static func isTrusted(_ address: IPAddress, _ proxies: [CIDR]) -> Bool {
        proxies.contains { $0.contains(address) }
    }

    /// The `X-Forwarded-For` entries, left to right: an address each, `nil` for one that is not.
    static func xForwardedForHops(_ lines: [String]) -> [IPAddress?] {
        lines.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { node($0) }
    }

    /// The `for=` values of the `Forwarded` elements, left to right; `nil` for an element without a usable one.
    static func forwardedHops(_ lines: [String]) -> [IPAddress?] {
        lines.flatMap { split($0, on: ",") }.map { element in
            var found: IPAddress?
            var seen = false
            for pair in split(element, on: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, parts[0].trimmingWhitespace().lowercased() == "for" else { continue }
                // A repeated `for` in one element is malformed: trust neither.
                if seen { return nil }
                seen = true
                found = node(parts[1])
            }
            return found
        }
    }

    /// An address from a list entry: `192.0.2.1`, `192.0.2.1:8080`, `2001:db8::1`, `[2001:db8::1]:8080`, or any of
    /// these in double quotes.
    static func node(_ raw: Substring) -> IPAddress? {
        var text = Substring(raw.trimmingWhitespace())
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = text.dropFirst().dropLast() }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || isPort(rest.dropFirst()) && rest.hasPrefix(":") else { return nil }
            return IPAddress(text[text.index(after: text.startIndex)..<close]).flatMap { $0.isIPv4 ? nil : $0 }
        }
        if let colon = text.firstIndex(of: ":"), text.lastIndex(of: ":") == colon {
            // One colon: IPv4 with a port.
            guard isPort(text[text.index(after: colon)...]) else { return nil }
            return IPAddress(text[..<colon]).flatMap { $0.isIPv4 ? $0 : nil }
        }
        return IPAddress(text)
    }

    private static func isPort(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 5 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Splits on `separator` outside double-quoted strings (RFC 7239 values may be quoted).
    private static func split(_ text: some StringProtocol, on separator: Character) -> [Substring] {
        let text = Substring(text)
        var parts: [Substring] = []
        var start = text.startIndex
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\"" {
                quoted.toggle()
            } else if character == "\\" && quoted {
                index = text.index(after: index)
                if index == text.endIndex { break }
            } else if character == separator && !quoted {
                parts.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        parts.append(text[start...])
        return parts
    }
}
