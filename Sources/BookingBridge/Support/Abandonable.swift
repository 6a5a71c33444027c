/// Runs `operation` in a task of its own and returns its result; when the caller is cancelled, throws
/// `CancellationError` at once and leaves the operation (cancelled as well) to end in the background.
///
/// For calls to other services through clients that can be slow to honour cancellation: AsyncHTTPClient keeps a
/// request that waits for a connection to an unreachable host until its own timeout, and a graceful shutdown past
/// its grace must not wait for that. Not for database calls, whose connection the abandoned task would still hold
/// (see `DatabaseCall`).
func abandoningOnCancel<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let state = LockedValue(AbandonableState<T>())
    @Sendable func resume(_ result: Result<T, any Error>) {
        let continuation = state.withLock { state in
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result)
    }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            state.withLock { $0.continuation = continuation }
            let task = Task {
                do { resume(.success(try await operation())) } catch { resume(.failure(error)) }
            }
            let cancelled = state.withLock { state in
                state.task = task
                return state.cancelled
            }
            if cancelled || Task.isCancelled {
                task.cancel()
                resume(.failure(CancellationError()))
            }
        }
    } onCancel: {
        let task = state.withLock { state in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
        resume(.failure(CancellationError()))
    }
}
