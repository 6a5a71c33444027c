import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// The port the HTTP server bound, published once it runs.
public final class BoundPort: Sendable {
    private let storage = LockedValue<Int?>(nil)
    public init() {}
    func set(_ port: Int?) { storage.withLock { $0 = port } }
    public var value: Int? { storage.withLock { $0 } }

    /// Waits until the server is bound (polling; start-up takes milliseconds).
    public func wait(timeout: Duration = .seconds(30)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value { return value }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw StoreError(description: "HTTP server did not start within \(timeout)")
    }
}
