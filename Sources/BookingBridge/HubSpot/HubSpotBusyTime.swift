/// A busy interval, epoch milliseconds.
public struct HubSpotBusyTime: Sendable, Equatable, Codable {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }
}
