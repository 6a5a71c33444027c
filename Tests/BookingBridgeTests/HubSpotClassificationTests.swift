import BookingBridge
import Testing

/// One test per row of the contract's error table (hubspot-contract.md, section 4), plus the transport cases.
@Suite("HubSpot error classification")
struct HubSpotClassificationTests {
    static func classify(
        _ status: Int?, _ endpoint: HubSpotEndpoint = .book, body: HubSpotErrorBody? = nil,
        transport: HubSpotTransportFailure? = nil, sent: Bool = true, retryAfter: Duration? = nil,
        canRefresh: Bool = false
    ) -> HubSpotErrorClassification {
        HubSpotErrorClassification.classify(
            HubSpotFailureFacts(
                endpoint: endpoint, status: status, body: body, transport: transport, requestMayHaveBeenSent: sent,
                retryAfter: retryAfter, canRefreshToken: canRefresh))
    }

    static func bookError(_ status: Int, _ body: HubSpotErrorBody) -> HubSpotError {
        HubSpotError(facts: HubSpotFailureFacts(endpoint: .book, status: status, body: body))
    }

    @Test("400 MEETING_DURATION_NOT_VALID is permanent")
    func durationNotValid() {
        let body = HubSpotErrorBody(
            message: "Duration is not accepted by link", category: "VALIDATION_ERROR",
            subCategory: "MeetingsBookingSchedulingError.MEETING_DURATION_NOT_VALID")
        #expect(Self.classify(400, body: body) == .permanent)
        let error = Self.bookError(400, body)
        #expect(error.bookingRejection == .durationNotValid)
        #expect(!error.mayHaveBooked)
    }

    @Test("400 MEETING_START_TIME_NOT_VALID is permanent")
    func startTimeNotValid() {
        let body = HubSpotErrorBody(
            category: "VALIDATION_ERROR", subCategory: "MeetingsBookingSchedulingError.MEETING_START_TIME_NOT_VALID")
        #expect(Self.classify(400, body: body) == .permanent)
        #expect(Self.bookError(400, body).bookingRejection == .startTimeNotValid)
    }

    @Test("400 MEETING_TIME_NOT_AVAILABLE is permanent and recognisable for reconciliation")
    func timeNotAvailable() {
        let body = HubSpotErrorBody(
            category: "VALIDATION_ERROR", subCategory: "MeetingsBookingSchedulingError.MEETING_TIME_NOT_AVAILABLE")
        #expect(Self.classify(400, body: body) == .permanent)
        #expect(Self.bookError(400, body).bookingRejection == .timeNotAvailable)
    }

    @Test("400 required form field (message only) is permanent")
    func requiredFormField() {
        let body = HubSpotErrorBody(
            message: "required form field account_id does not have a corresponding value", category: "VALIDATION_ERROR")
        #expect(Self.classify(400, body: body) == .permanent)
        #expect(Self.bookError(400, body).bookingRejection == .missingRequiredFormField)
    }

    @Test("400 INVALID_EMAIL is permanent")
    func invalidEmail() {
        let body = HubSpotErrorBody(
            message: "Email is invalid", category: "VALIDATION_ERROR", subCategory: "INVALID_EMAIL")
        #expect(Self.classify(400, body: body) == .permanent)
        #expect(Self.bookError(400, body).bookingRejection == .invalidEmail)
    }

    @Test("400 INVALID_EMAIL_GUESTS is permanent")
    func invalidGuestEmails() {
        let body = HubSpotErrorBody(category: "VALIDATION_ERROR", subCategory: "INVALID_EMAIL_GUESTS")
        #expect(Self.classify(400, body: body) == .permanent)
        #expect(Self.bookError(400, body).bookingRejection == .invalidGuestEmails)
    }

    @Test("401 is unauthorized while a refresh can cure it, then permanent")
    func unauthorized() {
        let body = HubSpotErrorBody(category: "INVALID_AUTHENTICATION")
        #expect(Self.classify(401, body: body, canRefresh: true) == .unauthorized)
        #expect(Self.classify(401, body: body, canRefresh: false) == .permanent)
    }

    @Test("403 missing scopes is permanent")
    func forbidden() {
        #expect(Self.classify(403, body: HubSpotErrorBody(category: "MISSING_SCOPES")) == .permanent)
    }

    @Test("404 unknown slug is permanent")
    func notFound() {
        #expect(Self.classify(404, .bookingInfo, body: HubSpotErrorBody(message: "slug does not exist")) == .permanent)
        #expect(Self.classify(404) == .permanent)
    }

    @Test("423 is retryable after at least 2 s, longer when Retry-After says so")
    func locked() {
        #expect(Self.classify(423) == .retryable(after: .seconds(2)))
        #expect(Self.classify(423, retryAfter: .seconds(1)) == .retryable(after: .seconds(2)))
        #expect(Self.classify(423, retryAfter: .seconds(7)) == .retryable(after: .seconds(7)))
    }

