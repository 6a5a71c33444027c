import Foundation
import Logging

/// How long finished rows are kept.
public struct RetentionSettings: Sendable, Equatable, Decodable {
    /// Finished intents, attempts, events and deliveries older than this are pruned (`BRIDGE_RETENTION`).
    public var maxAge: Duration = .seconds(30 * 24 * 3600)
    /// How often the pruner runs.
    public var interval: Duration = .seconds(600)
    /// Rows deleted per statement.
    public var batchSize: Int = 1000

    public init() {}

    enum CodingKeys: String, CodingKey { case maxAge, interval, batchSize }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = RetentionSettings()
        s.maxAge = try c.decodeDurationIfPresent(forKey: .maxAge) ?? s.maxAge
        s.interval = try c.decodeDurationIfPresent(forKey: .interval) ?? s.interval
        s.batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? s.batchSize
        self = s
    }
}
