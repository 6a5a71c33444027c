/// For tests of behaviour bound to the wall clock (HubSpot's 10-second window, an access token's lifetime).
///
/// The whole suite runs in parallel on two cores: at its start hundreds of tests set up at once, and a few sequential
/// HTTP calls can take seconds each (a run once took 17 s for seven calls meant to fall in one 10-second window).
/// A run whose calls were stretched past the timing under test says nothing about the code (the window rolled on,
/// the token aged), so it is repeated from a fresh start, at most `tries` runs in all. `attempt` sets up its own
/// sandbox, makes its calls without checking anything, and returns what it saw and how long its timing-critical part
/// took; the caller checks what the first run within `limit` saw (or the last run, whatever it took).
func conclusiveRun<T: Sendable>(
    within limit: Duration, tries: Int = 4, _ attempt: () async throws -> (T, Duration)
) async throws -> T {
    var run = 0
    while true {
        run += 1
        let (seen, elapsed) = try await attempt()
        if elapsed < limit || run >= tries { return seen }
        print("a timing-sensitive run took \(elapsed), more than the \(limit) it allows (a loaded machine): again")
    }
}

/// The error `operation` throws, or nil; records nothing (for `conclusiveRun` attempts, which only collect).
func thrownError<T>(_ operation: () async throws -> T) async -> (any Error)? {
    do {
        _ = try await operation()
        return nil
    } catch {
        return error
    }
}
