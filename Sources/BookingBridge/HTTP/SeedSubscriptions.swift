import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// Creates the configuration file's subscriptions once the database is up, then waits for shutdown.
struct SeedSubscriptions: Service {
    let seeds: [SubscriptionSeed]
    let database: Database
    let logger: Logger

    func run() async throws {
        var delay: Duration = .milliseconds(200)
        while !seeds.isEmpty && !Task.isCancelled {
            do {
                try await SubscriptionSeeder.seed(seeds, database: database, logger: logger)
                break
            } catch let error as SubscriptionSeeder.InvalidSeed {
                logger.error("a subscription in the configuration file is invalid", metadata: ["error": "\(error)"])
                break
            } catch {
                logger.warning("could not seed subscriptions yet", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
        try? await gracefulShutdown()
    }
}
