import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat

/// Request context that keeps the connection, so a booking can be followed by closing it without an answer.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}

/// The sandbox's one responder: routes on the raw path, answers every error in HubSpot's shape, never throws.
struct SandboxResponder: HTTPResponder {
    typealias Context = SandboxRequestContext

    static let maximumBodySize = 1_048_576

    let state: SandboxState
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        let route = SandboxRoute(rawPath: request.uri.path)
        do {
            guard route != .notFound else { throw SandboxAPIError.routeNotFound(request.uri.path) }
            if case .control(let control) = route {
                return try await self.control(control, request: request)
            }
            return try await self.hubSpotAPI(route, request: request, context: context)
        } catch let error as SandboxAPIError {
            return Self.response(error)
        } catch is CancellationError {
            return Self.response(.injected(status: 503))
        } catch {
            self.logger.error(
                "Sandbox failed to answer",
                metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"]
            )
            return Self.response(.injected(status: 500))
        }
    }

    /// `/__sandbox/...`: no token, no faults, no counting.
    private func control(_ control: SandboxRoute.Control, request: Request) async throws -> Response {
        guard SandboxRoute.control(control).methods.contains(request.method.rawValue) else {
            throw SandboxAPIError.methodNotAllowed
        }
        switch control {
        case .faults:
            if request.method == .post {
                let body = try await Self.body(of: request)
                guard let faults = try? JSONDecoder().decode(SandboxFaults.self, from: body) else {
                    throw SandboxAPIError.invalidInput(
                        "expected {latencyMs, failRate, failStatus, failBody, retryAfterSeconds, dropAfterBookRate, "
                            + "afterBookStatus, afterBookRate, emptyCalendarEventRate, tokenLifetimeSeconds}")
                }
                if let problem = faults.validationProblem { throw SandboxAPIError.validation(problem) }
                await self.state.setFaults(faults)
                self.logger.info("Sandbox faults set", metadata: ["faults": "\(faults)"])
            }
            return Self.json(await self.state.faults)
        case .bookings:
            return Self.json(await self.state.bookings)
        case .stats:
            return Self.json(await self.state.stats())
        case .reset:
            await self.state.reset()
            return Self.json(["status": "reset"])
        }
    }

    static func body(of request: Request) async throws -> Data {
        var request = request
        do {
            return Data(buffer: try await request.collectBody(upTo: Self.maximumBodySize))
        } catch {
            throw SandboxAPIError.tooLarge
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json(_ value: some Encodable, status: Int = 200, headers: [(String, String)] = []) -> Response {
        let data = (try? Self.encoder.encode(value)) ?? Data("{}".utf8)
        var fields = HTTPFields()
        fields[.contentType] = "application/json;charset=utf-8"
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        return Response(
            status: Self.status(status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(data: data))
        )
    }

    static func response(_ error: SandboxAPIError) -> Response {
        guard case .html(let page) = error.body else {
            return Self.json(error.body, status: error.status, headers: error.headers)
        }
        var fields = HTTPFields()
        fields[.contentType] = "text/html"
        for (name, value) in error.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        return Response(
            status: Self.status(error.status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: page))
        )
    }

    static func status(_ code: Int) -> HTTPResponse.Status {
        switch code {
        case 200: .ok
        case 400: .badRequest
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 405: .methodNotAllowed
        case 413: .contentTooLarge
        case 423: .init(code: 423, reasonPhrase: "Locked")
        case 429: .tooManyRequests
        case 477: .init(code: 477, reasonPhrase: "Migration In Progress")
        case 500: .internalServerError
        case 502: .badGateway
        case 503: .serviceUnavailable
        case 504: .gatewayTimeout
        case 521: .init(code: 521, reasonPhrase: "Web Server Is Down")
        case 523: .init(code: 523, reasonPhrase: "Origin Is Unreachable")
        case 524: .init(code: 524, reasonPhrase: "A Timeout Occurred")
        default: .init(code: code)
        }
    }
}
