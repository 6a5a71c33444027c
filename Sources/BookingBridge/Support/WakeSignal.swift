/// A level-triggered wake-up for one waiting loop, the one way loops here are woken: `signal()` from anywhere
/// (cheap, never blocks); `wait(timeout:)` returns at the first signal, at the timeout, or on cancellation. A signal
/// sent while nobody waits is kept, so a wake-up is never lost between two waits. `finish()` ends the loop: every
/// `wait` after it returns false at once.
///
/// A loop reads:
///
///     while !Task.isCancelled, await wake.wait(timeout: pollInterval) { ... }
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = LockedValue(State())

    public init() {}

    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Ends the waiting loop: the current `wait` and every later one return false.
    public func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    public var isFinished: Bool { state.withLock { $0.finished } }

    /// Waits for a signal, at most `timeout` (nil: no limit), or until the task is cancelled. Returns false once
    /// `finish()` was called, true otherwise.
    @discardableResult
    public func wait(timeout: Duration?) async -> Bool {
        let ready = state.withLock { state -> Bool? in
            if state.finished { return false }
            defer { state.pending = false }
            return state.pending ? true : nil
        }
        if let ready { return ready }
        guard let timeout else {
            await waitForSignal()
            return !isFinished
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.signal()
            }
            await waitForSignal()
            group.cancelAll()
        }
        // The timer may have fired after a real signal woke us: drop its leftover.
        return state.withLock { state in
            state.pending = false
            return !state.finished
        }
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || state.finished || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.signal()
        }
    }
}
