import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into a problem+json answer: `Problem`s as they are, Hummingbird's `HTTPError`s (404 for an
/// unknown route, 413 for a body over the limit) with their status, an unreachable database into a 503 with
/// `Retry-After`, and anything else into a 500 that is logged at error level with its full description (Hummingbird
/// would only log it at debug level). A client that hung up mid-request is no server error: that is logged at debug
/// level and rethrown as a `ClientAbort`.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return try problem.response(from: request, context: context)
        } catch let error as HTTPError {
            return try Problem(error.status, detail: error.body, headers: error.headers).response(
                from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try Problem(error.status, detail: "\(error)").response(from: request, context: context)
        } catch let abort as ClientAbort {
            throw abort
        } catch  where ClientAbort.isClientAbort(error) {
            context.logger.debug(
                "the client closed the connection before its request was read",
                metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            throw ClientAbort(cause: error)
        } catch  where DatabaseUnavailable.describes(error) {
            context.logger.warning(
                "database unavailable while answering a request",
                metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            return try Problem.databaseUnavailable.response(from: request, context: context)
        } catch {
            context.logger.error(
                "unexpected error answering request",
                metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            return try Problem(.internalServerError, detail: "unexpected error; see the bridge's log")
                .response(from: request, context: context)
        }
    }
}
