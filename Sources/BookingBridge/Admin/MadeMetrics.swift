import HTTPTypes
import Hummingbird
import Metrics

/// The metrics `HTTPMetricsMiddleware` has made, so each answer only looks one up.
final class MadeMetrics: Sendable {
    struct Key: Hashable, Sendable {
        var route: String
        var method: String
        var code: Int = 0
    }

    private struct State {
        var counters: [Key: Counter] = [:]
        /// `bookingbridge_intake_submissions_total`, by route, source (in `method`) and status.
        var intakeCounters: [Key: Counter] = [:]
        var timers: [Key: Timer] = [:]
    }

    private let state = LockedValue(State())

    func counter(_ key: Key, intake: Bool = false, make: () -> Counter) -> Counter {
        state.withLock { state in
            if let counter = intake ? state.intakeCounters[key] : state.counters[key] { return counter }
            let counter = make()
            if intake { state.intakeCounters[key] = counter } else { state.counters[key] = counter }
            return counter
        }
    }

    func timer(_ key: Key, make: () -> Timer) -> Timer {
        state.withLock { state in
            if let timer = state.timers[key] { return timer }
            let timer = make()
            state.timers[key] = timer
            return timer
        }
    }
}
