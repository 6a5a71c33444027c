import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle

/// Whether this process should receive traffic: false once it is draining.
public final class Readiness: Sendable {
    private let draining = LockedValue(false)
    public init() {}
    public var isDraining: Bool { draining.withLock { $0 } }
    public func startDraining() { draining.withLock { $0 = true } }
}
