import PostgresNIO

/// The database could not be reached in time: its connection was lost, or no answer came before the call's deadline.
///
/// What was asked may or may not have taken effect (a commit can be lost with its connection after PostgreSQL
/// applied it), so a caller that reports this says "try again", and a repeat must be idempotent.
public struct DatabaseUnavailable: Error, CustomStringConvertible, Sendable {
    enum Reason: Sendable, Equatable {
        case connectionLost
        case timeout(Duration)
    }

    let reason: Reason

    public var description: String {
        switch reason {
        case .connectionLost: "the database connection was lost during the call"
        case .timeout(let duration): "the database did not answer within \(duration)"
        }
    }
}

extension DatabaseUnavailable {
    /// Whether `error` says the database could not be reached (rather than that it refused the statement): this
    /// type, a connection error or closed connection from PostgresNIO, the pool shutting down, or a server that is
    /// shutting down, starting or out of connections. Looks inside transaction errors.
    public static func describes(_ error: any Error) -> Bool {
        switch error {
        case is DatabaseUnavailable:
            return true
        case let error as PostgresTransactionError:
            return [error.beginError, error.closureError, error.commitError, error.rollbackError]
                .contains { $0.map(describes) ?? false }
        case let error as PSQLError:
            if let state = error.serverInfo?[.sqlState] {
                // 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot connect now;
                // 53300: too many connections.
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(state)
            }
            return [.connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown]
                .contains(error.code)
        default:
            return false
        }
    }
}
