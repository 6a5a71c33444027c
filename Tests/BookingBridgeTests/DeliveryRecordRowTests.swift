import Foundation
import Testing

@testable import BookingBridge

@Suite("Delivery attempt rows as JSON")
struct DeliveryRecordRowTests {
    static let outcomes: [DeliveryAttemptOutcome] = [
        DeliveryAttemptOutcome(
            deliveryID: 1, subscriptionID: UUID(), attempt: 1, startedAt: Date(timeIntervalSince1970: 1_796_119_200.5),
            duration: .milliseconds(12), result: .response(status: 204, retryAfter: nil), decision: .delivered,
            address: "127.0.0.1"),
        DeliveryAttemptOutcome(
            deliveryID: 9_007_199_254_740_993, subscriptionID: UUID(), attempt: 3,
            startedAt: Date(timeIntervalSince1970: 1_796_119_200.123), duration: .seconds(15), result: .timeout,
            decision: .retry(after: .seconds(300)), address: "::1",
            responseBody: "line 1\r\n\"quoted\" \\ back\u{0}slash\t\u{1}😀 </script>",
            error: "no answer within the timeout: \u{7}bell"),
        DeliveryAttemptOutcome(
            deliveryID: 2, subscriptionID: UUID(), attempt: 8, startedAt: Date(), duration: .zero, result: .refused,
            decision: .failed, error: "refused: 10.0.0.1 is private"),
        DeliveryAttemptOutcome(
            deliveryID: 3, subscriptionID: UUID(), attempt: 1, startedAt: Date(), duration: .milliseconds(3),
            result: .response(status: 410, retryAfter: nil), decision: .gone, responseBody: "gone"),
    ]

    @Test("the hand-written JSON reads back as what JSONEncoder writes for the same row", arguments: outcomes)
    func sameAsTheEncoder(_ outcome: DeliveryAttemptOutcome) throws {
        let row = DeliveryStore.RecordRow(outcome)
        var ours = try Self.object(row.json)
        var reference = try Self.object(String(decoding: try JSONCoding.encoder.encode(row), as: UTF8.self))
        // The start time to the millisecond (Foundation's formatter may print 1 ms less for a Double just below).
        let start = try #require(ours.removeValue(forKey: "started_at") as? String)
        let referenceStart = try #require(reference.removeValue(forKey: "started_at") as? String)
        let parsed = try Date(start, strategy: .iso8601)
        #expect(abs(parsed.timeIntervalSince(outcome.startedAt)) < 0.001)
        #expect(abs(parsed.timeIntervalSince(try Date(referenceStart, strategy: .iso8601))) < 0.0015)
        #expect(NSDictionary(dictionary: ours) == NSDictionary(dictionary: reference))
        #expect(ours["response_body"] as? String == outcome.responseBody?.replacingOccurrences(of: "\u{0}", with: ""))
        #expect(ours["delivery_id"] as? NSNumber == NSNumber(value: outcome.deliveryID))
    }

    /// The object with `null` members left out (JSONEncoder omits nil optionals; jsonb_to_recordset reads both
    /// as NULL).
    static func object(_ text: String) throws -> [String: Any] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return object.filter { !($0.value is NSNull) }
    }
}
