import BookingBridge
import EphemeralPostgres
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Gives each test its own freshly migrated database.
///
/// Without `DATABASE_URL`, one throwaway PostgreSQL is started for the whole test process (and removed when the
/// process ends, whatever way it ends). With `DATABASE_URL`, databases are created on that server; its user needs
/// the CREATEDB privilege.
enum TestDatabase {
    /// The server every test database lives on.
    actor Server {
        static let shared = Server()
        private var adminURL: String?
        /// The throwaway cluster being started: callers that come while it starts wait for the same one (the actor
        /// is reentrant across the await).
        private var starting: Task<EphemeralPostgres, any Error>?

        func url() async throws -> String {
            if let adminURL { return adminURL }
            if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
                adminURL = url
                return url
            }
            let starting = self.starting ?? Task { try await EphemeralPostgres.start() }
            self.starting = starting
            let url = try await starting.value.url
            adminURL = url
            return url
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "test-db")
        logger.logLevel =
            ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }()

    /// The URL of a new, empty database (not migrated).
    static func createDatabase() async throws -> String {
        let adminURL = try await Server.shared.url()
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let admin = try Database(url: adminURL, maximumConnections: 1, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.client.run() }
            try await admin.client.query("CREATE DATABASE \(unescaped: String(name))", logger: logger)
            group.cancelAll()
        }
        guard var components = URLComponents(string: adminURL) else { throw TestFailure("bad URL \(adminURL)") }
        components.path = "/" + name
        return components.string!
    }

    /// Runs `body` with a pool on a new, migrated database; the pool is shut down afterwards, also on error.
    static func withFreshDatabase<T: Sendable>(
        migrate: Bool = true, maximumConnections: Int = 10, _ body: @Sendable (Database, String) async throws -> T
    ) async throws -> T {
        let url = try await createDatabase()
        let database = try Database(url: url, maximumConnections: maximumConnections, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await database.client.run()
                return nil
            }
            defer { group.cancelAll() }
            if migrate { try await Migrations().apply(on: database) }
            let result = try await body(database, url)
            return result
        }
    }

    /// Runs `body` with a pool on a new, migrated database.
    static func withFreshDatabase<T: Sendable>(
        maximumConnections: Int = 10, _ body: @Sendable (Database) async throws -> T
    ) async throws -> T {
        try await withFreshDatabase(migrate: true, maximumConnections: maximumConnections) { db, _ in try await body(db)
        }
    }
}
