import Foundation
import Logging
import PostgresNIO

/// SQL over every `SealedColumn`: counting values per key, and sealing again those not under the current key, in
/// batches, while bridges keep reading and writing the same rows.
public struct SealedSecretStore: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// How many values `column` holds per key id (`""` for values in the clear).
    public func census(_ column: SealedColumn) async throws -> [String: Int] {
        let rows = try await database.query(
            """
            -- The key id is the third part of sealed:v1:<key id>:<box>; '' marks a value in the clear.
            SELECT CASE WHEN \(unescaped: column.column) LIKE 'sealed:%'
                        THEN split_part(\(unescaped: column.column), ':', 3) ELSE '' END AS key_id,
                   count(*)
            FROM \(unescaped: column.table)
            WHERE \(unescaped: column.column) IS NOT NULL
            GROUP BY 1
            """, logger: database.logger)
        var counts: [String: Int] = [:]
        for try await (keyID, count) in rows.decode((String, Int).self) { counts[keyID] = count }
        return counts
    }

    /// Every column's census; a table that does not exist yet (migrations not applied) is left out.
    public func census() async throws -> [SealedColumn: [String: Int]] {
        var result: [SealedColumn: [String: Int]] = [:]
        for column in SealedColumn.all where try await exists(column.table) {
            result[column] = try await census(column)
        }
        return result
    }

    private func exists(_ table: String) async throws -> Bool {
        let rows = try await database.query(
            "SELECT to_regclass(\(table)) IS NOT NULL", logger: database.logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    /// Which values a pass seals again.
    public enum Scope: Sendable {
        /// Values in the clear only (start-up, once a key is set).
        case plain
        /// Every value not sealed under the current key (`rotate-key`).
        case notCurrent
    }

    /// Seals up to `limit` values of `column` that `scope` selects under `database.secrets.current`, in one
    /// transaction, and returns how many it changed.
    ///
    /// Rows are taken with `FOR UPDATE SKIP LOCKED`, so processes doing this at once share the work instead of
    /// waiting on each other, and a bridge changing a row meanwhile (a secret rotation) either goes first, and this
    /// pass sees its new value, or waits for this transaction. Each row is written only if it still holds the value
    /// that was read, so nothing a concurrent writer stored is overwritten. A value under a key the keyring lacks is
    /// an error (`SealingError`) and nothing of the batch is written.
    public func resealBatch(_ column: SealedColumn, scope: Scope, limit: Int) async throws -> Int {
        guard let current = database.secrets.current else { return 0 }
        let secrets = database.secrets
        let logger = database.logger
        let pattern = scope == .plain ? "sealed:%" : SecretKeyring.prefix + current.id + ":%"
        do {
            return try await resealBatch(column, pattern: pattern, limit: limit, current: current)
        } catch let error as PostgresTransactionError {
            // A `SealingError` (a key missing) comes out as itself, not wrapped.
            throw error.closureError ?? error
        }
    }

    private func resealBatch(
        _ column: SealedColumn, pattern: String, limit: Int, current: SecretKey
    ) async throws
        -> Int
    {
        let secrets = database.secrets
        let logger = database.logger
        return try await database.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                -- Values still to seal: in the clear, or (for rotate-key) under a key other than the current one.
                SELECT \(unescaped: column.idColumn)::text, \(unescaped: column.column)
                FROM \(unescaped: column.table)
                WHERE \(unescaped: column.column) IS NOT NULL AND \(unescaped: column.column) NOT LIKE \(pattern)
                ORDER BY \(unescaped: column.idColumn)
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """, logger: logger)
            var ids: [String] = []
            var old: [String] = []
            var new: [String] = []
            for try await (id, stored) in rows.decode((String, String).self) {
                let context = column.contextPrefix + id
                let plain = try secrets.open(stored, context: context)
                ids.append(id)
                old.append(stored)
                new.append(SecretKeyring.seal(plain, key: current, context: context))
            }
            guard !ids.isEmpty else { return 0 }
            let updated = try await connection.query(
                """
                -- Only rows that still hold what was read.
                UPDATE \(unescaped: column.table) AS t
                SET \(unescaped: column.column) = v.new
                FROM unnest(\(ids)::text[], \(old)::text[], \(new)::text[]) AS v (id, old, new)
                WHERE t.\(unescaped: column.idColumn) = v.id::\(unescaped: column.idType)
                  AND t.\(unescaped: column.column) = v.old
                RETURNING 1
                """, logger: logger)
            var count = 0
            for try await _ in updated { count += 1 }
            return count
        }
    }

    /// Values of `column` that `scope` still selects (rows locked by another pass included).
    public func remaining(_ column: SealedColumn, scope: Scope) async throws -> Int {
        let counts = try await census(column)
        let currentID = database.secrets.current?.id
        switch scope {
        case .plain: return counts[""] ?? 0
        case .notCurrent: return counts.filter { $0.key != currentID }.values.reduce(0, +)
        }
    }

    /// Seals every value `scope` selects, `batchSize` rows per transaction, calling `progress` with the column and
    /// the total done in it after each batch; returns the totals per column.
    ///
    /// Rows another pass holds are left to it (`SKIP LOCKED`); when some remain after a batch comes back empty,
    /// this waits briefly and looks again, so it returns only when none is left (idempotent: a second run seals
    /// nothing).
    @discardableResult
    public func resealAll(
        scope: Scope, batchSize: Int = 100, progress: @Sendable (SealedColumn, Int) -> Void = { _, _ in }
    ) async throws -> [SealedColumn: Int] {
        var totals: [SealedColumn: Int] = [:]
        guard database.secrets.current != nil else { return totals }
        for column in SealedColumn.all where try await exists(column.table) {
            var done = 0
            while true {
                let n = try await resealBatch(column, scope: scope, limit: batchSize)
                done += n
                if n > 0 {
                    progress(column, done)
                    continue
                }
                guard try await remaining(column, scope: scope) > 0 else { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            totals[column] = done
        }
        return totals
    }
}
