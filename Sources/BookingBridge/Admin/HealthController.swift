import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle

/// `GET /healthz` (the process answers) and `GET /readyz` (database reachable, migrations current, not draining).
public struct HealthController: Sendable {
    let database: Database
    let readiness: Readiness

    public init(database: Database, readiness: Readiness) {
        self.database = database
        self.readiness = readiness
    }

    struct Status: Encodable {
        var status: String
        var reason: String?
    }

    public func addRoutes(to router: Router<BridgeRequestContext>) {
        router.get("healthz") { _, _ in
            try Response.json(Status(status: "ok"))
        }
        router.get("readyz") { _, context in
            if readiness.isDraining {
                return try Response.json(Status(status: "unavailable", reason: "draining"), status: .serviceUnavailable)
            }
            do {
                // A reachable database answers in milliseconds; one that is down turns this 503 within a second.
                let current = try await Migrations().isCurrent(on: database.withCallTimeout(.seconds(1)))
                guard current else {
                    return try Response.json(
                        Status(
                            status: "unavailable",
                            reason: "database migrations are not current: run bookingbridge migrate"),
                        status: .serviceUnavailable)
                }
                return try Response.json(Status(status: "ready"))
            } catch {
                context.logger.warning("readiness check failed", metadata: ["error": "\(String(reflecting: error))"])
                return try Response.json(
                    Status(status: "unavailable", reason: "database unreachable"), status: .serviceUnavailable)
            }
        }
    }
}
