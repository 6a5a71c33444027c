import Logging
import ServiceLifecycle

/// Runs a ``HubSpotSandbox`` as a swift-service-lifecycle `Service`: `run()` serves until graceful shutdown of its
/// service group (or cancellation), then stops listening.
///
/// Use either this service or the sandbox's own ``HubSpotSandbox/start()`` / ``HubSpotSandbox/stop()``, not both.
/// The sandbox's other members (``HubSpotSandbox/port``, ``HubSpotSandbox/bookings()``, ...) work in both modes.
public struct HubSpotSandboxService: Service {
    /// The sandbox this service runs.
    public let sandbox: HubSpotSandbox

    /// Wraps an existing sandbox.
    public init(sandbox: HubSpotSandbox) {
        self.sandbox = sandbox
    }

    /// Creates the sandbox too.
    public init(configuration: SandboxConfiguration, logger: Logger) {
        self.sandbox = HubSpotSandbox(configuration: configuration, logger: logger)
    }

    /// Serves until graceful shutdown; the Hummingbird application inside follows the group's graceful shutdown.
    public func run() async throws {
        defer { self.sandbox.clearBoundPort() }
        try await self.sandbox.application(onBound: { _ in }).run()
    }
}
