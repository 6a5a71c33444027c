import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A local stand-in for HubSpot's Scheduler API (`hubspot-contract.md`): same paths, bodies, errors, traps, rate
/// limits and OAuth refresh, plus fault injection and a `/__sandbox/...` control API.
///
/// Embedded in tests: `try await sandbox.start()` (port 0 picks a free port), talk to ``baseURL``, `await
/// sandbox.stop()`. In a service group: ``HubSpotSandboxService``. The seeded links are described in
/// ``SandboxSeeds`` and ``seededLinks``.
///
/// Control API (no token): `GET|POST /__sandbox/faults` (``SandboxFaults`` as JSON), `GET /__sandbox/bookings`,
/// `GET /__sandbox/stats` (``SandboxRequestStats``), `POST /__sandbox/reset` (clears bookings, contacts, counters and
/// faults; keeps OAuth tokens).
public final class HubSpotSandbox: Sendable {
    /// The configuration the sandbox was made with.
    public let configuration: SandboxConfiguration
    let logger: Logger
    let state: SandboxState
    private let running = Mutex<Running?>(nil)
    private let boundPort = Mutex<Int?>(nil)

    private struct Running: Sendable {
        var group: ServiceGroup
        var task: Task<Void, any Error>
    }

    /// Markdown description of the seeded links and how to hit each trap (see ``SandboxSeeds``).
    public static var seededLinks: String { SandboxSeeds.description }

    /// Creates a sandbox; nothing listens until ``start()`` or ``HubSpotSandboxService/run()``.
    public init(configuration: SandboxConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.state = SandboxState(configuration: configuration)
    }

    /// Starts listening and returns once the port is bound. Calling it again while running does nothing.
    public func start() async throws {
        let (bound, boundContinuation) = AsyncStream<Int>.makeStream()
        let application = self.application { port in
            boundContinuation.yield(port)
            boundContinuation.finish()
        }
        var groupConfiguration = ServiceGroupConfiguration(services: [application], logger: self.logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)
        let task: Task<Void, any Error>? = self.running.withLock { running in
            guard running == nil else { return nil }
            let task = Task {
                defer { boundContinuation.finish() }
                try await group.run()
            }
            running = Running(group: group, task: task)
            return task
        }
        guard let task else { return }
        var iterator = bound.makeAsyncIterator()
        if await iterator.next() != nil { return }
        self.running.withLock { $0 = nil }
        try await task.value
        throw SandboxStartError()
    }

    /// Stops listening (graceful, at most 5 s) and waits until the server is gone. State is kept.
    public func stop() async {
        guard
            let running = self.running.withLock({ running in
                defer { running = nil }; return running
            })
        else { return }
        await running.group.triggerGracefulShutdown()
        _ = try? await running.task.value
        self.clearBoundPort()
    }

    func clearBoundPort() {
        self.boundPort.withLock { $0 = nil }
    }

    /// The bound port (the configured one before start).
    public var port: Int {
        get async { self.boundPort.withLock { $0 } ?? self.configuration.port }
    }

    /// `http://HOST:PORT`, with a wildcard host replaced by 127.0.0.1.
    public var baseURL: String {
        get async {
            let host = ["0.0.0.0", "::", ""].contains(self.configuration.host) ? "127.0.0.1" : self.configuration.host
            return "http://\(host):\(await self.port)"
        }
    }

    /// Every booking made since start or the last reset, in order.
    public func bookings() async -> [SandboxBooking] {
        await self.state.bookings
    }

    /// Replaces the injected faults.
    public func setFaults(_ faults: SandboxFaults) async {
        await self.state.setFaults(faults)
    }

    /// Clears bookings, contacts, rate-limit counters, traffic stats and faults; keeps OAuth tokens.
    public func reset() async {
        await self.state.reset()
    }

    /// Traffic on the HubSpot API paths: total and the most requests seen in any rolling 10 s window.
    public func requestStats() async -> SandboxRequestStats {
        await self.state.stats()
    }

    /// The Hummingbird application serving this sandbox; `onBound` receives the bound port.
    func application(onBound: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        Application(
            responder: SandboxResponder(state: self.state, logger: self.logger),
            configuration: ApplicationConfiguration(
                address: .hostname(self.configuration.host, port: self.configuration.port),
                serverName: "HubSpotSandbox"
            ),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? 0
                self.boundPort.withLock { $0 = port }
                onBound(port)
            },
            logger: self.logger
        )
    }
}

/// The sandbox's server stopped before it bound its port.
public struct SandboxStartError: Error, CustomStringConvertible {
    public var description: String { "the HubSpot sandbox stopped before binding its port" }
}
