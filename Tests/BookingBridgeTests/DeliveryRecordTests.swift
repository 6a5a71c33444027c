import Foundation
import PostgresNIO
import Testing

@testable import BookingBridge

/// The attempt record's statement, which takes the outcomes as one array per column.
@Suite("Delivery attempt records")
struct DeliveryRecordTests {
    /// Four outcomes of different kinds (ids replaced by claimed deliveries' in the test).
    static func outcomes(subscriptionID: UUID) -> [DeliveryAttemptOutcome] {
        [
            DeliveryAttemptOutcome(
                deliveryID: 0, subscriptionID: subscriptionID, attempt: 1,
                startedAt: Date(timeIntervalSince1970: 1_796_119_200.5), duration: .milliseconds(12),
                result: .response(status: 204, retryAfter: nil), decision: .delivered, address: "127.0.0.1"),
            DeliveryAttemptOutcome(
                deliveryID: 0, subscriptionID: subscriptionID, attempt: 3,
                startedAt: Date(timeIntervalSince1970: 1_796_119_200.123), duration: .seconds(15), result: .timeout,
                decision: .retry(after: .seconds(300)), address: "::1",
                responseBody: "line 1\r\n\"quoted\" \\ back\u{0}slash\t\u{1}😀 </script>",
                error: "no answer within the timeout: \u{7}bell"),
            DeliveryAttemptOutcome(
                deliveryID: 0, subscriptionID: subscriptionID, attempt: 8, startedAt: Date(), duration: .zero,
                result: .refused, decision: .failed, error: "refused: 10.0.0.1 is private"),
            DeliveryAttemptOutcome(
                deliveryID: 0, subscriptionID: subscriptionID, attempt: 1, startedAt: Date(),
                duration: .milliseconds(3), result: .response(status: 410, retryAfter: nil), decision: .gone,
                responseBody: "gone"),
        ]
    }

    @Test("each outcome's attempt and delivery read back as written, NULLs as NULL and NUL removed")
    func roundTrip() async throws {
        try await TestDatabase.withFreshDatabase { db in
            let subscription = try await DeliveryClaimTests.seed(db, count: 4)
            let store = DeliveryStore(database: db)
            let claimed = try await store.claim(
                owner: "a", limit: 4, quotas: [:], defaultQuota: 4, lease: .seconds(60))
            #expect(claimed.count == 4)
            var outcomes = Self.outcomes(subscriptionID: subscription.id)
            for index in outcomes.indices { outcomes[index].deliveryID = claimed[index].id }
            let held = try await store.record(outcomes, owner: "a")
            #expect(held == Set(claimed.map(\.id)))

            let attempts = try await db.client.query(
                """
                SELECT delivery_id, attempt, started_at, duration_ms, outcome, status_code, address, response_body, error
                FROM delivery_attempts ORDER BY delivery_id
                """, logger: db.logger)
            var seen = 0
            for try await (id, attempt, startedAt, durationMs, outcome, statusCode, address, body, error)
                in attempts
                .decode((Int64, Int, Date, Int, String, Int?, String?, String?, String?).self)
            {
                let expected = try #require(outcomes.first { $0.deliveryID == id })
                #expect(attempt == expected.attempt)
                #expect(abs(startedAt.timeIntervalSince(expected.startedAt)) < 0.000_001)
                #expect(Int64(durationMs) == expected.duration.milliseconds)
                #expect(outcome == expected.result.outcome)
                #expect(statusCode == expected.statusCode)
                #expect(address == expected.address)
                #expect(body == expected.responseBody?.replacingOccurrences(of: "\u{0}", with: ""))
                #expect(error == expected.error)
                seen += 1
            }
            #expect(seen == 4)

            let deliveries = try await db.client.query(
                """
                SELECT id, status, next_attempt_at > now() + interval '290 seconds', locked_by IS NULL,
                       last_status_code, last_error
                FROM deliveries ORDER BY id
                """, logger: db.logger)
            var statuses: [Int64: String] = [:]
            for try await (id, status, later, unlocked, statusCode, error) in deliveries.decode(
                (Int64, String, Bool, Bool, Int?, String?).self)
            {
                let expected = try #require(outcomes.first { $0.deliveryID == id })
                statuses[id] = status
                #expect(unlocked)
                #expect(later == (status == "retrying" && expected.result == .timeout), "only the retry waits 300 s")
                #expect(statusCode == expected.statusCode)
                #expect(error == expected.error)
            }
            #expect(outcomes.map { statuses[$0.deliveryID] } == ["delivered", "retrying", "failed", "retrying"])
        }
    }

    @Test("nullable arrays: empty, all NULL, and mixed, as PostgreSQL reads them")
    func nullableArrays() async throws {
        try await TestDatabase.withFreshDatabase { db in
            for texts in [[], [nil, nil], ["a", nil, "", "😀 \"q\""]] as [[String?]] {
                var bindings = PostgresBindings()
                bindings.append(PostgresNullableArray(texts))
                let rows = try await db.client.query(
                    PostgresQuery(
                        unsafeSQL:
                            "SELECT coalesce(t, '<null>') FROM unnest($1::text[]) WITH ORDINALITY AS u (t, n) ORDER BY n",
                        binds: bindings), logger: db.logger)
                var read: [String] = []
                for try await text in rows.decode(String.self) { read.append(text) }
                #expect(read == texts.map { $0 ?? "<null>" })
            }
            var bindings = PostgresBindings()
            bindings.append(PostgresNullableArray<Int64>([7, nil, -1]))
            let rows = try await db.client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT array_to_string($1::int8[], ',', 'null'), cardinality($1::int8[])",
                    binds: bindings), logger: db.logger)
            for try await (text, count) in rows.decode((String, Int).self) {
                #expect(text == "7,null,-1")
                #expect(count == 3)
            }
        }
    }
}
