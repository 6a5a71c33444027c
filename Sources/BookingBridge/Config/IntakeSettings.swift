import Foundation
import Logging

/// Limits of the intake endpoint.
public struct IntakeSettings: Sendable, Equatable, Decodable {
    /// Largest accepted body (`BRIDGE_MAX_BODY_BYTES`).
    public var maxBodyBytes: Int = 64 * 1024
    /// Posts per minute from one client address, over all sources.
    public var rateLimitPerClientPerMinute: Int = 120
    /// Posts per minute to one source when the source sets no `rateLimitPerMinute`.
    public var defaultSourceRateLimitPerMinute: Int = 6000
    /// How long a request waits for the database (an intake commit, an admin route's reads and writes) before it is
    /// answered 503 with `Retry-After`.
    public var commitTimeout: Duration = .seconds(3)

    public init() {}

    enum CodingKeys: String, CodingKey {
        case maxBodyBytes, rateLimitPerClientPerMinute, defaultSourceRateLimitPerMinute, commitTimeout
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = IntakeSettings()
        s.maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? s.maxBodyBytes
        s.rateLimitPerClientPerMinute =
            try c.decodeIfPresent(Int.self, forKey: .rateLimitPerClientPerMinute) ?? s.rateLimitPerClientPerMinute
        s.defaultSourceRateLimitPerMinute =
            try c.decodeIfPresent(Int.self, forKey: .defaultSourceRateLimitPerMinute)
            ?? s.defaultSourceRateLimitPerMinute
        s.commitTimeout = try c.decodeDurationIfPresent(forKey: .commitTimeout) ?? s.commitTimeout
        guard s.commitTimeout > .zero else {
            throw DecodingError.dataCorruptedError(
                forKey: .commitTimeout, in: c, debugDescription: "must be a positive duration such as \"3s\"")
        }
        self = s
    }
}
