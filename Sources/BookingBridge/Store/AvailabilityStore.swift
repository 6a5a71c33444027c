import Foundation
import Logging
import PostgresNIO

/// SQL for the shared availability cache (`availability_pages`) and the slots the bridge holds or booked
/// (`availability_holds`), `sql/011_availability_cache.sql` and `sql/014_availability_accounts.sql`. Ages are
/// measured on the database's clock, so processes with skewed clocks agree on what is fresh.
///
/// One store reads and writes one HubSpot account's rows: two accounts may each have a link with the same slug.
public struct AvailabilityStore: Sendable {
    public let database: Database
    /// The HubSpot account whose links these are (its rate-budget key, `HubSpotClient.accountKey`).
    public let account: String

    public init(database: Database, account: String) {
        self.database = database
        self.account = account
    }

    /// One cached page: HubSpot's JSON, and how long ago it was fetched (nil: never, or marked stale).
    public struct CachedPage: Sendable {
        public var page: HubSpotAvailabilityPage?
        public var ageMillis: Int64?
    }

    /// A slot held by an intent: in flight, or booked (`ageMillis` since the booking's answer).
    public struct Hold: Sendable, Equatable {
        public var intentID: UUID
        public var startMillis: Int64
        public var endMillis: Int64
        public var booked: Bool
        public var ageMillis: Int64
    }

    /// The cached page of `slug` for the month starting at `month` (UTC), if any row exists.
    public func page(slug: String, month: Date) async throws -> CachedPage? {
        let rows = try await database.query(
            """
            SELECT page, (extract(epoch FROM now() - fetched_at) * 1000)::bigint
            FROM availability_pages
            WHERE account = \(account) AND slug = \(slug) AND month = \(Self.day(month))::date
            """)
        for try await (text, age) in rows.decode((String?, Int64?).self) {
            let page = text.flatMap { try? JSONDecoder().decode(HubSpotAvailabilityPage.self, from: Data($0.utf8)) }
            return CachedPage(page: page, ageMillis: page == nil ? nil : age)
        }
        return nil
    }

    /// Claims the refresh of one page for `lease`, if it is still older than `olderThan`; returns the database's
    /// time of the claim, or nil when another process is refreshing it now or just did.
    public func claimRefresh(slug: String, month: Date, olderThan: Duration, lease: Duration) async throws -> Date? {
        let rows = try await database.query(
            """
            INSERT INTO availability_pages AS p (account, slug, month, refreshing_until)
            VALUES (\(account), \(slug), \(Self.day(month))::date,
                    now() + \(lease.milliseconds) * interval '1 millisecond')
            ON CONFLICT (account, slug, month) DO UPDATE SET refreshing_until = excluded.refreshing_until
            WHERE (p.refreshing_until IS NULL OR p.refreshing_until < now())
              AND (p.fetched_at IS NULL OR p.fetched_at <= now() - \(olderThan.milliseconds) * interval '1 millisecond')
            RETURNING now()
            """)
        for try await claimed in rows.decode(Date.self) { return claimed }
        return nil
    }

    /// Stores a fetched page and ends the claim. Booked holds older than `claimedAt` are dropped: the page was
    /// fetched after their booking's answer, so HubSpot's slots already leave them out.
    public func store(
        slug: String, month: Date, page: HubSpotAvailabilityPage, claimedAt: Date?
    ) async throws {
        let text = String(decoding: try JSONEncoder().encode(page), as: UTF8.self)
        try await database.withTransaction { connection in
            try await connection.query(
                """
                INSERT INTO availability_pages (account, slug, month, page, fetched_at)
                VALUES (\(account), \(slug), \(Self.day(month))::date, \(text), now())
                ON CONFLICT (account, slug, month) DO UPDATE
                SET page = excluded.page, fetched_at = excluded.fetched_at, refreshing_until = NULL
                """, logger: database.logger)
            if let claimedAt {
                try await connection.query(
                    """
                    DELETE FROM availability_holds
                    WHERE account = \(account) AND slug = \(slug) AND booked AND held_at < \(claimedAt)
                    """, logger: database.logger)
            }
            // Holds of slots long past are no use to anyone.
            let dayAgo = HubSpotTimestamp.millis(Date()) - 86_400_000
            try await connection.query(
                """
                DELETE FROM availability_holds WHERE account = \(account) AND slug = \(slug) AND end_ms < \(dayAgo)
                """, logger: database.logger)
        }
    }

    /// Ends a claim without a page (the refresh failed).
    public func release(slug: String, month: Date) async throws {
        try await database.query(
            """
            UPDATE availability_pages SET refreshing_until = NULL
            WHERE account = \(account) AND slug = \(slug) AND month = \(Self.day(month))::date
            """)
    }

    /// Marks every cached page of a link stale (HubSpot refused a slot the cache offered): the next read refreshes.
    public func markStale(slug: String) async throws {
        try await database.query(
            "UPDATE availability_pages SET fetched_at = NULL WHERE account = \(account) AND slug = \(slug)")
    }

    /// Holds of `slug` that overlap `[startMillis, endMillis)`.
    public func holds(slug: String, startMillis: Int64, endMillis: Int64) async throws -> [Hold] {
        let rows = try await database.query(
            """
            SELECT intent_id, start_ms, end_ms, booked, (extract(epoch FROM now() - held_at) * 1000)::bigint
            FROM availability_holds
            WHERE account = \(account) AND slug = \(slug) AND start_ms < \(endMillis) AND end_ms > \(startMillis)
            """)
        var holds: [Hold] = []
        for try await (id, start, end, booked, age) in rows.decode((UUID, Int64, Int64, Bool, Int64).self) {
            holds.append(Hold(intentID: id, startMillis: start, endMillis: end, booked: booked, ageMillis: age))
        }
        return holds
    }

    /// Holds a slot for an intent whose booking call is about to leave.
    public func hold(intentID: UUID, slug: String, startMillis: Int64, endMillis: Int64) async throws {
        try await database.query(
            """
            INSERT INTO availability_holds (intent_id, account, slug, start_ms, end_ms)
            VALUES (\(intentID), \(account), \(slug), \(startMillis), \(endMillis))
            ON CONFLICT (intent_id) DO UPDATE
            SET account = excluded.account, slug = excluded.slug, start_ms = excluded.start_ms,
                end_ms = excluded.end_ms, booked = false, held_at = now()
            """)
    }

    /// Settles an intent's hold with its outcome, in the outcome's transaction: a booked slot stays held until a
    /// newer page shows it; any other final outcome frees it (an offline "booking" made no meeting).
    public static func settle(
        intentID: UUID, booked: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws {
        if booked {
            try await connection.query(
                "UPDATE availability_holds SET booked = true, held_at = now() WHERE intent_id = \(intentID)",
                logger: logger)
        } else {
            try await connection.query(
                "DELETE FROM availability_holds WHERE intent_id = \(intentID)", logger: logger)
        }
    }

    /// `YYYY-MM-DD` of a UTC month start.
    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
