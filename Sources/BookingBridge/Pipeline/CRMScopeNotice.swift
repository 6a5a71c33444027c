import Foundation
import Logging

/// Whether this process has seen the CRM reads refused for a missing scope, so that it says so once and stops
/// asking for a while (a scope granted later is picked up when the pause ends).
final class CRMScopeNotice: Sendable {
    /// How long after a 403 the CRM is not asked again.
    static let pause: Duration = .seconds(600)
    private let state = LockedValue<(logged: Bool, until: ContinuousClock.Instant?)>((false, nil))

    /// True while the CRM should not be asked.
    var paused: Bool {
        state.withLock { value in value.until.map { ContinuousClock.now < $0 } ?? false }
    }

    /// Notes a 403; true the first time (the caller logs then).
    func missing() -> Bool {
        state.withLock { value in
            value.until = ContinuousClock.now + Self.pause
            let first = !value.logged
            value.logged = true
            return first
        }
    }
}
