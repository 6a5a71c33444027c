/// What `abandoningOnCancel` keeps between its caller, its task and the cancellation handler.
struct AbandonableState<T: Sendable>: Sendable {
    var continuation: CheckedContinuation<T, any Error>?
    var task: Task<Void, Never>?
    var cancelled = false
}
