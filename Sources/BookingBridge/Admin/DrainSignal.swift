import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle

/// Marks the process as draining when graceful shutdown begins, so `/readyz` turns 503 before the server stops.
struct DrainSignal: Service {
    let readiness: Readiness

    func run() async throws {
        try? await gracefulShutdown()
        readiness.startDraining()
    }
}
