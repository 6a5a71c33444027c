import Foundation
import Logging

/// Everything the bridge is told, read once at start-up from the environment and an optional JSON file
/// (`BRIDGE_CONFIG`); the environment wins over the file. Components receive only their part.
public struct BridgeConfiguration: Sendable {
    /// `DATABASE_URL`; `nil` only for `dev`, which then starts a throwaway PostgreSQL.
    public var databaseURL: String?
    /// Connections in this process's pool (`DATABASE_POOL_SIZE`, file `database.poolSize`).
    public var databasePoolSize: Int = 20
    /// `BRIDGE_HOST`, `BRIDGE_PORT`.
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// `BRIDGE_ADMIN_TOKEN`: bearer token for admin routes; admin routes answer 401 while it is unset.
    public var adminToken: String?
    /// `BRIDGE_PUBLIC_URL`: the address clients use to reach the bridge, for `statusUrl` and `Location`.
    public var publicURL: String?
    /// Connection deadlines, the connection cap and trusted proxies (file `server.*`).
    public var server = ServerSettings()
    public var hubspot = HubSpotSettings()
    /// Further HubSpot accounts by name (`hubspotAccounts` in the file), each with its own credentials, token
    /// provider and rate budget; a source names one with `"hubspot": "<name>"`. Not overridden by environment
    /// variables, which describe the default account only.
    public var hubspotAccounts: [String: HubSpotSettings] = [:]
    public var sources: [String: SourceConfiguration] = [:]
    public var subscriptions: [SubscriptionSeed] = []
    public var webhooks = WebhookSettings()
    public var pipeline = PipelineSettings()
    public var intake = IntakeSettings()
    /// The availability cache and open slots (file `availability.*`).
    public var availability = AvailabilitySettings()
    public var retention = RetentionSettings()
    public var console = ConsoleSettings()
    /// `BRIDGE_SECRET_KEY` (file `secretKey`) seals secrets at rest; `BRIDGE_SECRET_KEY_PREVIOUS` (comma-separated,
    /// file `secretKeyPrevious`, a list) still opens them during a key rotation. No key: stored in the clear.
    public var secrets = SecretKeyring.none
    /// `LOG_LEVEL` (trace, debug, info, notice, warning, error, critical).
    public var logLevel: Logger.Level = .info
    /// `LOG_FORMAT`: `text` or `json`.
    public var logFormat: LogFormat = .text

    public enum LogFormat: String, Sendable, Decodable { case text, json }

    public init() {}
}

extension BridgeConfiguration {
    /// The file's shape; every key optional.
    private struct File: Decodable {
        struct DatabaseSection: Decodable {
            var url: String?
            var poolSize: Int?
        }
        struct Server: Decodable {
            var host: String?
            var port: Int?
            var adminToken: String?
            var publicURL: String?
            /// The section's connection keys (`headerTimeout`, `idleTimeout`, `maxConnections`, `trustedProxies`).
            var connections: ServerSettings

