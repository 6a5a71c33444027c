import Crypto
import Foundation
import Logging
import PostgresNIO

/// Applies the migrations that a database lacks.
///
/// Each migration runs in its own transaction and is recorded in `schema_migrations`. A session advisory lock
/// serializes concurrent runners (two processes starting together both succeed: the second finds nothing to do).
/// A database that has a migration this build does not know is refused, so an old binary never runs against a
/// newer schema.
public struct Migrations: Sendable {
    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    /// Arbitrary but fixed: the advisory lock key that serializes migration runners ("bbmigr" in ASCII).
    static let lockKey: Int64 = 0x6262_6D69_6772

    public let migrations: [Migration]

    public init(_ migrations: [Migration] = Migrations.embedded) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// The outcome of a run: what was applied now, and the version the database is at.
    public struct Report: Sendable {
        public var applied: [Migration]
        public var currentVersion: Int
    }

    /// Applies pending migrations and returns what it did.
    @discardableResult
    public func apply(on database: Database) async throws -> Report {
        let logger = database.logger
        return try await database.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let report = try await applyLocked(connection: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return report
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// Versions recorded in the database, or an empty list before the first migration.
    public func appliedVersions(on database: Database) async throws -> [Int] {
        let exists =
            try await database.query(
                "SELECT to_regclass('schema_migrations') IS NOT NULL", logger: database.logger
            ).decode(Bool.self).first(where: { _ in true }) ?? false
        guard exists else { return [] }
        var versions: [Int] = []
        for try await version in try await database.query(
            "SELECT version FROM schema_migrations ORDER BY version", logger: database.logger
        ).decode(Int.self) {
            versions.append(version)
        }
        return versions
    }

    /// True when every migration this build knows is applied. A database that is ahead (a newer build migrated it
    /// during a rolling update) still counts: migrations only add, so this build keeps working on it.
    public func isCurrent(on database: Database) async throws -> Bool {
        Set(try await appliedVersions(on: database)).isSuperset(of: migrations.map(\.version))
    }

    private func applyLocked(connection: PostgresConnection, logger: Logger) async throws -> Report {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var recorded: [Int: String] = [:]
        for try await (version, checksum) in try await connection.query(
            "SELECT version, checksum FROM schema_migrations", logger: logger
        ).decode((Int, String).self) {
            recorded[version] = checksum
        }
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        if let unknown = recorded.keys.sorted().first(where: { known[$0] == nil }) {
            throw Error(
                description:
                    "the database has migration \(unknown), which this build of bookingbridge does not know; "
                    + "run a newer build (this one knows up to \(migrations.last?.version ?? 0))")
        }
        for (version, checksum) in recorded where known[version]!.checksum != checksum {
            logger.warning(
                "migration file changed after it was applied",
                metadata: ["migration": "\(known[version]!.name)"])
        }
        var applied: [Migration] = []
        for migration in migrations where recorded[migration.version] == nil {
            let started = ContinuousClock.now
            logger.info("applying migration", metadata: ["migration": "\(migration.name)"])
            do {
                try await connection.withTransaction(logger: logger) { connection in
                    for statement in SQLScript.statements(in: migration.sql) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        """
                        INSERT INTO schema_migrations (version, name, checksum)
                        VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                        """, logger: logger)
                }
            } catch let error as PostgresTransactionError {
                let cause = error.closureError ?? error.commitError ?? error.beginError ?? error
                throw Error(description: "migration \(migration.name) failed: \(String(reflecting: cause))")
            }
            logger.info(
                "applied migration",
                metadata: [
                    "migration": "\(migration.name)",
                    "ms": "\((ContinuousClock.now - started).milliseconds)",
                ])
            applied.append(migration)
        }
        return Report(applied: applied, currentVersion: migrations.last?.version ?? 0)
    }
}
