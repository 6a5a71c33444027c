/// One granted call.
public struct HubSpotRatePermit: Sendable, Equatable {
    public var account: String
    public var id: Int64
    /// Calls still free in the window after this one.
    public var remaining: Int

    public init(account: String, id: Int64, remaining: Int) {
        self.account = account
        self.id = id
        self.remaining = remaining
    }
}
