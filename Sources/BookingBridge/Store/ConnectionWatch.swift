import NIOCore
import PostgresNIO

/// Fails the calls still running on a connection shortly after that connection closes (see `DatabaseCall`).
///
/// One close callback per connection, not per call: a busy connection lives for many thousands of calls, and its
/// close future keeps every callback registered on it until it closes. A call that completes on its own within
/// `grace` of the close (its answer was read just before the connection went away) keeps its real result.
final class ConnectionWatch: Sendable {
    /// A call that can be answered with "connection lost".
    protocol Watched: AnyObject, Sendable {
        func connectionLost()
    }

    private struct Entry {
        var calls: [ObjectIdentifier: any Watched] = [:]
    }

    private let connections = LockedValue<[PostgresConnection.ID: Entry]>([:])
    let grace: TimeAmount

    init(grace: TimeAmount = .seconds(1)) {
        self.grace = grace
    }

    /// Runs `body` with `call` registered on `connection`. A connection that is already closed is refused at once.
    func guarding<T>(
        _ connection: PostgresConnection, _ call: some Watched, _ body: () async throws -> T
    ) async throws -> T {
        guard !connection.isClosed else { throw DatabaseUnavailable(reason: .connectionLost) }
        let id = connection.id
        let key = ObjectIdentifier(call)
        let first = connections.withLock { connections -> Bool in
            let first = connections[id] == nil
            connections[id, default: Entry()].calls[key] = call
            return first
        }
        if first {
            connection.closeFuture.whenComplete { _ in self.closed(id, on: connection.eventLoop) }
        }
        defer {
            connections.withLock { connections in
                _ = connections[id]?.calls.removeValue(forKey: key)
            }
        }
        return try await body()
    }

    /// How many connections are watched (for tests).
    var watchedConnections: Int { connections.withLock { $0.count } }

    private func closed(_ id: PostgresConnection.ID, on eventLoop: any EventLoop) {
        eventLoop.scheduleTask(in: grace) {
            let entry = self.connections.withLock { $0.removeValue(forKey: id) }
            for call in entry?.calls.values ?? [:].values { call.connectionLost() }
        }
    }
}
