import Foundation

/// `GET /v1/intents`.
struct IntentPage: Encodable {
    var intents: [IntentSummary]
    var nextCursor: String?
}