            enum CodingKeys: String, CodingKey { case host, port, adminToken, publicURL }

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                host = try c.decodeIfPresent(String.self, forKey: .host)
                port = try c.decodeIfPresent(Int.self, forKey: .port)
                adminToken = try c.decodeIfPresent(String.self, forKey: .adminToken)
                publicURL = try c.decodeIfPresent(String.self, forKey: .publicURL)
                connections = try ServerSettings(from: decoder)
            }
        }
        var database: DatabaseSection?
        var server: Server?
        var sources: [String: SourceConfiguration]?
        var subscriptions: [SubscriptionSeed]?
        var webhooks: WebhookSettings?
        var hubspot: HubSpotSettings?
        var hubspotAccounts: [String: HubSpotSettings]?
        var pipeline: PipelineSettings?
        var intake: IntakeSettings?
        var availability: AvailabilitySettings?
        var retention: RetentionSettings?
        var console: ConsoleSettings?
        var secretKey: String?
        var secretKeyPrevious: [String]?
        var logLevel: String?
        var logFormat: String?
    }

    /// Reads the configuration: `BRIDGE_CONFIG` (if set) names a JSON file, then environment variables override it.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws
        -> BridgeConfiguration
    {
        var fileData: Data?
        if let path = environment["BRIDGE_CONFIG"], !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(key: "BRIDGE_CONFIG", expected: "a readable JSON file", found: path)
            }
            fileData = data
        }
        return try load(environment: environment, file: fileData)
    }

    /// Reads the configuration from a file's bytes and environment variables (environment wins).
    public static func load(environment: [String: String], file: Data?) throws -> BridgeConfiguration {
        var config = BridgeConfiguration()
        if let file {
            let parsed: File
            do {
                parsed = try JSONDecoder().decode(File.self, from: file)
            } catch let error as ConfigurationError {
                throw error
            } catch let DecodingError.keyNotFound(key, context) {
                throw ConfigurationError(key: path(context.codingPath + [key]), expected: "present")
            } catch let DecodingError.typeMismatch(type, context) {
                throw ConfigurationError(key: path(context.codingPath), expected: "of type \(type)")
            } catch let DecodingError.valueNotFound(type, context) {
                throw ConfigurationError(key: path(context.codingPath), expected: "a \(type), not null")
            } catch let DecodingError.dataCorrupted(context) {
                throw ConfigurationError(
                    key: context.codingPath.isEmpty ? "BRIDGE_CONFIG" : path(context.codingPath),
                    expected: "valid JSON", found: context.debugDescription)
            }
            if let db = parsed.database {
                config.databaseURL = db.url ?? config.databaseURL
                config.databasePoolSize = db.poolSize ?? config.databasePoolSize
            }
            if let server = parsed.server {
                config.host = server.host ?? config.host
                config.port = server.port ?? config.port
                config.adminToken = server.adminToken ?? config.adminToken
                config.publicURL = server.publicURL ?? config.publicURL
                config.server = server.connections
            }
            config.sources = parsed.sources ?? config.sources
            config.subscriptions = parsed.subscriptions ?? config.subscriptions
            config.webhooks = parsed.webhooks ?? config.webhooks
            config.hubspot = parsed.hubspot ?? config.hubspot
            config.hubspotAccounts = parsed.hubspotAccounts ?? config.hubspotAccounts
            config.pipeline = parsed.pipeline ?? config.pipeline
            config.intake = parsed.intake ?? config.intake
            config.availability = parsed.availability ?? config.availability
            config.retention = parsed.retention ?? config.retention
            config.console = parsed.console ?? config.console
            if parsed.secretKey != nil || parsed.secretKeyPrevious != nil {
                config.secrets = try secretKeyring(
                    current: parsed.secretKey, currentKey: "secretKey", previous: parsed.secretKeyPrevious ?? [],
                    previousKey: "secretKeyPrevious")
            }
            if let level = parsed.logLevel { config.logLevel = try logLevel(level, key: "logLevel") }
            if let format = parsed.logFormat { config.logFormat = try logFormat(format, key: "logFormat") }
        }
        try config.apply(environment: environment)
        try config.validate()
        return config
    }

    private mutating func apply(environment env: [String: String]) throws {
        func value(_ key: String) -> String? {
            guard let v = env[key], !v.isEmpty else { return nil }
            return v
        }
        func int(_ key: String, range: ClosedRange<Int>) throws -> Int? {
            guard let text = value(key) else { return nil }
            guard let n = Int(text), range.contains(n) else {
                throw ConfigurationError(
                    key: key, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)",
                    found: "\"\(text)\"")
            }
            return n
        }
        func duration(_ key: String) throws -> Duration? {
            guard let text = value(key) else { return nil }
            guard let d = DurationText.parse(text) else {
                throw ConfigurationError(
                    key: key, expected: "a duration such as \"30s\" or \"24h\"", found: "\"\(text)\"")
            }
            return d
        }
        databaseURL = value("DATABASE_URL") ?? databaseURL
        databasePoolSize = try int("DATABASE_POOL_SIZE", range: 1...1000) ?? databasePoolSize
        host = value("BRIDGE_HOST") ?? host
        port = try int("BRIDGE_PORT", range: 0...65535) ?? port
        adminToken = value("BRIDGE_ADMIN_TOKEN") ?? adminToken
        publicURL = value("BRIDGE_PUBLIC_URL") ?? publicURL
        server.headerTimeout = try duration("BRIDGE_HEADER_TIMEOUT") ?? server.headerTimeout
        server.idleTimeout = try duration("BRIDGE_IDLE_TIMEOUT") ?? server.idleTimeout
        server.maxConnections =
            try int("BRIDGE_MAX_CONNECTIONS", range: ServerSettings.maxConnectionsRange) ?? server.maxConnections
        if let proxies = value("BRIDGE_TRUSTED_PROXIES") {
            server.trustedProxies = try ServerSettings.proxies(
                proxies.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty },
                key: "BRIDGE_TRUSTED_PROXIES")
        }
        hubspot.baseURL = value("HUBSPOT_BASE_URL") ?? hubspot.baseURL
        hubspot.accessToken = value("HUBSPOT_ACCESS_TOKEN") ?? hubspot.accessToken
        hubspot.clientID = value("HUBSPOT_CLIENT_ID") ?? hubspot.clientID
        hubspot.clientSecret = value("HUBSPOT_CLIENT_SECRET") ?? hubspot.clientSecret
        hubspot.refreshToken = value("HUBSPOT_REFRESH_TOKEN") ?? hubspot.refreshToken
        hubspot.rateLimitPer10s = try int("HUBSPOT_RATE_LIMIT_PER_10S", range: 1...100_000) ?? hubspot.rateLimitPer10s
        hubspot.dailyLimit = try int("HUBSPOT_DAILY_LIMIT", range: 1...1_000_000_000) ?? hubspot.dailyLimit
        if let allow = value("BRIDGE_WEBHOOK_ALLOW") {
            webhooks.allowDestinations = allow.split(separator: ",").map { String($0).trimmingWhitespace() }.filter {
                !$0.isEmpty
            }
        }
        pipeline.workers = try int("BRIDGE_WORKERS", range: 1...1024) ?? pipeline.workers
        if let pollOnly = value("BRIDGE_POLL_ONLY") {
            guard let flag = Bool(pollOnly.lowercased()) ?? (pollOnly == "1" ? true : pollOnly == "0" ? false : nil)
            else {
                throw ConfigurationError(key: "BRIDGE_POLL_ONLY", expected: "true or false", found: "\"\(pollOnly)\"")
            }
            pipeline.pollOnly = flag
        }
        intake.maxBodyBytes = try int("BRIDGE_MAX_BODY_BYTES", range: 1024...16 * 1024 * 1024) ?? intake.maxBodyBytes
        retention.maxAge = try duration("BRIDGE_RETENTION") ?? retention.maxAge
        if value("BRIDGE_SECRET_KEY") != nil || value("BRIDGE_SECRET_KEY_PREVIOUS") != nil {
            let previous = value("BRIDGE_SECRET_KEY_PREVIOUS").map {
                $0.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            }
            secrets = try Self.secretKeyring(
                current: value("BRIDGE_SECRET_KEY"), fallback: secrets.current, currentKey: "BRIDGE_SECRET_KEY",
                previous: previous, fallbackPrevious: secrets.previous, previousKey: "BRIDGE_SECRET_KEY_PREVIOUS")
        }
        if let level = value("LOG_LEVEL") { logLevel = try Self.logLevel(level, key: "LOG_LEVEL") }
        if let format = value("LOG_FORMAT") { logFormat = try Self.logFormat(format, key: "LOG_FORMAT") }
    }

    private func validate() throws {
        try server.validate()
        if let url = databaseURL {
            do { _ = try DatabaseURL.parse(url) } catch {
                // The URL may hold a password: never print it.
                throw ConfigurationError(
                    key: "DATABASE_URL", expected: "a postgres://user:password@host:port/database URL")
            }
        }
        if hubspot.accessToken == nil {
            let oauth = [hubspot.clientID, hubspot.clientSecret, hubspot.refreshToken]
            if oauth.contains(where: { $0 != nil }) && oauth.contains(where: { $0 == nil }) {
                throw ConfigurationError(
                    key: "HUBSPOT_CLIENT_ID/HUBSPOT_CLIENT_SECRET/HUBSPOT_REFRESH_TOKEN",
                    expected: "all three set together (or HUBSPOT_ACCESS_TOKEN instead)")
            }
        }
        guard URL(string: hubspot.baseURL)?.scheme?.hasPrefix("http") == true else {
            throw ConfigurationError(
                key: "HUBSPOT_BASE_URL", expected: "an http(s) URL", found: "\"\(hubspot.baseURL)\"")
        }
        for (name, account) in hubspotAccounts.sorted(by: { $0.key < $1.key }) {
            let key = "hubspotAccounts.\(name)"
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw ConfigurationError(key: key, expected: "a name of letters, digits, - and _")
            }
            let oauth = [account.clientID, account.clientSecret, account.refreshToken]
            guard account.accessToken != nil || !oauth.contains(where: { $0 == nil }) else {
                throw ConfigurationError(
                    key: key, expected: "accessToken, or clientId, clientSecret and refreshToken together")
            }
            guard URL(string: account.baseURL)?.scheme?.hasPrefix("http") == true else {
                throw ConfigurationError(
                    key: key + ".baseURL", expected: "an http(s) URL", found: "\"\(account.baseURL)\"")
            }
            guard account.rateLimitPer10s > 0, account.dailyLimit > 0 else {
                throw ConfigurationError(key: key, expected: "a positive rateLimitPer10s and dailyLimit")
            }
        }
        for (name, source) in sources {
            if let account = source.hubspot, hubspotAccounts[account] == nil {
                let known = hubspotAccounts.keys.sorted().joined(separator: ", ")
                throw ConfigurationError(
                    key: "sources.\(name).hubspot",
                    expected: "the name of an account in hubspotAccounts"
                        + (known.isEmpty ? " (none is configured)" : " (\(known))"),
                    found: "\"\(account)\"")
            }
            guard !source.slug.isEmpty else {
                throw ConfigurationError(key: "sources.\(name).slug", expected: "a HubSpot meeting link slug")
            }
            if let minutes = source.durationMinutes, minutes <= 0 {
                throw ConfigurationError(
                    key: "sources.\(name).durationMinutes", expected: "a positive number", found: "\(minutes)")
            }
            if source.kind == .hubspot, publicURL == nil {
                throw ConfigurationError(
                    key: "sources.\(name).kind",
                    expected:
                        "\"hubspot\" only with server.publicURL (BRIDGE_PUBLIC_URL) set: HubSpot signs the full URL it posts to"
                )
            }
        }
    }

    /// The keyring from base64 keys; an error names `currentKey` or `previousKey` (and never shows a key). Keys
    /// not given fall back to those already read (the file's, when the environment sets only one of the two).
    static func secretKeyring(
        current: String?, fallback: SecretKey? = nil, currentKey: String,
        previous: [String]?, fallbackPrevious: [SecretKey] = [], previousKey: String
    ) throws -> SecretKeyring {
        let expected = "32 random bytes in base64 (make one with `openssl rand -base64 32`)"
        var key = fallback
        if let current {
            guard let parsed = SecretKey(base64: current) else {
                throw ConfigurationError(key: currentKey, expected: expected)
            }
            key = parsed
        }
        var previousKeys = fallbackPrevious
        if let previous {
            previousKeys = try previous.enumerated().map { index, text in
                guard let parsed = SecretKey(base64: text) else {
                    throw ConfigurationError(
                        key: previous.count > 1 ? "\(previousKey)[\(index)]" : previousKey, expected: expected)
                }
                return parsed
            }
        }
        return SecretKeyring(current: key, previous: previousKeys)
    }

    private static func logLevel(_ text: String, key: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ConfigurationError(
                key: key, expected: "one of trace, debug, info, notice, warning, error, critical", found: "\"\(text)\"")
        }
        return level
    }

    private static func logFormat(_ text: String, key: String) throws -> LogFormat {
        guard let format = LogFormat(rawValue: text.lowercased()) else {
            throw ConfigurationError(key: key, expected: "text or json", found: "\"\(text)\"")
        }
        return format
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }
}
