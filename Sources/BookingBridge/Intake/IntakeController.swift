import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /v1/intake/{source}`: reads a form submission, checks it, and answers only once the intent is committed.
///
/// Each step is a pure decision (`SourceAuth`, `FormBody`, `SubmissionMapper`, `IdempotencyKey`,
/// `AcceptPreference`); this type puts them in order and does the I/O. Every refusal is a 4xx problem+json; only
/// a failing database gives a 503 (never a 500 for anything a client can send).
public struct IntakeController: Sendable {
    /// A configured source, prepared once.
    struct PreparedSource: Sendable {
        var name: String
        var configuration: SourceConfiguration
        var auth: SourceAuth
        var mapper: SubmissionMapper
        var perMinute: Int
        /// The fields a machine sender's reader is asked for (`SubmissionMapper.references` and the honeypot).
        var references: [String]
    }

    let sources: [String: PreparedSource]
    let settings: IntakeSettings
    /// `publicURL` without a trailing slash, or "" for relative status URLs.
    let statusBase: String
    let committer: IntentCommitter
    let limiter: IntakeRateLimiter
    /// The key of visitor receipts, for public sources' answers.
    let receiptKeys: ReceiptKeyStore
    let wake: @Sendable () -> Void
    /// Called after intake itself committed an event (a machine sender's `rejected` submission).
    let eventsCommitted: @Sendable () -> Void
    let logger: Logger
    /// The clock validation and signature checks read (replaced in tests).
    var now: @Sendable () -> Date = { Date() }

    /// - Parameters:
    ///   - publicURL: the address clients reach the bridge at, for `statusUrl` and `Location`; relative when `nil`.
    ///   - wake: called after each newly committed (non-spam) intent, to start the pipeline without waiting for a poll.
    ///   - eventsCommitted: called after intake committed a `booking.failed` event, to send it without waiting.
    public init(
        store: IntentStore, sources: [String: SourceConfiguration], settings: IntakeSettings, publicURL: String?,
        wake: @escaping @Sendable () -> Void, eventsCommitted: @escaping @Sendable () -> Void = {}, logger: Logger
    ) {
        self.sources = sources.reduce(into: [:]) { prepared, entry in
            var auth = SourceAuth(entry.value.auth, kind: entry.value.kind)
            auth.allowsOwnOrigin = entry.value.page?.enabled == true
            let mapper = SubmissionMapper(source: entry.value)
            if case .misconfigured(let reason) = auth.mode {
                logger.error(
                    "intake source refuses every post", metadata: ["source": "\(entry.key)", "reason": "\(reason)"])
            }
            prepared[entry.key] = PreparedSource(
                name: entry.key, configuration: entry.value, auth: auth, mapper: mapper,
                perMinute: entry.value.rateLimitPerMinute ?? settings.defaultSourceRateLimitPerMinute,
                references: mapper.references + (auth.honeypotField.map { [$0] } ?? []))
        }
        self.settings = settings
        var base = publicURL ?? ""
        while base.hasSuffix("/") { base.removeLast() }
        self.statusBase = base
        self.committer = IntentCommitter(store: store)
        self.limiter = IntakeRateLimiter(clientPerMinute: settings.rateLimitPerClientPerMinute)
        self.receiptKeys = ReceiptKeyStore(database: store.database)
        self.wake = wake
        self.eventsCommitted = eventsCommitted
        self.logger = logger
    }

    /// Adds `POST /v1/intake/{source}` and its CORS preflight `OPTIONS /v1/intake/{source}`.
    public func addRoutes(to router: Router<BridgeRequestContext>) {
        router.post("/v1/intake/{source}") { request, context in
            try await self.receive(request, context: context)
        }
        router.on("/v1/intake/{source}", method: .options) { request, context in
            try self.preflight(request, context: context)
        }
        router.get("/v1/intake/{source}/receipts/{receipt}") { request, context in
            try await self.receiptStatus(request, context: context)
        }
    }

    /// The status address of an intent.
    func statusURL(_ id: UUID) -> String { statusBase + "/v1/intents/" + id.lowercasedString }

    func source(_ context: BridgeRequestContext) throws -> PreparedSource {
        guard let name = context.parameters.get("source"), let source = sources[name] else {
            throw IntakeError(.unknownSource, "no intake source has that name").problem()
        }
        return source
    }

    private func receive(_ request: Request, context: BridgeRequestContext) async throws -> Response {
        let source = try source(context)
        let cors = source.auth.isPublic ? Self.corsHeaders(source: source, origin: request.headers[.origin]) : [:]
        do {
            return try await receive(request, source: source, cors: cors, context: context)
        } catch let error as IntakeError {
            throw error.problem(extraHeaders: cors)
        } catch let problem as Problem
            where problem.status == .serviceUnavailable && AcceptPreference.prefersHTML(request.headers[.accept])
        {
            // A visitor's browser posted the form: a page to read, not JSON.
            return Self.tryAgainPage(problem, cors: cors)
        }
    }

    private func receive(
        _ request: Request, source: PreparedSource, cors: HTTPFields, context: BridgeRequestContext
    ) async throws -> Response {
        if let wait = limiter.admit(client: context.clientIP) {
            throw IntakeError(.rateLimited, "too many submissions; try again later", retryAfterSeconds: wait)
        }
        try source.auth.checkHeaders(
            request.headers,
            queryToken: source.auth.acceptsQueryToken ? request.uri.queryParameters["token"].map(String.init) : nil,
            authority: request.head.authority)
        let body = try await collectBody(request)
        let now = self.now()
        try source.auth.checkSignature(request.headers, body: body, now: now)
        if case .sender(let scheme, let secret) = source.auth.mode {
            try checkSenderSignature(scheme, secret: secret, request: request, body: body, now: now)
        }
        // Only now, authenticated and allowed, does the post count against the source.
        if let wait = limiter.admit(source: source.name, sourcePerMinute: source.perMinute) {
            throw IntakeError(.rateLimited, "too many submissions; try again later", retryAfterSeconds: wait)
        }
        if source.configuration.kind.isMachineSender {
            return try await receiveFromSender(
                request, body: body, now: now, source: source, cors: cors, context: context)
        }
        let offeredKey = try IdempotencyKey.offered(request.headers, signed: source.auth.isSigned)
        let form = try FormBody.decode(contentType: request.headers[.contentType], body: body)
        let booking = try source.mapper.map(form.fields, now: now)
        let spam = source.auth.honeypotField.map { SubmissionMapper.text(form.fields[$0]) != nil } ?? false
        let fingerprint =
            offeredKey == nil
            ? IdempotencyKey.fingerprint(
                source: source.name, isPublic: source.auth.isPublic, request: booking, spam: spam) : nil
        let id = UUID.random()
        let intent = NewIntent(
            id: id, source: source.name,
            idempotencyKey: offeredKey ?? IdempotencyKey.unique(id: id, fingerprinted: fingerprint != nil),
            fingerprint: fingerprint, status: spam ? .spam : .received,
            raw: RawSubmission(contentType: form.mediaType, fields: form.fields), request: booking,
            clientIP: context.clientIP, userAgent: Self.userAgent(request.headers[.userAgent]))
        let outcome = try await commit(intent, context: context)
        if outcome.wasCreated && !spam { wake() }
        let receipt =
            source.auth.isPublic
            ? VisitorReceipt.make(id: outcome.record.id, key: try await receiptKeys.key()) : nil
        return try answer(outcome, source: source, request: request, cors: cors, receipt: receipt)
    }

    /// The body, at most `maxBodyBytes` of it (413 beyond).
    func collectBody(_ request: Request) async throws -> [UInt8] {
        let limit = settings.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw IntakeError(.tooLarge, "the body may be at most \(limit) bytes")
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
        } catch is NIOTooManyBytesError {
            throw IntakeError(.tooLarge, "the body may be at most \(limit) bytes")
        }
    }

    func commit(_ intent: NewIntent, context: BridgeRequestContext) async throws -> IntentStore.InsertOutcome {
        do {
            return try await committer.insert(intent)
        } catch {
            context.logger.error(
                "could not store an intake submission",
                metadata: ["source": "\(intent.source)", "error": "\(String(reflecting: error))"])
            throw Problem(
                .serviceUnavailable, detail: "the submission could not be stored; try again shortly",
                headers: [.retryAfter: "5"])
        }
    }

    /// A stored user agent: without NUL characters (PostgreSQL refuses them), at most 512 characters.
    static func userAgent(_ header: String?) -> String? {
        guard let header, !header.isEmpty else { return nil }
        if header.utf8.count <= 512, !header.utf8.contains(0) { return header }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: header.unicodeScalars.lazy.filter { $0 != "\u{0}" }.prefix(512))
        return String(scalars)
    }
}
