/// The shared availability cache and the open-slots endpoint (file `availability.*`).
public struct AvailabilitySettings: Sendable, Equatable {
    /// How old a cached availability page may be before a read refreshes it (`availability.cacheTTL`).
    public var cacheTTL: Duration = .seconds(30)
    /// Slot reads per minute from one client address (`availability.rateLimitPerClientPerMinute`).
    public var rateLimitPerClientPerMinute: Int = 120
    /// Calls of each 10-second HubSpot window that visitors' availability reads leave to bookings: a read is made
    /// only while more than this many are free, else the answer comes from the cache (`stale: true`). Default: a
    /// quarter of the account's limit.
    public var bookingReserve: Int?

    public init() {}
}

extension AvailabilitySettings: Decodable {
    enum CodingKeys: String, CodingKey { case cacheTTL, rateLimitPerClientPerMinute, bookingReserve }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = AvailabilitySettings()
        s.cacheTTL = try c.decodeDurationIfPresent(forKey: .cacheTTL) ?? s.cacheTTL
        s.rateLimitPerClientPerMinute =
            try c.decodeIfPresent(Int.self, forKey: .rateLimitPerClientPerMinute) ?? s.rateLimitPerClientPerMinute
        s.bookingReserve = try c.decodeIfPresent(Int.self, forKey: .bookingReserve)
        guard s.cacheTTL > .zero else {
            throw ConfigurationError(key: "availability.cacheTTL", expected: "a positive duration such as \"30s\"")
        }
        guard s.rateLimitPerClientPerMinute > 0 else {
            throw ConfigurationError(
                key: "availability.rateLimitPerClientPerMinute", expected: "a positive number",
                found: "\(s.rateLimitPerClientPerMinute)")
        }
        if let reserve = s.bookingReserve, reserve < 0 {
            throw ConfigurationError(
                key: "availability.bookingReserve", expected: "zero or a positive number", found: "\(reserve)")
        }
        self = s
    }
}
