import AsyncHTTPClient
import Foundation
import Logging
import Metrics

/// Supplies the bearer token for HubSpot calls: a static token (private app or service key), or OAuth access
/// tokens refreshed from a refresh token.
///
/// OAuth tokens are refreshed ahead of expiry (`refreshMargin(lifetime:)` early), not on a 401. Concurrent
/// callers share one refresh in flight; a refresh token rotated by HubSpot replaces the old one. With a
/// `HubSpotRefreshTokenStore` the rotated token is kept there (sealed in PostgreSQL), and refreshes of one account
/// take turns across processes, so every process and a restart refresh with the current token; without one it is
/// kept in memory only. A refused refresh token (`invalid_grant`) is a permanent `HubSpotError`.
public actor HubSpotTokenProvider {
    /// OAuth app credentials and the refresh token of the installing account.
    public struct OAuthCredentials: Sendable, Equatable {
        public var clientID: String
        public var clientSecret: String
        public var refreshToken: String

        public init(clientID: String, clientSecret: String, refreshToken: String) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.refreshToken = refreshToken
        }
    }

    struct AccessToken: Sendable {
        var value: String
        var refreshAt: ContinuousClock.Instant
        var expiresAt: ContinuousClock.Instant
    }

    private let oauth: OAuthCredentials?
    private let transport: HubSpotTransport?
    private let tokenStore: (any HubSpotRefreshTokenStore)?
    /// The account key the stored refresh token is filed under.
    private let account: String
    private let logger: Logger
    private var current: AccessToken?
    private var refreshToken: String?
    private var inFlight: Task<OAuthTokenAnswer, any Error>?

    /// True when tokens come from OAuth and can be refreshed after a 401.
    public nonisolated let canRefresh: Bool
    /// Completed refreshes so far (for tests and diagnostics).
    public private(set) var refreshCount = 0

    /// A static bearer token, used as is.
    public init(staticToken: String) {
        self.oauth = nil
        self.transport = nil
        self.tokenStore = nil
        self.account = ""
        self.logger = Logger(label: "hubspot.token")
        let never = ContinuousClock.now + .seconds(86_400 * 365 * 100)
        self.current = AccessToken(value: staticToken, refreshAt: never, expiresAt: never)
        self.canRefresh = false
    }

    /// OAuth: access tokens from `POST {baseURL}/oauth/2026-03/token`.
    ///
    /// - Parameters:
    ///   - initialAccessToken: an access token already held, valid for `initialLifetime` from now (zero: expired).
    ///   - tokenStore: where the refresh token in use is kept for `account` across processes; `nil`: in memory.
    public init(
        oauth: OAuthCredentials, baseURL: String, httpClient: HTTPClient, requestTimeoutSeconds: Double = 20,
        initialAccessToken: String? = nil, initialLifetime: Duration = .zero,
        tokenStore: (any HubSpotRefreshTokenStore)? = nil, account: String = "", logger: Logger
    ) {
        self.oauth = oauth
        self.tokenStore = tokenStore
        self.account = account
        self.refreshToken = oauth.refreshToken
        self.transport = HubSpotTransport(
            httpClient: httpClient, baseURL: baseURL, requestTimeoutSeconds: requestTimeoutSeconds)
        self.logger = logger
        self.canRefresh = true
        if let initialAccessToken {
            let now = ContinuousClock.now
            self.current = AccessToken(
                value: initialAccessToken,
                refreshAt: now + initialLifetime - Self.refreshMargin(lifetime: initialLifetime),
                expiresAt: now + initialLifetime)
        }
    }

    /// The provider that `settings` describe: the static token when set, else OAuth; without credentials every
    /// `token()` fails with a permanent error saying what to set.
    public init(
        settings: HubSpotSettings, httpClient: HTTPClient, tokenStore: (any HubSpotRefreshTokenStore)? = nil,
        logger: Logger
    ) {
        if let token = settings.accessToken, !token.isEmpty {
            self.init(staticToken: token)
        } else if let clientID = settings.clientID, let clientSecret = settings.clientSecret,
            let refreshToken = settings.refreshToken
        {
            self.init(
                oauth: OAuthCredentials(clientID: clientID, clientSecret: clientSecret, refreshToken: refreshToken),
                baseURL: settings.baseURL, httpClient: httpClient,
                requestTimeoutSeconds: settings.requestTimeoutSeconds, tokenStore: tokenStore,
                account: HubSpotClient.accountKey(settings: settings), logger: logger)
        } else {
            self.init(unconfigured: ())
        }
    }

    private init(unconfigured: Void) {
        self.oauth = nil
        self.transport = nil
        self.tokenStore = nil
        self.account = ""
        self.logger = Logger(label: "hubspot.token")
        self.current = nil
        self.canRefresh = false
    }

    /// How early a token of `lifetime` is refreshed: a fifth of its life, at most 5 minutes (HubSpot's 30-minute
    /// tokens are refreshed after 25).
    public static func refreshMargin(lifetime: Duration) -> Duration {
        min(lifetime / 5, .seconds(300))
    }

    /// A token to send now, refreshing first when it is due.
    ///
    /// When a due refresh fails while the current token has not expired yet, the current token is used.
    public func token() async throws -> String {
        if let current, ContinuousClock.now < current.refreshAt { return current.value }
        do {
            return try await refreshShared()
        } catch {
            if let current, ContinuousClock.now < current.expiresAt {
                logger.warning(
                    "HubSpot token refresh failed; using the current token until it expires",
                    metadata: ["error": "\(error)"])
                return current.value
            }
            throw error
        }
    }

    /// After HubSpot answered 401 to `rejected`: a fresh token (refreshing unless another caller already did).
    public func tokenAfterUnauthorized(rejected: String) async throws -> String {
        guard canRefresh else {
            throw HubSpotError(
                endpoint: .token, classification: .permanent, message: "HubSpot rejected the static token")
        }
        if let current, current.value != rejected { return current.value }
        current = nil
        return try await refreshShared()
    }

    /// The refresh token in use (HubSpot may have rotated it).
    public var currentRefreshToken: String? { refreshToken }

    /// Joins the refresh in flight, or starts one. Only the starter stores the answer; every joiner gets it.
    private func refreshShared() async throws -> String {
        if let inFlight {
            return try await inFlight.value.accessToken
        }
        guard let oauth, let transport, let refreshToken else {
            throw HubSpotError(
                endpoint: .token, classification: .permanent,
                message: "no HubSpot credentials: set HUBSPOT_ACCESS_TOKEN, or HUBSPOT_CLIENT_ID, "
                    + "HUBSPOT_CLIENT_SECRET and HUBSPOT_REFRESH_TOKEN")
        }
        let logger = self.logger
        let tokenStore = self.tokenStore
        let account = self.account
        // Awaited by every caller below and by joiners; it ends with the token call's timeout at the latest (and,
        // with a store, the wait for another process's refresh of the same account).
        let task = Task<OAuthTokenAnswer, any Error> {
            @Sendable func request(_ token: String) async throws -> OAuthTokenAnswer {
                try await Self.requestToken(
                    transport: transport, clientID: oauth.clientID, clientSecret: oauth.clientSecret,
                    refreshToken: token, logger: logger)
            }
            guard let tokenStore else { return try await request(refreshToken) }
            return try await tokenStore.refresh(account: account, configured: oauth.refreshToken) { token in
                let answer = try await request(token)
                return (answer, answer.refreshToken)
            }
        }
        inFlight = task
        let answer: OAuthTokenAnswer
        do {
            answer = try await task.value
            inFlight = nil
        } catch {
            inFlight = nil
            Counter(label: "hubspot_token_refreshes_total", dimensions: [("outcome", "failed")]).increment()
            throw error
        }
        let lifetime = Duration.seconds(answer.expiresIn)
        let now = ContinuousClock.now
        current = AccessToken(
            value: answer.accessToken, refreshAt: now + lifetime - Self.refreshMargin(lifetime: lifetime),
            expiresAt: now + lifetime)
        if let rotated = answer.refreshToken, !rotated.isEmpty, rotated != self.refreshToken {
            self.refreshToken = rotated
            logger.info("HubSpot rotated the OAuth refresh token")
        }
        refreshCount += 1
        Counter(label: "hubspot_token_refreshes_total", dimensions: [("outcome", "ok")]).increment()
        logger.info("HubSpot access token refreshed", metadata: ["expires_in_s": "\(answer.expiresIn)"])
        return answer.accessToken
    }
}
