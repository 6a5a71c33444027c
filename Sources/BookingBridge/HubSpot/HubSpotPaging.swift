public struct HubSpotPaging: Sendable, Equatable, Codable {
    public struct Next: Sendable, Equatable, Codable {
        public var after: String
    }

    public var next: Next?
}
