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
        let inserted = try await database.rows(
            InsertStatement(
                ids: ids, sources: sources, keys: keys, statuses: statuses, raws: raws, requests: requests,
                emails: emails, clientIPs: clientIPs, userAgents: userAgents, notify: notify))
        var created: [UUID: IntentRecord] = [:]
        let byID = Dictionary(unique.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (id, nextAttemptAt, createdAt, finishedAt) in inserted {
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
            let rows = try await database.query(
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

    /// `insertBatch`'s statement (prepared per connection, see `Database.rows`).
    struct InsertStatement: PostgresPreparedStatement {
        static var name: String { PreparedStatementNames.name("bookingbridge_insert_intents") }
        static let sql = """
            WITH input AS (
                SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                     $7::text[], $8::text[], $9::text[])
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
            SELECT inserted.*, CASE WHEN $10::bool THEN pg_notify($11::text, '') END FROM inserted
            """
        static let bindingDataTypes: [PostgresDataType] = [
            .uuidArray, .textArray, .textArray, .textArray, .textArray, .textArray, .textArray, .textArray,
            .textArray, .bool, .text,
        ]

        var ids: [UUID]
        var sources: [String]
        var keys: [String]
        var statuses: [String]
        var raws: [String]
        var requests: [String]
        var emails: [String]
        /// '' for unknown (arrays cannot hold NULL here); stored as NULL.
        var clientIPs: [String]
        var userAgents: [String]
        var notify: Bool

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 11)
            bindings.append(ids)
            for texts in [sources, keys, statuses, raws, requests, emails, clientIPs, userAgents] {
                bindings.append(texts)
            }
            bindings.append(notify)
            bindings.append(IntentStore.notifyChannel)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (UUID, Date, Date, Date?) {
            let c = row.makeRandomAccess()
            return (
                try c[0].decode(UUID.self, context: .default), try c[1].decode(Date.self, context: .default),
                try c[2].decode(Date.self, context: .default), try c[3].decode(Date?.self, context: .default)
            )
        }
    }

    /// Wakes the workers of every bridge process, in a transaction of its own.
    ///
    /// PostgreSQL serializes the commits of all transactions that NOTIFY (a database-wide lock held until the commit
    /// is flushed), so inserts that notify cannot share WAL flushes. A separate NOTIFY writes no WAL and commits
    /// without waiting for the disk.
    public func notifyWorkers() async throws {
        try await database.query("SELECT pg_notify(\(Self.notifyChannel), '')", logger: database.logger)
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
