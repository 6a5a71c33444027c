import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

@testable import BookingBridge

/// `POST /v1/intents/retry` on a real database: a dry run counts and changes nothing, a real run requeues exactly
/// the selected intents once, and a bad selection is a 422 naming the field.
@Suite("POST /v1/intents/retry")
struct BulkRetryAPITests {
    /// Inserts an intent and gives it a final status, a failure and a creation time.
    static func intent(
        _ database: Database, source: String = "web", status: String, category: String? = nil,
        message: String = "refused", createdAt: String = "2026-11-20T10:00:00Z"
    ) async throws -> UUID {
        let intent = NewIntent(
            source: source, idempotencyKey: "key:\(UUID())",
            raw: RawSubmission(contentType: "application/json", fields: [:]), request: IntakeAuthTests.request)
        _ = try await IntentStore(database: database).insert(intent)
        let reason = try IntentStore.json(
            FailureReason(origin: category == nil ? "bridge" : "hubspot", message: message, category: category))
        let created = try Date(createdAt, strategy: .iso8601)
        try await database.client.query(
            """
            UPDATE intents SET status = \(status), last_error = \(reason)::jsonb, attempts = 3, finished_at = now(),
                   created_at = \(created)
            WHERE id = \(intent.id)
            """)
        return intent.id
    }

    static func status(_ database: Database, _ id: UUID) async throws -> String {
        for try await (status, attempts) in try await database.client.query(
            "SELECT status, attempts FROM intents WHERE id = \(id)"
        ).decode((String, Int).self) {
            return "\(status)/\(attempts)"
        }
        return "missing"
    }

    @Test("a dry run counts the selection and changes nothing; the real run requeues exactly it, once")
    func dryRunThenRequeue() async throws {
        try await AdminInputTests.withAPI { client, database in
            let linkGone = try await Self.intent(database, status: "failed", category: "OBJECT_NOT_FOUND")
            let linkGoneToo = try await Self.intent(
                database, status: "failed", category: "OBJECT_NOT_FOUND", createdAt: "2026-11-21T10:00:00Z")
            let otherReason = try await Self.intent(database, status: "failed", category: "VALIDATION_ERROR")
            let otherSource = try await Self.intent(
                database, source: "rr", status: "failed", category: "OBJECT_NOT_FOUND")
            let tooOld = try await Self.intent(
                database, status: "failed", category: "OBJECT_NOT_FOUND", createdAt: "2026-10-01T10:00:00Z")
            let review = try await Self.intent(database, status: "needs_review", category: "OBJECT_NOT_FOUND")
            let body = #"""
                {"status":"failed","reason":"OBJECT_NOT_FOUND","source":"web","since":"2026-11-01T00:00:00Z",
                 "until":"2026-12-01T00:00:00Z","dryRun":true}
                """#
            let dry = try await client.call(.post, "/v1/intents/retry", body)
            #expect(dry.status == .ok, "\(String(buffer: dry.body))")
            #expect(dry.object["matched"] as? Int == 2)
            #expect(dry.object["requeued"] as? Int == 0)
            for id in [linkGone, linkGoneToo] { #expect(try await Self.status(database, id) == "failed/3") }

            let real = try await client.call(
                .post, "/v1/intents/retry", body.replacingOccurrences(of: "\"dryRun\":true", with: "\"dryRun\":false"))
            #expect(real.status == .ok)
            #expect(real.object["matched"] as? Int == 2)
            #expect(real.object["requeued"] as? Int == 2)
            for id in [linkGone, linkGoneToo] { #expect(try await Self.status(database, id) == "retrying/0") }
            for id in [otherReason, otherSource, tooOld] { #expect(try await Self.status(database, id) == "failed/3") }
            #expect(try await Self.status(database, review) == "needs_review/3")
            // Requeued intents are no longer failed: the same call again matches nothing.
            let again = try await client.call(
                .post, "/v1/intents/retry", body.replacingOccurrences(of: "\"dryRun\":true", with: "\"dryRun\":false"))
            #expect(again.object["matched"] as? Int == 0)
            #expect(again.object["requeued"] as? Int == 0)
            // The bridge's own check is matched by its message; dryRun left out is a dry run.
            let own = try await Self.intent(database, status: "failed", message: "the meeting link is not configured")
            let counted = try await client.call(
                .post, "/v1/intents/retry", #"{"status":"failed","reason":"the meeting link is not configured"}"#)
            #expect(counted.object["matched"] as? Int == 1)
            #expect(counted.object["requeued"] as? Int == 0)
            #expect(try await Self.status(database, own) == "failed/3")
        }
    }

    @Test("a bad selection is a 422 naming the field and requeues nothing; the route is admin only")
    func refusals() async throws {
        try await AdminInputTests.withAPI { client, database in
            let failed = try await Self.intent(database, status: "failed", category: "OBJECT_NOT_FOUND")
            let bodies: [(String, String)] = [
                (#"{"dryRun":false}"#, "status"),
                (#"{"status":"needs_review","dryRun":false}"#, "status"),
                (#"{"status":"booked","dryRun":false}"#, "status"),
                (#"{"status":"failed","reason":"a\u0000","dryRun":false}"#, "reason"),
                (#"{"status":"failed","source":"","dryRun":false}"#, "source"),
                (#"{"status":"failed","since":"yesterday","dryRun":false}"#, "since"),
                (#"{"status":"failed","until":"99999-01-01T00:00:00Z","dryRun":false}"#, "until"),
                (
                    #"{"status":"failed","since":"2026-11-02T00:00:00Z","until":"2026-11-01T00:00:00Z","dryRun":false}"#,
                    "until"
                ),
                (#"{"status":"failed","dryRun":"no"}"#, "dryRun"),
            ]
            for (body, field) in bodies {
                AdminInputTests.expectRefusal(try await client.call(.post, "/v1/intents/retry", body), field: field)
            }
            #expect(try await client.call(.post, "/v1/intents/retry", "[").status == .badRequest)
            let anonymous = try await client.execute(
                uri: "/v1/intents/retry", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"status":"failed","dryRun":false}"#))
            #expect(anonymous.status == .unauthorized)
            #expect(try await Self.status(database, failed) == "failed/3")
        }
    }
}
