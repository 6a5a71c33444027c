import NIOCore
import NIOPosix
import PostgresNIO

/// One database call, run in a task of its own so that its caller can be answered without it: when the call's
/// connection dies under it, when its deadline passes, or (for a call that waits for a connection) when the caller
/// is cancelled.
///
/// Why a task of its own: PostgresNIO hands each query to its connection with a write whose failure it does not
/// report; a query written to a connection that has just closed (the pool can lease a connection in the moment
/// between its close and the pool hearing of it, as happens when PostgreSQL restarts) is never answered, and the
/// await on it ignores cancellation. A caller that awaited it directly would wait for ever, and so would a graceful
/// shutdown waiting for that caller.
///
/// The call's own task keeps its connection lease until it ends, so a caller answered early never hands a connection
/// that is still in use back to the pool. Cancelling the caller cancels the call's task: a wait for a connection ends
/// at once, and a statement already on the wire completes (PostgreSQL has it), so the caller gets its real result.
final class DatabaseCall<Result: Sendable>: Sendable {
    private struct State: Sendable {
        var continuation: CheckedContinuation<Result, any Error>?
        var task: Task<Void, Never>?
        var deadline: Scheduled<Void>?
        var finished = false
    }

    private let state = LockedValue(State())

    /// Runs `body` on a connection leased from `database`'s pool.
    static func run(
        on database: Database, timeout: Duration?,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let call = DatabaseCall<Result>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                call.state.withLock { $0.continuation = continuation }
                // A deadline is a task scheduled on an event loop: cheaper than a sleeping Swift task.
                if let timeout {
                    let scheduled = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: .init(timeout)) {
                        call.finish(.failure(DatabaseUnavailable(reason: .timeout(timeout))), cancelTask: true)
                    }
                    call.state.withLock { $0.deadline = scheduled }
                }
                let task = Task {
                    do {
                        let value = try await database.client.withConnection { connection in
                            try await database.watch.guarding(connection, call) { try await body(connection) }
                        }
                        call.finish(.success(value))
                    } catch {
                        call.finish(.failure(error))
                    }
                }
                let cancelNow = call.state.withLock { state -> Bool in
                    state.task = task
                    return state.finished
                }
                if cancelNow || Task.isCancelled { task.cancel() }
            }
        } onCancel: {
            call.cancel()
        }
    }

    /// Answers the caller once; later answers are dropped.
    func finish(_ result: Swift.Result<Result, any Error>, cancelTask: Bool = false) {
        let (continuation, task, deadline) = state.withLock { state in
            state.finished = true
            defer {
                state.continuation = nil
                state.deadline = nil
            }
            return (state.continuation, state.task, state.deadline)
        }
        guard let continuation else { return }
        deadline?.cancel()
        if cancelTask { task?.cancel() }
        continuation.resume(with: result)
    }

    /// The caller was cancelled: so is the call (see the type's documentation for what that ends).
    private func cancel() {
        let task = state.withLock { $0.task }
        task?.cancel()
    }
}

extension DatabaseCall: ConnectionWatch.Watched {
    func connectionLost() {
        finish(.failure(DatabaseUnavailable(reason: .connectionLost)), cancelTask: true)
    }
}
