/// How the HTTP server treats connections: deadlines that free a socket a client holds without finishing a request,
/// a cap on open connections, and which proxies may name the client's address.
///
/// Read from the file's `server` section (next to `host` and `port`) and from `BRIDGE_HEADER_TIMEOUT`,
/// `BRIDGE_IDLE_TIMEOUT`, `BRIDGE_MAX_CONNECTIONS` and `BRIDGE_TRUSTED_PROXIES`.
public struct ServerSettings: Sendable, Equatable {
    /// A request head must be complete this long after the connection opened, or after the first byte of the next
    /// request on a keep-alive connection; otherwise the connection is closed (`server.headerTimeout`).
    public var headerTimeout: Duration = .seconds(10)
    /// A keep-alive connection with no request for this long after its last answer is closed (`server.idleTimeout`).
    public var idleTimeout: Duration = .seconds(60)
    /// Open connections at most; a connection beyond it is closed as soon as it is accepted (`server.maxConnections`).
    public var maxConnections: Int = 10_000
    /// Peers whose `Forwarded` / `X-Forwarded-For` headers name the client (`server.trustedProxies`); from any other
    /// peer those headers are ignored.
    public var trustedProxies: [CIDR] = []

    public init() {}

    /// The range `maxConnections` must lie in.
    static let maxConnectionsRange = 1...1_000_000

    /// Checks the values that decoding alone cannot, naming the file key in the error.
    func validate() throws {
        for (key, value) in [("server.headerTimeout", headerTimeout), ("server.idleTimeout", idleTimeout)]
        where value <= .zero {
            throw ConfigurationError(
                key: key, expected: "a positive duration such as \"10s\"", found: "\"\(DurationText.format(value))\"")
        }
        guard Self.maxConnectionsRange.contains(maxConnections) else {
            throw ConfigurationError(
                key: "server.maxConnections",
                expected:
                    "a whole number from \(Self.maxConnectionsRange.lowerBound) to \(Self.maxConnectionsRange.upperBound)",
                found: "\(maxConnections)")
        }
    }

    /// Reads a list of address blocks (`"10.0.0.0/8"`, `"::1"`); `key` names the setting in the error.
    static func proxies(_ entries: [String], key: String) throws -> [CIDR] {
        try entries.map { entry in
            do { return try CIDR(entry) } catch {
                throw ConfigurationError(
                    key: key, expected: "address blocks such as 10.0.0.0/8 or ::1/128", found: "\"\(entry)\"")
            }
        }
    }
}

extension ServerSettings: Decodable {
    enum CodingKeys: String, CodingKey { case headerTimeout, idleTimeout, maxConnections, trustedProxies }

    /// Reads the connection keys of the file's `server` section; other keys of that section are ignored here.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = ServerSettings()
        do {
            s.headerTimeout = try c.decodeDurationIfPresent(forKey: .headerTimeout) ?? s.headerTimeout
            s.idleTimeout = try c.decodeDurationIfPresent(forKey: .idleTimeout) ?? s.idleTimeout
        } catch let error as ConfigurationError {
            throw ConfigurationError(key: "server.\(error.key)", expected: error.expected, found: error.found)
        }
        s.maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections) ?? s.maxConnections
        if let proxies = try c.decodeIfPresent([String].self, forKey: .trustedProxies) {
            s.trustedProxies = try Self.proxies(proxies, key: "server.trustedProxies")
        }
        self = s
    }
}
