import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

extension IntakeController {
    /// A form service's own signature (`SenderSignature`) over the raw body; HubSpot's also covers the full URI,
    /// which is built from `server.publicURL` and the request's path and query.
    func checkSenderSignature(
        _ scheme: SenderSignature, secret: [UInt8], request: Request, body: [UInt8], now: Date
    ) throws(IntakeError) {
        let headers = request.headers
        try scheme.verify(
            SenderSignature.Request(
                method: request.method.rawValue, uri: statusBase + request.uri.string,
                header: { name in HTTPField.Name(name).flatMap { headers[$0] } }, body: body),
            secret: secret, now: now)
    }

    /// A machine sender's post (every kind but `form`), authenticated: read by the kind's reader, keyed by the
    /// sender's own submission id, and either stored for booking (202, or 200 with the first intent for a repeat)
    /// or, when it cannot be booked as sent, stored as `rejected` with a `booking.failed` event and answered 200
    /// with the problems, so that the sender neither retries it nor disables the webhook.
    func receiveFromSender(
        _ request: Request, body: [UInt8], now: Date, source: PreparedSource, cors: HTTPFields,
        context: BridgeRequestContext
    ) async throws -> Response {
        let configuration = source.configuration
        let headers = request.headers
        let payload = try SenderPayload.read(
            kind: configuration.kind, contentType: headers[.contentType], body: body, references: source.references,
            idempotencyPath: configuration.idempotencyPath,
            header: { name in HTTPField.Name(name).flatMap { headers[$0] } })
        try SubmissionMapper.checkRawFields(payload.fields)
        let offered = try IdempotencyKey.offered(headers, signed: source.auth.isSigned)
        let senderKey = payload.senderID.map { "sender:" + $0 }
        let key = configuration.kind == .json ? offered ?? senderKey : senderKey ?? offered
        let mediaType = headers[.contentType].flatMap(HeaderValue.init(parsing:))?.value ?? "application/json"
        let raw = RawSubmission(contentType: mediaType, fields: payload.fields)
        let id = UUID.random()
        let booking: BookingRequest
        switch Self.map(source.mapper, payload.fields, now: now) {
        case .success(let request):
            booking = request
        case .failure(let error) where error.code == .invalid:
            let intent = NewIntent(
                id: id, source: source.name, idempotencyKey: key ?? IdempotencyKey.unique(id: id, fingerprinted: false),
                status: .rejected, raw: raw, request: source.mapper.partialRequest(payload.fields, now: now),
                clientIP: context.clientIP, userAgent: Self.userAgent(headers[.userAgent]))
            let reason = FailureReason(
                origin: "bridge",
                message: "the submission cannot be booked as sent: "
                    + error.fieldErrors.map { "\($0.field) \($0.message)" }.joined(separator: "; "),
                errors: error.fieldErrors)
            let outcome = try await storeRejected(intent, reason: reason, context: context)
            if outcome.wasCreated { eventsCommitted() }
            return try senderAnswer(outcome, source: source, request: request, cors: cors, problems: error)
        case .failure(let error):
            throw error
        }
        let spam = source.auth.honeypotField.map { SubmissionMapper.text(payload.fields[$0]) != nil } ?? false
        let fingerprint =
            key == nil
            ? IdempotencyKey.fingerprint(
                source: source.name, isPublic: source.auth.isPublic, request: booking, spam: spam) : nil
        let intent = NewIntent(
            id: id, source: source.name,
            idempotencyKey: key ?? IdempotencyKey.unique(id: id, fingerprinted: fingerprint != nil),
            fingerprint: fingerprint, status: spam ? .spam : .received, raw: raw, request: booking,
            clientIP: context.clientIP, userAgent: Self.userAgent(headers[.userAgent]))
        let outcome = try await commit(intent, context: context)
        if outcome.wasCreated && !spam { wake() }
        return try senderAnswer(outcome, source: source, request: request, cors: cors, problems: nil)
    }

    /// The mapper's answer as a value (a typed throw caught in this async function trips the compiler).
    private static func map(
        _ mapper: SubmissionMapper, _ fields: [String: String], now: Date
    ) -> Result<BookingRequest, IntakeError> {
        do throws(IntakeError) {
            return .success(try mapper.map(fields, now: now))
        } catch {
            return .failure(error)
        }
    }

    private func storeRejected(
        _ intent: NewIntent, reason: FailureReason, context: BridgeRequestContext
    ) async throws -> IntentStore.InsertOutcome {
        do {
            return try await committer.store.insertRejected(intent, reason: reason)
        } catch {
            context.logger.error(
                "could not store a rejected submission",
                metadata: ["source": "\(intent.source)", "error": "\(String(reflecting: error))"])
            throw Problem(
                .serviceUnavailable, detail: "the submission could not be stored; try again shortly",
                headers: [.retryAfter: "5"])
        }
    }

    /// The answer to a machine sender: as `answer` for an intent to book; for a rejected one (new or repeated)
    /// 200 with the receipt and the problems (`detail`, `errors`), the ones found now or those stored first.
    func senderAnswer(
        _ outcome: IntentStore.InsertOutcome, source: PreparedSource, request: Request, cors: HTTPFields,
        problems: IntakeError?
    ) throws -> Response {
        let record = outcome.record
        guard record.status == .rejected else {
            return try answer(outcome, source: source, request: request, cors: cors)
        }
        let errors = record.lastError?.errors ?? problems?.fieldErrors ?? []
        let body = RejectedAnswer(
            id: record.id.uuidString.lowercased(), status: record.status.rawValue, statusUrl: statusURL(record.id),
            detail: record.lastError?.message ?? "the submission cannot be booked as sent", errors: errors)
        var headers = cors
        headers[.location] = statusURL(record.id)
        headers[.contentType] = "application/json"
        return Response(
            status: .ok, headers: headers,
            body: .init(byteBuffer: ByteBuffer(data: try JSONCoding.encoder.encode(body))))
    }

    /// The body of a machine sender's 200 for a submission stored as `rejected`.
    struct RejectedAnswer: Encodable {
        var id: String
        var status: String
        var statusUrl: String
        var detail: String
        var errors: [ProblemFieldError]
    }
}
