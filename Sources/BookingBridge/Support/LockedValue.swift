import Synchronization

/// A value behind a lock: the one lock of this code base, for state that an actor hop would cost too much for (hot
/// paths, nonisolated wake-ups) and that several tasks share (a class holding it, or the `LockedValue` itself).
public final class LockedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    @discardableResult
    public func withLock<T>(_ body: (inout sending Value) throws -> sending T) rethrows -> sending T {
        try mutex.withLock(body)
    }
}
