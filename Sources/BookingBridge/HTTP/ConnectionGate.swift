import Metrics
import Synchronization

/// Counts open connections against a limit.
final class ConnectionGate: Sendable {
    /// `bookingbridge_http_connections_rejected_total`: connections closed because the server was at its limit.
    static let rejected = Counter(label: "bookingbridge_http_connections_rejected_total")

    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) { self.limit = limit }

    /// Counts a new connection; false (and counted as rejected instead) when `limit` are already open.
    func enter() -> Bool {
        if open.wrappingAdd(1, ordering: .relaxed).newValue <= limit { return true }
        open.wrappingSubtract(1, ordering: .relaxed)
        Self.rejected.increment()
        return false
    }

    /// A counted connection closed.
    func leave() { open.wrappingSubtract(1, ordering: .relaxed) }

    /// Connections open now.
    var count: Int { open.load(ordering: .relaxed) }
}
