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
