import HTTPTypes
import Hummingbird
import Metrics

/// Counts answers by route template, method and status (`bookingbridge_http_requests_total`) and times them
/// (`bookingbridge_http_request_duration_seconds`, by route template and method). Posts to intake are also counted
/// by source and outcome (`bookingbridge_intake_submissions_total{source,outcome}`).
///
/// A request whose client hung up before it was read (`ClientAbort`) has status `client_abort` (and intake outcome
/// `client_abort`) rather than a code: no answer went out, and it is not a server error.
///
/// Routes are labelled by their template (`/v1/intents/{id}`), never the concrete path, so an id or a scanner's
/// random paths cannot grow the label set; a request no route matches is labelled `NotFound`. Add it first, before
/// `ProblemMiddleware`, so it sees the status every answer really went out with.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The intake route's template.
    static var intakeRoute: String { "/v1/intake/{source}" }

    /// Configured source names; a post to any other name is counted as source `unknown`.
    let intakeSources: Set<String>
    /// The metrics made so far, by their dimensions: making one asks the metrics backend's registry (a lock and a
    /// lookup by label and dimensions) and allocates, for every answer otherwise. Bounded like the labels are.
    private let made = MadeMetrics()

    /// - Parameter intakeSources: the configured sources' names (`BridgeConfiguration.sources.keys`).
    public init(intakeSources: some Sequence<String> = [String]()) {
        self.intakeSources = Set(intakeSources)
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request: request, context: context, status: response.status, started: started)
            return response
        } catch let abort as ClientAbort {
            record(request: request, context: context, status: nil, started: started)
            throw abort
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            record(request: request, context: context, status: status, started: started)
            throw error
        }
    }

    /// The status label of an answer; `client_abort` (`status` nil) when the client hung up before it was read.
    static func statusLabel(_ status: HTTPResponse.Status?) -> String {
        status.map { String($0.code) } ?? Self.clientAbort
    }

    /// The status label and intake outcome of a request the client abandoned.
    static var clientAbort: String { "client_abort" }

    /// - Parameter status: the answer's status, or `nil` for a `ClientAbort`.
    func record(request: Request, context: Context, status: HTTPResponse.Status?, started: ContinuousClock.Instant) {
        let route = context.endpointPath ?? "NotFound"
        let method = Self.method(request.method)
        // Codes are 100 to 599; -1 keys the client-abort metrics.
        let code = status?.code ?? -1
        let label = Self.statusLabel(status)
        made.counter(.init(route: route, method: method, code: code)) {
            Counter(
                label: "bookingbridge_http_requests_total",
                dimensions: [("method", method), ("route", route), ("status", label)])
        }.increment()
        let elapsed = ContinuousClock.now - started
        made.timer(.init(route: route, method: method)) {
            Timer(
                label: "bookingbridge_http_request_duration_seconds",
                dimensions: [("method", method), ("route", route)])
        }.recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        if route == Self.intakeRoute && request.method == .post {
            let name = context.parameters.get("source").flatMap { intakeSources.contains($0) ? $0 : nil } ?? "unknown"
            let outcome = status.map(Self.intakeOutcome) ?? Self.clientAbort
            made.counter(.init(route: Self.intakeRoute, method: name, code: code), intake: true) {
                Counter(
                    label: "bookingbridge_intake_submissions_total",
                    dimensions: [("outcome", outcome), ("source", name)])
            }.increment()
        }
    }

    /// What an intake answer's status says happened to the submission.
    static func intakeOutcome(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 202: "accepted"
        case 200: "repeat"
        case 303: "redirected"
        case 400: "malformed"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "unknown_source"
        case 413: "too_large"
        case 415: "unsupported_media_type"
        case 422: "invalid"
        case 429: "rate_limited"
        case 503: "unavailable"
        default: "error"
        }
    }

    /// Standard methods by name; anything else as `other`, so made-up methods cannot grow the label set.
    static func method(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .post, .put, .patch, .delete, .options: method.rawValue
        default: "other"
        }
    }
}
