import Foundation
import Logging
import PostgresNIO

extension IntentStore {
    /// Inserts several intents in one statement (one transaction, one commit), each idempotent on
    /// `(source, idempotencyKey)` like `insert(_:)`, and returns their outcomes in order. Returns only after the rows
    /// are committed. With `notify`, the transaction also wakes the workers of every bridge process through NOTIFY;
    /// without it, call `notifyWorkers()` afterwards (see there why).
    ///
    /// Intents in one batch that share a key get one row: the first is inserted, the others see it as existing.
    public func insertBatch(_ intents: [NewIntent], notify: Bool = true) async throws -> [InsertOutcome] {
        guard !intents.isEmpty else { return [] }
        var firstIndexOfKey: [KeyPair: Int] = [:]
        var unique: [NewIntent] = []
        for intent in intents where firstIndexOfKey[KeyPair(intent)] == nil {
            firstIndexOfKey[KeyPair(intent)] = unique.count
            unique.append(intent)
        }
        let ids = unique.map(\.id)
        let sources = unique.map(\.source)
        let keys = unique.map(\.idempotencyKey)
        let statuses = unique.map(\.status.rawValue)
        let raws = unique.map { IntentJSON.raw($0.raw) }
        let requests = unique.map { IntentJSON.request($0.request) }
        let emails = unique.map { $0.request.email.lowercased() }
        // Arrays cannot hold NULL here: '' stands for "unknown" and is stored as NULL.
        let clientIPs = unique.map { $0.clientIP ?? "" }
        let userAgents = unique.map { $0.userAgent ?? "" }
        let rows = try await database.client.query(
            """
            WITH input AS (
                SELECT * FROM unnest(\(ids)::uuid[], \(sources)::text[], \(keys)::text[], \(statuses)::text[],
                                     \(raws)::text[], \(requests)::text[], \(emails)::text[], \(clientIPs)::text[],
                                     \(userAgents)::text[])
                    AS t(id, source, idempotency_key, status, raw, request, email, client_ip, user_agent)
            ), inserted AS (
                INSERT INTO intents (id, source, idempotency_key, status, raw, request, email, client_ip, user_agent,
                                     finished_at)
                SELECT id, source, idempotency_key, status, raw::jsonb, request::jsonb, email, NULLIF(client_ip, ''),
                       NULLIF(user_agent, ''), CASE WHEN status = 'spam' THEN now() END
                FROM input
                ON CONFLICT (source, idempotency_key) DO NOTHING
                -- Only what the database decided: the rest of a new row is what was sent.
                RETURNING id, next_attempt_at, created_at, finished_at
            )
            -- PostgreSQL folds the identical notifications of one transaction into one.
            SELECT inserted.*, CASE WHEN \(notify) THEN pg_notify(\(Self.notifyChannel), '') END FROM inserted
            """, logger: database.logger)
        var created: [UUID: IntentRecord] = [:]
        let byID = Dictionary(unique.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for try await (id, nextAttemptAt, createdAt, finishedAt) in rows.decode((UUID, Date, Date, Date?).self) {
            guard let intent = byID[id] else { continue }
            created[id] = IntentRecord(
                id: id, source: intent.source, idempotencyKey: intent.idempotencyKey, status: intent.status,
                request: intent.request, attempts: 0, uncertain: false, lockedBy: nil, lockedUntil: nil,
                nextAttemptAt: nextAttemptAt, lastError: nil, createdAt: createdAt, updatedAt: createdAt,
                finishedAt: finishedAt)
        }
        var existing: [KeyPair: IntentRecord] = [:]
        let missing = unique.filter { created[$0.id] == nil }
        if !missing.isEmpty {
            let rows = try await database.client.query(
                """
                SELECT \(unescaped: Self.columns) FROM intents
                WHERE (source, idempotency_key) IN (
                    SELECT * FROM unnest(\(missing.map(\.source))::text[], \(missing.map(\.idempotencyKey))::text[]))
                """, logger: database.logger)
            for try await row in rows {
                let record = try Self.decodeRecord(row)
                existing[KeyPair(source: record.source, key: record.idempotencyKey)] = record
            }
        }
        return try intents.map { intent in
            let key = KeyPair(intent)
            let first = unique[firstIndexOfKey[key]!]
            if let record = created[first.id] {
                return first.id == intent.id ? .created(record) : .existing(record)
            }
            guard let record = existing[key] else {
                throw StoreError(description: "intent with idempotency key vanished between insert and read")
            }
            return .existing(record)
        }
    }

    /// Wakes the workers of every bridge process, in a transaction of its own.
    ///
    /// PostgreSQL serializes the commits of all transactions that NOTIFY (a database-wide lock held until the commit
    /// is flushed), so inserts that notify cannot share WAL flushes. A separate NOTIFY writes no WAL and commits
    /// without waiting for the disk.
    public func notifyWorkers() async throws {
        try await database.client.query("SELECT pg_notify(\(Self.notifyChannel), '')", logger: database.logger)
    }

    private struct KeyPair: Hashable {
        var source: String
        var key: String

        init(source: String, key: String) {
            self.source = source
            self.key = key
        }

        init(_ intent: NewIntent) { self.init(source: intent.source, key: intent.idempotencyKey) }
    }
}
