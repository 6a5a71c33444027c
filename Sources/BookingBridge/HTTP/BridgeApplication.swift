import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// The composition root: creates every component of a running bridge from one configuration and wires them.
///
/// `serve`, `dev` and the end-to-end tests all build the bridge here, so what they run is the same thing.
public struct BridgeApplication: Sendable {
    public let configuration: BridgeConfiguration
    public let database: Database
    public let httpClient: HTTPClient
    /// The client webhook deliveries go out on: its connections are checked against the destination guard.
    public let webhookHTTPClient: HTTPClient
    public let logger: Logger
    /// Bound port, once the HTTP server runs (useful with port 0).
    public let boundPort: BoundPort

    /// - Parameters:
    ///   - httpClient: for HubSpot (`HubSpotClient.httpClientConfiguration`).
    ///   - webhookHTTPClient: for deliveries (`WebhookHTTPClient.make`); `httpClient` when nil (tests).
    public init(
        configuration: BridgeConfiguration, database: Database, httpClient: HTTPClient,
        webhookHTTPClient: HTTPClient? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.database = database
        self.httpClient = httpClient
        self.webhookHTTPClient = webhookHTTPClient ?? httpClient
        self.logger = logger
        self.boundPort = BoundPort()
    }

    /// The long-running parts in start order; a `ServiceGroup` stops them in reverse order, so the HTTP server
    /// stops taking requests first, the pipeline drains next, and the dispatcher last (it sends what the pipeline
    /// committed while draining).
    public func services() -> [any Service] {
        // Metrics first: components create their metric handles when they are built.
        let registry = MetricsSetup.bootstrap()
        let readiness = Readiness()
        var webhookSettings = configuration.webhooks
        webhookSettings.publicURL = configuration.publicURL
        let dispatcher = WebhookDispatcher(
            database: database, settings: webhookSettings, httpClient: webhookHTTPClient, logger: logger)
        let hubspot = makeHubSpotClient()
        var accounts: [String: BookingPipeline.Account] = [:]
        var accountClients: [String: HubSpotClient] = [:]
        for name in configuration.hubspotAccounts.keys {
            let client = makeHubSpotClient(account: name)
            accountClients[name] = client
            accounts[name] = .init(
                api: client, crm: makeCRMClient(client: client), availability: makeAvailabilityCache(client: client))
        }
        let pipeline = BookingPipeline(
            database: database, api: hubspot, crm: makeCRMClient(client: hubspot),
            availability: makeAvailabilityCache(client: hubspot),
            accounts: accounts, sourceAccounts: configuration.sources.compactMapValues(\.hubspot),
            settings: configuration.pipeline, logger: logger, onEventsCommitted: { dispatcher.wake() })
        let router = buildRouter(
            readiness: readiness, registry: registry, hubspot: hubspot, accounts: accountClients,
            wake: { pipeline.wake() }, eventsCommitted: { dispatcher.wake() })
        let boundPort = self.boundPort
        let app = Application(
            router: router,
            server: BridgeHTTPChannel.builder(settings: configuration.server),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "BookingBridge"),
            onServerRunning: { channel in
                boundPort.set(channel.localAddress?.port)
            },
            logger: logger)
        return [
            SeedSubscriptions(seeds: configuration.subscriptions, database: database, logger: logger),
            RetentionService(database: database, settings: configuration.retention, logger: logger),
            MetricsDatabaseProbe(database: database, poolSize: configuration.databasePoolSize),
            dispatcher, pipeline, app, DrainSignal(readiness: readiness),
        ]
    }

    /// The HubSpot client every HubSpot call of this process goes through (one shared rate budget per account,
    /// and the OAuth refresh token in use, kept in PostgreSQL across processes).
    ///
    /// `account` names one of `hubspotAccounts` (its own token provider, and its own budget, filed under its
    /// `account` key or else its name); `nil` is the default `hubspot` account. The client's logs and metrics carry
    /// the name as `hubspot_account` / `account` (`default` for the default one).
    public func makeHubSpotClient(account: String? = nil) -> HubSpotClient {
        var settings = configuration.hubspot
        if let account, let named = configuration.hubspotAccounts[account] {
            settings = named
            if settings.account?.isEmpty ?? true { settings.account = account }
        }
        var logger = self.logger
        logger[metadataKey: "hubspot_account"] = "\(account ?? "default")"
        return HubSpotClient(
            settings: settings, httpClient: httpClient,
            budget: PostgresHubSpotRateBudget(database: database), tokenStore: HubSpotTokenStore(database: database),
            logger: logger)
    }

    /// The shared availability cache over `client`, keyed by its account (two accounts may have a link with the
    /// same slug); visitors' reads through it yield to bookings in that account's budget.
    public func makeAvailabilityCache(client: HubSpotClient, database: Database? = nil) -> AvailabilityCache {
        let reserve =
            configuration.availability.bookingReserve ?? max(1, client.configuration.limits.perWindow / 4)
        return AvailabilityCache(
            store: AvailabilityStore(database: database ?? self.database, account: client.configuration.account),
            visitorAPI: client.yieldingToBookings(reserve: reserve), bookingAPI: client,
            ttl: configuration.availability.cacheTTL, logger: logger)
    }

    /// The client reconciliation's CRM reads go through: `client`, taking the account's budget after bookings (the
    /// reserve visitors' availability reads leave them), waiting for it no longer than a booking would.
    public func makeCRMClient(client: HubSpotClient) -> HubSpotClient {
        let reserve =
            configuration.availability.bookingReserve ?? max(1, client.configuration.limits.perWindow / 4)
        return client.readingAfterBookings(reserve: reserve, maxWait: client.configuration.maxBudgetWait)
    }

    /// Every route of the bridge. `hubspot` is the default account's client, `accounts` the clients of
    /// `hubspotAccounts` by name: a source's slots and booking page read through the account it books with.
    public func buildRouter(
        readiness: Readiness, registry: PrometheusCollectorRegistry, hubspot: HubSpotClient,
        accounts: [String: HubSpotClient] = [:], wake: @escaping @Sendable () -> Void,
        eventsCommitted: @escaping @Sendable () -> Void = {}
    ) -> Router<BridgeRequestContext> {
        let router = Router(context: BridgeRequestContext.self)
        // Requests wait for the database at most this long, then get 503 (background loops wait and retry).
        let database = self.database.withCallTimeout(configuration.intake.commitTimeout)
        router.add(middleware: HTTPMetricsMiddleware(intakeSources: configuration.sources.keys))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: ClientAddressMiddleware(trustedProxies: configuration.server.trustedProxies))
        HealthController(database: database, readiness: readiness).addRoutes(to: router)
        MetricsController(registry: registry).addRoutes(to: router)
        OpenAPIDocument().addRoutes(to: router)
        let intake = IntakeController(
            store: IntentStore(database: database), sources: configuration.sources, settings: configuration.intake,
            publicURL: configuration.publicURL, wake: wake, eventsCommitted: eventsCommitted, logger: logger)
        intake.addRoutes(to: router)
        func reads(_ client: HubSpotClient) -> SourceReads.Account {
            let cache = makeAvailabilityCache(client: client, database: database)
            return .init(
                cache: cache, catalog: LinkCatalog(api: cache.visitorAPI, infoTTL: configuration.pipeline.linkCacheTTL))
        }
        let sourceReads = SourceReads(standard: reads(hubspot), accounts: accounts.mapValues(reads))
        SlotsController(
            sources: configuration.sources, reads: sourceReads, adminToken: configuration.adminToken,
            settings: configuration.availability
        ).addRoutes(to: router)
        BookingPageController(intake: intake, reads: sourceReads, logger: logger).addRoutes(to: router)
        addAdminRoutes(
            to: router.group("v1").add(middleware: AdminAuthMiddleware(token: configuration.adminToken)),
            database: database, wake: wake)
        if let token = configuration.adminToken, !token.isEmpty {
            // The console's actions are admin API calls, answered in process by the same routes.
            let adminRouter = Router(context: BridgeRequestContext.self)
            adminRouter.add(middleware: ProblemMiddleware())
            addAdminRoutes(
                to: adminRouter.group("v1").add(middleware: AdminAuthMiddleware(token: token)), database: database,
                wake: wake)
            ConsoleController(
                configuration: configuration, adminToken: token, database: database,
                admin: adminRouter.buildResponder()
            ).addRoutes(to: router)
        }
        return router
    }

    /// The admin API under `group` (already behind `AdminAuthMiddleware`).
    private func addAdminRoutes(
        to admin: RouterGroup<BridgeRequestContext>, database: Database, wake: @escaping @Sendable () -> Void
    ) {
        IntentsController(database: database).addRoutes(to: admin)
        IntentActionsController(database: database, wake: wake).addRoutes(to: admin)
        SubscriptionsController(database: database, settings: configuration.webhooks).addRoutes(to: admin)
        DeliveriesController(database: database).addRoutes(to: admin)
    }
}
