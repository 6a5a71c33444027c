/// An offered slot, epoch milliseconds UTC.
public struct HubSpotSlot: Sendable, Equatable, Hashable, Codable {
    public var startMillisUtc: Int64
    public var endMillisUtc: Int64

    public init(startMillisUtc: Int64, endMillisUtc: Int64) {
        self.startMillisUtc = startMillisUtc
        self.endMillisUtc = endMillisUtc
    }
}
