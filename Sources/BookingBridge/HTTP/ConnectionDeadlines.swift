import NIOCore

/// When an HTTP connection's read deadline falls, decided from what the connection has done so far.
///
/// A connection is always in one of three phases. Waiting for a request head (from the moment it opened, or from the
/// first byte of the next request on a keep-alive connection), the head must be complete within `headerTimeout`.
/// Between an answer and the next request's first byte, the connection may sit idle for `idleTimeout`. While a
/// request is read or answered there is no deadline here (the body limit and the handlers bound that). So a client
/// that holds a socket with half a request head, or with nothing at all, gives it back after a bounded time.
struct ConnectionDeadlines: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        /// A request head is due by `deadline`.
        case awaitingHead(deadline: NIODeadline)
        /// One or more requests are being read or answered.
        case busy
        /// Nothing is in flight; the connection closes at `deadline` unless a request begins.
        case idle(deadline: NIODeadline)
    }

    /// What the channel handler does next.
    enum Action: Sendable, Equatable {
        /// (Re)arm the one timer for this instant.
        case schedule(NIODeadline)
        /// Disarm the timer.
        case cancel
        /// Close the connection.
        case close
        case none
    }

    let headerTimeout: TimeAmount
    let idleTimeout: TimeAmount
    private(set) var phase: Phase = .busy
    /// Request heads read whose answer has not finished yet (more than one when the client pipelines).
    private(set) var requestsInFlight = 0

    init(headerTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
    }

    /// The connection became active: its first request head is due within `headerTimeout`.
    mutating func opened(at now: NIODeadline) -> Action {
        phase = .awaitingHead(deadline: now + headerTimeout)
        return .schedule(now + headerTimeout)
    }

    /// Bytes arrived. On an idle connection they begin a request, whose head is now due within `headerTimeout`.
    mutating func bytesArrived(at now: NIODeadline) -> Action {
        guard case .idle = phase else { return .none }
        phase = .awaitingHead(deadline: now + headerTimeout)
        return .schedule(now + headerTimeout)
    }

    /// A whole request head was read: no deadline until its answer is written.
    mutating func headReceived() -> Action {
        requestsInFlight += 1
        phase = .busy
        return .cancel
    }

    /// An answer was written to its end. With none left in flight the connection is idle.
    mutating func responseFinished(at now: NIODeadline) -> Action {
        requestsInFlight = max(0, requestsInFlight - 1)
        guard requestsInFlight == 0 else { return .none }
        phase = .idle(deadline: now + idleTimeout)
        return .schedule(now + idleTimeout)
    }

    /// The timer fired: close when the phase's deadline has passed, otherwise wait for it.
    func timerFired(at now: NIODeadline) -> Action {
        switch phase {
        case .awaitingHead(let deadline), .idle(let deadline):
            now >= deadline ? .close : .schedule(deadline)
        case .busy:
            .none
        }
    }
}
