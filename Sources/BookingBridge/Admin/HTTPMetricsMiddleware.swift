import HTTPTypes
import Hummingbird
import Metrics

/// Counts answers by route template, method and status (`bookingbridge_http_requests_total`) and times them
/// (`bookingbridge_http_request_duration_seconds`, by route template and method).
///
/// Routes are labelled by their template (`/v1/intents/{id}`), never the concrete path, so an id or a scanner's
/// random paths cannot grow the label set; a request no route matches is labelled `NotFound`. Add it first, before
/// `ProblemMiddleware`, so it sees the status every answer really went out with.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            Self.record(request: request, context: context, status: response.status, started: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            Self.record(request: request, context: context, status: status, started: started)
            throw error
        }
    }

    static func record(
        request: Request, context: Context, status: HTTPResponse.Status, started: ContinuousClock.Instant
    ) {
        let route = context.endpointPath ?? "NotFound"
        let method = Self.method(request.method)
        Counter(
            label: "bookingbridge_http_requests_total",
            dimensions: [("method", method), ("route", route), ("status", String(status.code))]
        ).increment()
        let elapsed = ContinuousClock.now - started
        Timer(label: "bookingbridge_http_request_duration_seconds", dimensions: [("method", method), ("route", route)])
            .recordNanoseconds(
                elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    /// Standard methods by name; anything else as `other`, so made-up methods cannot grow the label set.
    static func method(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .post, .put, .patch, .delete, .options: method.rawValue
        default: "other"
        }
    }
}
