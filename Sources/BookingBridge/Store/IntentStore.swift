import Foundation
import Logging
import PostgresNIO

/// SQL for the `intents` table: durable insert with idempotency, claiming due work with a lease, and status
/// changes that only succeed for the lease holder.
public struct IntentStore: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// The channel that NOTIFY wakes booking workers on.
    public static let notifyChannel = "bookingbridge_intents"

    /// The result of an insert: a new intent, or the one that already had this idempotency key.
    public enum InsertOutcome: Sendable, Equatable {
        case created(IntentRecord)
        case existing(IntentRecord)

        public var record: IntentRecord {
            switch self {
            case .created(let r), .existing(let r): r
            }
        }

        public var wasCreated: Bool {
            if case .created = self { return true }
            return false
        }
    }

    /// Columns read into an `IntentRecord`, in `decodeRecord`'s order.
    static let columns = """
        id, source, idempotency_key, status, request::text, attempts, uncertain, locked_by, locked_until,
        next_attempt_at, last_error::text, created_at, updated_at, finished_at, book_started_at
        """

    /// Inserts an intent, or returns the existing one with the same `(source, idempotencyKey)`. Returns only after
    /// the row is committed; wakes the workers of every bridge process through NOTIFY.
    public func insert(_ intent: NewIntent) async throws -> InsertOutcome {
        let request = try Self.json(intent.request)
        let raw = try Self.json(intent.raw)
        let email = intent.request.email.lowercased()
        let status = intent.status.rawValue
        let inserted = try await database.query(
            """
            WITH inserted AS (
                INSERT INTO intents (id, source, idempotency_key, status, raw, request, email, client_ip, user_agent,
                                     finished_at)
                VALUES (\(intent.id), \(intent.source), \(intent.idempotencyKey), \(status), \(raw)::jsonb,
                        \(request)::jsonb, \(email), \(intent.clientIP), \(intent.userAgent),
                        CASE WHEN \(status) = 'spam' THEN now() END)
                ON CONFLICT (source, idempotency_key) DO NOTHING
                RETURNING \(unescaped: Self.columns)
            )
            SELECT inserted.*, pg_notify(\(Self.notifyChannel), '') FROM inserted
            """, logger: database.logger)
        for try await row in inserted {
            return .created(try Self.decodeRecord(row))
        }
        let existing = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM intents
            WHERE source = \(intent.source) AND idempotency_key = \(intent.idempotencyKey)
            """, logger: database.logger)
        for try await row in existing {
            return .existing(try Self.decodeRecord(row))
        }
        throw StoreError(description: "intent with idempotency key vanished between insert and read")
    }

    /// The intent with this id, if any.
    public func find(id: UUID) async throws -> IntentRecord? {
        let rows = try await database.query(
            "SELECT \(unescaped: Self.columns) FROM intents WHERE id = \(id)", logger: database.logger)
        for try await row in rows { return try Self.decodeRecord(row) }
        return nil
    }

    /// Claims up to `limit` due intents for `owner` until `now + lease`.
    ///
    /// A claim moves `next_attempt_at` to the lease's end, so an intent whose worker died becomes due again by
    /// itself when the lease expires (and `uncertain` tells the next worker whether a call may have been in flight).
    /// Rows locked by another claimer are skipped, never waited for. `sources` leaves out the intents of some
    /// sources (those of a HubSpot account that waits for its rate budget); they stay due, untouched.
    public func claimDue(
        owner: String, limit: Int, lease: Duration, sources: SourceFilter = .all
    ) async throws -> [IntentRecord] {
        let leaseMs = lease.milliseconds
        let (except, only) = sources.lists
        let rows = try await database.query(
            """
            WITH due AS (
                SELECT id FROM intents
                WHERE status IN ('received', 'retrying') AND next_attempt_at <= now()
                  -- the sources left out, and the only ones taken (NULL: every source)
                  AND NOT (source = ANY(\(except)::text[]))
                  AND (\(only)::text[] IS NULL OR source = ANY(\(only)::text[]))
                ORDER BY next_attempt_at
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            )
            UPDATE intents AS i
            SET locked_by = \(owner),
                locked_until = now() + \(leaseMs) * interval '1 millisecond',
                next_attempt_at = now() + \(leaseMs) * interval '1 millisecond',
                updated_at = now()
            FROM due WHERE i.id = due.id
            RETURNING \(unescaped: Self.columns.split(separator: ",").map { "i." + $0.trimmingWhitespace() }.joined(separator: ", "))
            """, logger: database.logger)
        var claimed: [IntentRecord] = []
        for try await row in rows { claimed.append(try Self.decodeRecord(row)) }
        return claimed
    }

    /// Which sources' due intents `claimDue` takes.
    public enum SourceFilter: Sendable, Equatable {
        case all
        /// Every source but these.
        case except([String])
        /// Only these sources.
        case only([String])

        var lists: (except: [String], only: [String]?) {
            switch self {
            case .all: ([], nil)
            case .except(let sources): (sources, nil)
            case .only(let sources): ([], sources)
            }
        }
    }

    /// Gives a claim back unchanged, due at once (used when draining before the work started).
    @discardableResult
    public func release(id: UUID, owner: String) async throws -> Bool {
        try await updateHeld(
            id: id, owner: owner, set: "locked_by = NULL, locked_until = NULL, next_attempt_at = now()")
    }

    /// Sets the `uncertain` flag (and counts the attempt) before a booking call leaves, so that a worker that dies
    /// mid-call leaves evidence for the next one, and renews the lease for the call. Fails when the lease was lost.
    @discardableResult
    public func markBookingInFlight(id: UUID, owner: String, lease: Duration) async throws -> Bool {
        let ms = lease.milliseconds
        return try await updateHeld(
            id: id, owner: owner,
            set: """
                uncertain = true, attempts = attempts + 1, book_started_at = now(),
                locked_until = now() + \(ms) * interval '1 millisecond',
                next_attempt_at = now() + \(ms) * interval '1 millisecond'
                """)
    }

    /// Clears the `uncertain` flag once it is known that no booking exists for the intent.
    @discardableResult
    public func clearUncertain(id: UUID, owner: String) async throws -> Bool {
        try await updateHeld(id: id, owner: owner, set: "uncertain = false, book_started_at = NULL")
    }

    /// Puts a held intent back in the queue for `at`, keeping `reason` as its last error. `callSettled` is false when
    /// the last booking call's answer was not seen (it may still land), which keeps `book_started_at`. `attemptDelta` adjusts the
    /// attempt count: +1 for a failed call that `markBookingInFlight` did not count (enrichment), -1 to take back
    /// the attempt it counted when HubSpot did not process the call (rate limited).
    @discardableResult
    public func reschedule(
        id: UUID, owner: String, at: Date, reason: FailureReason?, uncertain: Bool? = nil, attemptDelta: Int = 0,
        callSettled: Bool = true
    ) async throws -> Bool {
        let error = try reason.map(Self.json)
        let rows = try await database.query(
            """
            UPDATE intents
            SET status = 'retrying', next_attempt_at = \(at), last_error = \(error)::jsonb,
                uncertain = COALESCE(\(uncertain), uncertain),
                attempts = greatest(attempts + \(attemptDelta), 0),
                book_started_at = CASE WHEN \(callSettled) THEN NULL ELSE book_started_at END,
                locked_by = NULL, locked_until = NULL, updated_at = now()
            WHERE id = \(id) AND locked_by = \(owner) AND status IN ('received', 'retrying')
            RETURNING id
            """, logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    /// Ends a held intent with a final status, on `connection` (inside the transaction that writes the booking and
    /// the outbox). Returns false, changing nothing, when the lease was lost. `locked_by` keeps the finishing worker,
    /// for the record.
    public static func finish(
        id: UUID, owner: String, status: IntentStatus, reason: FailureReason?, attempts: Int? = nil,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        precondition(status.isFinal, "finish needs a final status")
        let error = try reason.map(Self.json)
        let rows = try await connection.query(
            """
            UPDATE intents
            SET status = \(status.rawValue), last_error = \(error)::jsonb, uncertain = false,
                attempts = greatest(attempts, COALESCE(\(attempts)::integer, 0)),
                locked_until = NULL, finished_at = now(), updated_at = now()
            WHERE id = \(id) AND locked_by = \(owner) AND status IN ('received', 'retrying')
            RETURNING id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    private func updateHeld(id: UUID, owner: String, set: String) async throws -> Bool {
        let rows = try await database.query(
            """
            UPDATE intents SET \(unescaped: set), updated_at = now()
            WHERE id = \(id) AND locked_by = \(owner) AND status IN ('received', 'retrying')
            RETURNING id
            """, logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    static func decodeRecord(_ row: PostgresRow) throws -> IntentRecord {
        let (id, source, key, status, request, attempts, uncertain, lockedBy, lockedUntil) =
            try row.decode((UUID, String, String, String, String, Int, Bool, String?, Date?).self, context: .default)
        let columns = row.makeRandomAccess()
        let nextAttemptAt = try columns[9].decode(Date.self, context: .default)
        let lastError = try columns[10].decode(String?.self, context: .default)
        let createdAt = try columns[11].decode(Date.self, context: .default)
        let updatedAt = try columns[12].decode(Date.self, context: .default)
        let finishedAt = try columns[13].decode(Date?.self, context: .default)
        let bookStartedAt = try columns[14].decode(Date?.self, context: .default)
        guard let status = IntentStatus(rawValue: status) else {
            throw StoreError(description: "unknown intent status \(status)")
        }
        return IntentRecord(
            id: id, source: source, idempotencyKey: key, status: status,
            request: try JSONCoding.decoder.decode(BookingRequest.self, from: Data(request.utf8)),
            attempts: attempts, uncertain: uncertain, lockedBy: lockedBy, lockedUntil: lockedUntil,
            nextAttemptAt: nextAttemptAt,
            lastError: try lastError.map { try JSONCoding.decoder.decode(FailureReason.self, from: Data($0.utf8)) },
            createdAt: createdAt, updatedAt: updatedAt, finishedAt: finishedAt, bookStartedAt: bookStartedAt)
    }

    /// Encodes a value as JSON text for a `jsonb` parameter (stable key order).
    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
    }
}

extension IntentStore {
    /// Puts a failed or needs-review intent back in the queue at once, as an operator asked. The attempt count
    /// starts again; `uncertain` is cleared, because the operator has checked that no meeting exists.
    public func requeue(id: UUID) async throws -> IntentRecord? {
        let rows = try await database.query(
            """
            UPDATE intents
            SET status = 'retrying', attempts = 0, uncertain = false, next_attempt_at = now(), finished_at = NULL,
                locked_by = NULL, locked_until = NULL, updated_at = now()
            WHERE id = \(id) AND status IN ('failed', 'needs_review', 'offline')
            RETURNING \(unescaped: Self.columns)
            """, logger: database.logger)
        for try await row in rows { return try Self.decodeRecord(row) }
        return nil
    }

    /// Ends a needs-review intent as an operator decided, on `connection` (inside the transaction that writes the
    /// booking and the event). Returns the updated record, or nil when the intent is not in needs_review.
    public static func resolve(
        id: UUID, status: IntentStatus, reason: FailureReason?, on connection: PostgresConnection, logger: Logger
    ) async throws -> IntentRecord? {
        let error = try reason.map(Self.json)
        let rows = try await connection.query(
            """
            UPDATE intents
            SET status = \(status.rawValue), last_error = COALESCE(\(error)::jsonb, last_error), uncertain = false,
                finished_at = now(), updated_at = now()
            WHERE id = \(id) AND status = 'needs_review'
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        for try await row in rows { return try Self.decodeRecord(row) }
        return nil
    }
}