    @Test("477 (migration in progress) is retryable after Retry-After, at least 2 s, and asks to wait")
    func migrating() {
        #expect(Self.classify(477) == .retryable(after: .seconds(2)))
        #expect(Self.classify(477, retryAfter: .seconds(30)) == .retryable(after: .seconds(30)))
        let error = HubSpotError(facts: HubSpotFailureFacts(endpoint: .book, status: 477, retryAfter: .seconds(5)))
        #expect(error.asksToWait && !error.mayHaveBooked)
        #expect(!Self.bookError(503, HubSpotErrorBody()).asksToWait)
    }

    @Test("5xx and 524 with an HTML edge page on /book are uncertain; on reads retryable")
    func htmlEdgePages() {
        for status in [500, 502, 503, 504, 524] {
            #expect(Self.classify(status, body: nil) == .uncertain)
            #expect(Self.classify(status, .availability, body: nil).isRetryable)
        }
        #expect(Self.classify(521, body: nil).isRetryable, "521 never reached HubSpot")
    }

    @Test("429 TEN_SECONDLY_ROLLING is rate limited with its policy")
    func tenSecondly() {
        let body = HubSpotErrorBody(policyName: "TEN_SECONDLY_ROLLING")
        #expect(Self.classify(429, body: body) == .rateLimited(policy: .tenSecondlyRolling, retryAfter: nil))
        #expect(
            Self.classify(429, body: body, retryAfter: .seconds(3))
                == .rateLimited(policy: .tenSecondlyRolling, retryAfter: .seconds(3)))
        let error = HubSpotError(facts: HubSpotFailureFacts(endpoint: .book, status: 429, body: body))
        #expect(error.policyName == "TEN_SECONDLY_ROLLING")
        #expect(!error.mayHaveBooked)
    }

    @Test("429 DAILY is rate limited with the daily policy")
    func daily() {
        #expect(
            Self.classify(429, body: HubSpotErrorBody(policyName: "DAILY"))
                == .rateLimited(policy: .daily, retryAfter: nil))
        #expect(Self.classify(429) == .rateLimited(policy: .tenSecondlyRolling, retryAfter: nil))
    }

    @Test("5xx on a read is retryable", arguments: [500, 502, 503, 504, 521, 523, 524])
    func serverErrorOnRead(status: Int) {
        #expect(Self.classify(status, .availability) == .retryable(after: nil))
        #expect(Self.classify(status, .bookingInfo, retryAfter: .seconds(4)) == .retryable(after: .seconds(4)))
    }

    @Test(
        "5xx on /book is uncertain (may have booked), except 521/523 (HubSpot never reached)",
        arguments: [500, 502, 503, 504, 521, 523, 524])
    func serverErrorOnBook(status: Int) {
        let error = HubSpotError(facts: HubSpotFailureFacts(endpoint: .book, status: status))
        if status == 521 || status == 523 {
            #expect(error.classification == .retryable(after: nil))
            #expect(!error.mayHaveBooked)
        } else {
            #expect(error.classification == .uncertain)
            #expect(error.mayHaveBooked)
        }
    }

    @Test("connection refused before sending is retryable, for /book too")
    func refusedBeforeSending() {
        #expect(Self.classify(nil, transport: .notConnected, sent: false) == .retryable(after: nil))
        let error = HubSpotError(
            facts: HubSpotFailureFacts(endpoint: .book, transport: .notConnected, requestMayHaveBeenSent: false))
        #expect(!error.mayHaveBooked)
    }

    @Test("a timeout after sending is uncertain for /book, retryable for reads")
    func timeoutAfterSending() {
        #expect(Self.classify(nil, transport: .timedOut, sent: true) == .uncertain)
        #expect(Self.classify(nil, .availability, transport: .timedOut, sent: true) == .retryable(after: nil))
        #expect(Self.classify(nil, transport: .timedOut, sent: false) == .retryable(after: nil))
    }

    @Test("a connection reset mid-answer is uncertain for /book")
    func resetMidAnswer() {
        let error = HubSpotError(
            facts: HubSpotFailureFacts(endpoint: .book, transport: .connectionClosed, requestMayHaveBeenSent: true))
        #expect(error.classification == .uncertain)
        #expect(error.mayHaveBooked)
    }

    @Test("a 200 from /book whose body cannot be read is uncertain")
    func unreadableSuccess() {
        #expect(Self.classify(200) == .uncertain)
        #expect(Self.classify(200, .listLinks) == .permanent)
    }

    @Test("the error keeps HubSpot's details and describes itself without secrets")
    func details() {
        let body = HubSpotErrorBody(
            message: "Duration is not accepted by link", correlationId: "3f0b6a52", category: "VALIDATION_ERROR",
            subCategory: "MeetingsBookingSchedulingError.MEETING_DURATION_NOT_VALID")
        let error = Self.bookError(400, body)
        #expect(error.status == 400)
        #expect(error.category == "VALIDATION_ERROR")
        #expect(error.correlationId == "3f0b6a52")
        #expect(error.message == "Duration is not accepted by link")
        #expect(error.description.contains("correlationId 3f0b6a52"))
    }
}
