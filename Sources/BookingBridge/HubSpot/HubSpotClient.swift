import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The HubSpot Scheduler API client: book, booking info, availability, list meeting links.
///
/// Every call takes a slot from the account's shared rate budget first, is logged and counted
/// (`HubSpotCallLog`), and fails with a classified `HubSpotError`. A 401 refreshes an OAuth token once and
/// retries once; a second 401 (or a 401 on a static token) is permanent.
public struct HubSpotClient: Sendable {
    /// What the client needs from `HubSpotSettings`, plus knobs tests may turn.
    public struct Configuration: Sendable {
        public var baseURL: String
        public var requestTimeoutSeconds: Double
        /// Budget key of the HubSpot account.
        public var account: String
        public var limits: HubSpotRateLimits
        /// The longest a call waits for the budget; beyond it the call fails `.rateLimited` without calling HubSpot.
        public var maxBudgetWait: Duration
        /// Calls of the window this client leaves to others: it takes a call only while more than this many are free.
        public var budgetReserve: Int = 0

        public init(settings: HubSpotSettings, maxBudgetWait: Duration = .seconds(30)) {
            baseURL = settings.baseURL
            requestTimeoutSeconds = settings.requestTimeoutSeconds
            account = HubSpotClient.accountKey(settings: settings)
            limits = HubSpotRateLimits(settings: settings)
            self.maxBudgetWait = maxBudgetWait
        }
    }

    public private(set) var configuration: Configuration
    public let tokenProvider: HubSpotTokenProvider
    public let budget: any HubSpotRateBudget
    let transport: HubSpotTransport
    let logger: Logger

    /// - Parameters:
    ///   - httpClient: make it with `HubSpotClient.httpClientConfiguration(settings:)` so the connect timeout and
    ///     redirect policy apply; the caller owns and shuts it down.
    public init(
        configuration: Configuration, httpClient: HTTPClient, tokenProvider: HubSpotTokenProvider,
        budget: any HubSpotRateBudget, logger: Logger
    ) {
        self.configuration = configuration
        self.tokenProvider = tokenProvider
        self.budget = budget
        self.transport = HubSpotTransport(
            httpClient: httpClient, baseURL: configuration.baseURL,
            requestTimeoutSeconds: configuration.requestTimeoutSeconds)
        self.logger = logger
    }

    /// A client for `settings`: the token provider its credentials describe, calls shared through `budget`
    /// (`PostgresHubSpotRateBudget` across processes). Without credentials every call fails permanently.
    ///
    /// With `tokenStore` a refresh token that HubSpot rotates is kept there for every process and restart.
    public init(
        settings: HubSpotSettings, httpClient: HTTPClient, budget: any HubSpotRateBudget,
        tokenStore: (any HubSpotRefreshTokenStore)? = nil, logger: Logger
    ) {
        self.init(
            configuration: Configuration(settings: settings), httpClient: httpClient,
            tokenProvider: HubSpotTokenProvider(
                settings: settings, httpClient: httpClient, tokenStore: tokenStore, logger: logger),
            budget: budget, logger: logger)
    }

    /// HTTP client settings for HubSpot: the connect timeout from `settings`, no redirects, HTTP/1.1 or 2.
    public static func httpClientConfiguration(settings: HubSpotSettings) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .milliseconds(Int64((settings.connectTimeoutSeconds * 1000).rounded()))
        configuration.redirectConfiguration = .disallow
        // The bridge exports no traces; without this every call builds span attributes for the no-op tracer.
        configuration.tracing.tracer = nil
        return configuration
    }

    /// The account whose budget calls share: `settings.account`, else a hash of the OAuth client id or of the
    /// static token (never the secret itself). Set `account` when several apps or tokens act on one portal.
    public static func accountKey(settings: HubSpotSettings) -> String {
        if let account = settings.account, !account.isEmpty { return account }
        func digest(_ text: String) -> String {
            Hex.string(SHA256.hash(data: Data(text.utf8)).prefix(8))
        }
        if let token = settings.accessToken, !token.isEmpty { return "token-" + digest(token) }
        if let clientID = settings.clientID, !clientID.isEmpty { return "oauth-" + digest(clientID) }
        return "default"
    }

    // MARK: Scheduler API

    /// `POST /scheduler/2026-03/meetings/meeting-links/book`. On failure check `HubSpotError.mayHaveBooked`:
    /// when true the meeting may exist and must be reconciled, not booked again blindly.
    public func book(_ request: HubSpotBookingRequest) async throws -> HubSpotBookingResponse {
        let body = try JSONEncoder().encode(request)
        return try await perform(.book, method: .POST, path: HubSpotPath.book, body: ByteBuffer(data: body))
    }

    /// `GET .../book/{slug}?timezone=`: the link's settings, members and busy times.
    public func bookingInfo(slug: String, timezone: String) async throws -> HubSpotBookingInfo {
        let path = HubSpotPath.bookingInfo(slug: slug) + HubSpotPath.query([("timezone", timezone)])
        return try await perform(.bookingInfo, method: .GET, path: path, body: nil)
    }

    /// `GET .../book/availability-page/{slug}?timezone=&monthOffset=`: offered slots; page on while `hasMore`.
    public func availabilityPage(
        slug: String, timezone: String, monthOffset: Int = 0
    ) async throws
        -> HubSpotAvailabilityPage
    {
        let path =
            HubSpotPath.availability(slug: slug)
            + HubSpotPath.query([("timezone", timezone), ("monthOffset", String(monthOffset))])
        return try await perform(.availability, method: .GET, path: path, body: nil)
    }

    /// `GET /scheduler/2026-03/meetings/meeting-links?limit=&after=`.
    public func listMeetingLinks(limit: Int? = nil, after: String? = nil) async throws -> HubSpotMeetingLinkPage {
        let path = HubSpotPath.prefix + HubSpotPath.query([("limit", limit.map(String.init)), ("after", after)])
        return try await perform(.listLinks, method: .GET, path: path, body: nil)
    }
}

extension HubSpotClient {
    /// The same client for reads that must not take a booking's turn: it calls only while at least `reserve`
    /// calls of the account's window stay free for bookings, and never waits for the budget (it fails
    /// `.rateLimited` at once, and the caller answers from its cache).
    public func yieldingToBookings(reserve: Int) -> HubSpotClient {
        var copy = self
        copy.configuration.budgetReserve = max(reserve, 1)
        copy.configuration.maxBudgetWait = .zero
        return copy
    }
}

extension HubSpotClient {
    /// The same client for CRM reads: they take the account's budget only while `reserve` calls of the window stay
    /// free for bookings, and wait for it at most `maxWait` (then fail `.rateLimited` without calling HubSpot).
    public func readingAfterBookings(reserve: Int, maxWait: Duration) -> HubSpotClient {
        var copy = self
        copy.configuration.budgetReserve = max(reserve, 1)
        copy.configuration.maxBudgetWait = maxWait
        return copy
    }
}

/// The pipeline reaches HubSpot through `SchedulerAPI`; this client is its real implementation.
extension HubSpotClient: SchedulerAPI {}
