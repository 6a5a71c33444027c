import Foundation

/// The operator console's settings (file section `console`). The console itself is on exactly when an admin token
/// is configured.
public struct ConsoleSettings: Sendable, Equatable, Decodable {
    /// How long a session lasts after signing in (`console.sessionTTL`, default 12h).
    public var sessionTTL: Duration = .seconds(12 * 3600)
    /// Sign-in tries a client address may make per minute (right or wrong); more are answered 429.
    public var signInAttemptsPerMinute: Int = 10

    public init() {}

    enum CodingKeys: String, CodingKey { case sessionTTL }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = ConsoleSettings()
        s.sessionTTL = try c.decodeDurationIfPresent(forKey: .sessionTTL) ?? s.sessionTTL
        guard s.sessionTTL >= .seconds(60), s.sessionTTL <= .seconds(30 * 24 * 3600) else {
            throw ConfigurationError(
                key: "console.sessionTTL", expected: "a duration from 1m to 30d", found: "\(s.sessionTTL)")
        }
        self = s
    }
}
