/// How the bridge reaches HubSpot: where, with which credentials, and how fast it may call.
///
/// Read from the `hubspot` object of the configuration file; `HUBSPOT_BASE_URL`, `HUBSPOT_ACCESS_TOKEN`,
/// `HUBSPOT_CLIENT_ID`, `HUBSPOT_CLIENT_SECRET` and `HUBSPOT_REFRESH_TOKEN` override the file.
public struct HubSpotSettings: Sendable, Equatable {
    /// Base URL of the HubSpot API (or of the sandbox).
    public var baseURL: String = "https://api.hubapi.com"
    /// A private-app token or service key (static bearer token).
    public var accessToken: String?
    /// OAuth client id; with `clientSecret` and `refreshToken` the bridge refreshes access tokens itself.
    public var clientID: String?
    public var clientSecret: String?
    public var refreshToken: String?
    /// Name of the HubSpot account whose rate budget the calls share; derived from the credentials when unset.
    public var account: String?
    /// Requests allowed per rolling 10 seconds for this account (HubSpot Free/Starter: 100).
    public var rateLimitPer10s: Int = 100
    /// Requests allowed per day for this account.
    public var dailyLimit: Int = 250_000
    /// Seconds to wait for a TCP/TLS connection.
    public var connectTimeoutSeconds: Double = 5
    /// Seconds to wait for a whole call, answer included.
    public var requestTimeoutSeconds: Double = 20

    public init() {}

    /// True when any HubSpot credential is configured.
    public var hasCredentials: Bool {
        accessToken != nil || (clientID != nil && clientSecret != nil && refreshToken != nil)
    }
}

extension HubSpotSettings: Decodable {
    enum CodingKeys: String, CodingKey {
        case baseURL, accessToken, clientID = "clientId", clientSecret, refreshToken, account
        case rateLimitPer10s, dailyLimit, connectTimeoutSeconds, requestTimeoutSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = HubSpotSettings()
        s.baseURL = try c.decodeIfPresent(String.self, forKey: .baseURL) ?? s.baseURL
        s.accessToken = try c.decodeIfPresent(String.self, forKey: .accessToken)
        s.clientID = try c.decodeIfPresent(String.self, forKey: .clientID)
        s.clientSecret = try c.decodeIfPresent(String.self, forKey: .clientSecret)
        s.refreshToken = try c.decodeIfPresent(String.self, forKey: .refreshToken)
        s.account = try c.decodeIfPresent(String.self, forKey: .account)
        s.rateLimitPer10s = try c.decodeIfPresent(Int.self, forKey: .rateLimitPer10s) ?? s.rateLimitPer10s
        s.dailyLimit = try c.decodeIfPresent(Int.self, forKey: .dailyLimit) ?? s.dailyLimit
        s.connectTimeoutSeconds =
            try c.decodeIfPresent(Double.self, forKey: .connectTimeoutSeconds) ?? s.connectTimeoutSeconds
        s.requestTimeoutSeconds =
            try c.decodeIfPresent(Double.self, forKey: .requestTimeoutSeconds) ?? s.requestTimeoutSeconds
        self = s
    }
}
