import Foundation
import Logging
import PostgresNIO

/// SQL for `console_sessions`: the operator console's signed-in sessions, by the digest of their id.
public struct ConsoleSessionStore: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// Records a new session that lasts `ttl`, and deletes the sessions that have expired.
    public func create(digest: String, ttl: Duration) async throws {
        let ms = ttl.milliseconds
        try await database.query(
            """
            WITH expired AS (DELETE FROM console_sessions WHERE expires_at < now())
            INSERT INTO console_sessions (id_digest, expires_at)
            VALUES (\(digest), now() + \(ms) * interval '1 millisecond')
            """, logger: database.logger)
    }

    /// Whether the session exists and has not expired.
    public func isActive(digest: String) async throws -> Bool {
        let rows = try await database.query(
            "SELECT 1 FROM console_sessions WHERE id_digest = \(digest) AND expires_at > now()",
            logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    /// Ends the session (sign-out).
    public func end(digest: String) async throws {
        try await database.query(
            "DELETE FROM console_sessions WHERE id_digest = \(digest)", logger: database.logger)
    }
}
