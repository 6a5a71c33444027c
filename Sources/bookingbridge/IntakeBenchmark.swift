import BookingBridge
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// The in-process intake benchmark: a fixed set of form posts through the bridge's own router (every
/// middleware, the intake controller and the group committer against a real PostgreSQL), without the HTTP server
/// and the network around it, so that the cost of a request can be counted in instructions (`valgrind
/// --tool=callgrind`) instead of timed on a shared machine.
///
/// Each measured phase is bracketed by `bookingbridgeBenchMeasureStart()` and `bookingbridgeBenchMeasureStop()`:
/// `--zero-before='*BenchMeasureStart*' --dump-before='*BenchMeasureStop*'` makes callgrind (the patterns leave
/// out the module name: Swift's mangling abbreviates `bookingbridge` in these symbols, as it repeats the module's)
/// write one profile per phase that holds only the requests of that phase (start-up, migrations and warm-up left
/// out). The first phase is the floor (empty `GET /healthz`), the second the intake posts. The bridge runs with
/// the configuration `bench/intake.sh` serves with (`bench/intake-bridge.json`: one public source named `bench`).
enum IntakeBenchmark {
    struct Report: Sendable, CustomStringConvertible {
        var requests: Int
        var concurrency: Int
        var floorSeconds: Double
        var intakeSeconds: Double
        var floorCPUSeconds: Double
        var intakeCPUSeconds: Double

        var description: String {
            func us(_ seconds: Double) -> String { String(format: "%.1f", seconds / Double(requests) * 1e6) }
            return """
                intake in process: \(requests) posts, \(concurrency) at a time, through the router against PostgreSQL
                  wall per post \(us(intakeSeconds)) us, this process's CPU per post \(us(intakeCPUSeconds)) us
                floor in process: \(requests) empty GET /healthz through the same router
                  wall per request \(us(floorSeconds)) us, this process's CPU per request \(us(floorCPUSeconds)) us
                """
        }
    }

    /// The body `bench/intake.lua` posts for its request number `n` (distinct e-mail and name per post).
    static func body(_ n: String, counter: Int) -> String {
        let days = ["2027-01-12", "2027-01-13", "2027-01-14", "2027-01-15", "2027-01-18"]
        let times = ["09:00", "09:30", "10:00", "10:30", "11:00", "14:00", "14:30", "15:00"]
        return "email=visitor\(n)%40example.org&name=Ada+Lovelace+\(n)&date=\(days[counter % days.count])"
            + "&time=\(times[counter % times.count])&tz=Europe%2FBerlin&company=Analytical+Engines+Ltd"
            + "&notes=Hello%2C+I+would+like+to+talk+about+the+difference+engine+and+a+possible+pilot."
            + "&marketing_ok=on&company_website="
    }

    static func intakeRequest(run: String, counter: Int) -> Request {
        let n = "\(run)-\(counter)"
        let fields: HTTPFields = [
            .contentType: "application/x-www-form-urlencoded", .origin: "https://www.example.org",
            .accept: "application/json", .userAgent: "Mozilla/5.0 (X11; Linux x86_64) bench",
            .idempotencyKey: "bench-\(n)",
        ]
        return Request(
            head: HTTPRequest(
                method: .post, scheme: "http", authority: "127.0.0.1", path: "/v1/intake/bench",
                headerFields: fields),
            body: RequestBody(buffer: ByteBuffer(string: body(n, counter: counter))))
    }

    static func healthRequest() -> Request {
        Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "127.0.0.1", path: "/healthz"),
            body: RequestBody(buffer: ByteBuffer()))
    }

    /// Runs `warmUp` posts, then the floor and the intake phase of `requests` each, `concurrency` at a time.
    /// Needs a migrated database with no intents of source `bench`; every post must be answered 202 (else it throws).
    static func run(
        application: BridgeApplication, router: Router<BridgeRequestContext>, requests: Int, warmUp: Int,
        concurrency: Int, logger: Logger
    ) async throws -> Report {
        let responder = router.buildResponder()
        // A real loopback connection, so that the context carries a client address as a served request's does.
        let group = MultiThreadedEventLoopGroup.singleton
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { _ in group.any().makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await ClientBootstrap(group: group).connect(to: server.localAddress!).get()
        defer {
            client.close(promise: nil)
            server.close(promise: nil)
        }

        @Sendable func send(_ request: Request, expect: HTTPResponse.Status) async throws {
            let response = try await responder.respond(
                to: request,
                context: BridgeRequestContext(source: ApplicationRequestContextSource(channel: client, logger: logger)))
            try await response.body.write(DiscardingWriter())
            guard response.status == expect else {
                throw BenchmarkError(description: "\(request.head.path ?? "") answered \(response.status)")
            }
        }
        func phase(
            _ make: @escaping @Sendable (Int) -> Request, expect: HTTPResponse.Status, count: Int
        )
            async throws
        {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for lane in 0..<concurrency {
                    tasks.addTask {
                        var i = lane
                        while i < count {
                            try await send(make(i), expect: expect)
                            i += concurrency
                        }
                    }
                }
                try await tasks.waitForAll()
            }
        }

        try await phase({ intakeRequest(run: "warmup", counter: $0) }, expect: .accepted, count: warmUp)
        try await phase({ _ in healthRequest() }, expect: .ok, count: warmUp)

        let floor = try await measured { try await phase({ _ in healthRequest() }, expect: .ok, count: requests) }
        let intake = try await measured {
            try await phase({ intakeRequest(run: "measured", counter: $0) }, expect: .accepted, count: requests)
        }
        return Report(
            requests: requests, concurrency: concurrency, floorSeconds: floor.wall, intakeSeconds: intake.wall,
            floorCPUSeconds: floor.cpu, intakeCPUSeconds: intake.cpu)
    }

    private static func measured(_ body: () async throws -> Void) async throws -> (wall: Double, cpu: Double) {
        bookingbridgeBenchMeasureStart()
        let cpu0 = processCPUSeconds()
        let start = ContinuousClock.now
        try await body()
        let wall = ContinuousClock.now - start
        let cpu = processCPUSeconds() - cpu0
        bookingbridgeBenchMeasureStop()
        return (Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18, cpu)
    }

    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    struct DiscardingWriter: ResponseBodyWriter {
        var bytes = 0
        mutating func write(_ part: ByteBuffer) async throws { bytes += part.readableBytes }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        var description: String
    }
}

/// Callgrind's markers (see `IntakeBenchmark`), found by their names; each writes a line so that no optimizer can
/// drop the call.
@inline(never)
func bookingbridgeBenchMeasureStart() {
    FileHandle.standardError.write(Data("bookingbridge bench: measuring\n".utf8))
}

@inline(never)
func bookingbridgeBenchMeasureStop() {
    FileHandle.standardError.write(Data("bookingbridge bench: measured\n".utf8))
}
