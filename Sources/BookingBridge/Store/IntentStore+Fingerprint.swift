import Foundation
import Logging
import PostgresNIO

extension IntentStore {
    /// The statuses of an intent that a repeat of its request still belongs to: pending (including one a person
    /// must look at, which may have booked) or booked. A repeat of a failed, offline or refused request is a new try.
    /// Spam intents match only spam repeats (their fingerprints are apart, see `IdempotencyKey.fingerprint`).
    static let fingerprintMatchStatuses: [IntentStatus] = [.received, .retrying, .needsReview, .booked, .spam]

    /// Inserts a public form's intent, or returns the intent of the same source and fingerprint submitted less than
    /// `window` ago that is still pending or booked (`fingerprintMatchStatuses`), newest first.
    ///
    /// The check and the insert run in one transaction under a transaction-level advisory lock on the fingerprint,
    /// so concurrent repeats (a double click reaching two bridge processes) wait for each other and create one
    /// intent. The window is measured in the database's clock, against `created_at`. Returns only after the row
    /// is committed; does not NOTIFY (see `notifyWorkers`).
    public func insertFingerprinted(_ intent: NewIntent, window: Duration) async throws -> InsertOutcome {
        guard let fingerprint = intent.fingerprint else {
            throw StoreError(description: "insertFingerprinted needs an intent with a fingerprint")
        }
        let request = IntentJSON.request(intent.request)
        let raw = IntentJSON.raw(intent.raw)
        let email = intent.request.email.lowercased()
        let status = intent.status.rawValue
        let windowMs = window.milliseconds
        let statuses = Self.fingerprintMatchStatuses.map(\.rawValue)
        let logger = database.logger
        return try await database.client.withTransaction(logger: logger) { connection in
            // Lock first, then read: the read's snapshot is taken after the lock is granted, so it sees the intent
            // of whoever held the lock before. The two-key form keeps these locks apart from the one-key ones.
            try await connection.query(
                """
                -- Class 0x6670 ("fp") and the fingerprint's hash: repeats of one request take turns.
                SELECT pg_advisory_xact_lock(\(Self.fingerprintLockClass), hashtext(\(fingerprint)))
                """, logger: logger)
            let existing = try await connection.query(
                """
                -- The newest intent of this request that is recent enough and not finished without a meeting.
                SELECT \(unescaped: Self.columns) FROM intents
                WHERE source = \(intent.source) AND fingerprint = \(fingerprint)
                  AND created_at > now() - \(windowMs) * interval '1 millisecond'
                  AND status = ANY(\(statuses)::text[])
                ORDER BY created_at DESC
                LIMIT 1
                """, logger: logger)
            for try await row in existing {
                return .existing(try Self.decodeRecord(row))
            }
            let inserted = try await connection.query(
                """
                INSERT INTO intents (id, source, idempotency_key, fingerprint, status, raw, request, email, client_ip,
                                     user_agent, finished_at)
                VALUES (\(intent.id), \(intent.source), \(intent.idempotencyKey), \(fingerprint), \(status),
                        \(raw)::jsonb, \(request)::jsonb, \(email), \(intent.clientIP), \(intent.userAgent),
                        CASE WHEN \(status) = 'spam' THEN now() END)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            for try await row in inserted {
                return .created(try Self.decodeRecord(row))
            }
            throw StoreError(description: "a fingerprinted intent was not inserted")
        }
    }

    /// The advisory lock class of fingerprint checks ("fp" in ASCII).
    static let fingerprintLockClass: Int32 = 0x6670
}
