import Foundation

/// Decides which addresses and URLs a webhook may be sent to.
///
/// Public addresses are always allowed. Loopback, private, link-local, multicast, unspecified, CGNAT, reserved and
/// cloud-metadata addresses are refused unless one of the configured `allowDestinations` blocks holds them. Plain
/// `http` is accepted only for destinations that the allow-list admits.
public struct DestinationGuard: Sendable {
    public let allowed: [CIDR]

    public init(allowed: [CIDR] = []) { self.allowed = allowed }

    /// Parses `allowDestinations`; throws `CIDR.InvalidCIDR` for a bad entry.
    public init(allowDestinations: [String]) throws {
        self.init(allowed: try allowDestinations.map(CIDR.init))
    }

    /// Why a destination is refused; recorded on the delivery attempt.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// True when the allow-list names `address` explicitly.
    public func isExplicitlyAllowed(_ address: IPAddress) -> Bool {
        allowed.contains { $0.contains(address) }
    }

    /// `nil` when `address` may be reached, or the reason it may not.
    public func refusal(for address: IPAddress) -> Refusal? {
        if isExplicitlyAllowed(address) { return nil }
        guard let kind = AddressClassifier.classify(address) else { return nil }
        return Refusal("destination address \(address) is \(kind.rawValue) and not in webhooks.allowDestinations")
    }

    /// Checks every address a host resolved to (all must pass, so a mixed answer cannot smuggle in a private one)
    /// and the scheme: `http` needs every address to be explicitly allowed.
    public func refusal(for addresses: [IPAddress], scheme: String) -> Refusal? {
        guard !addresses.isEmpty else { return Refusal("the host did not resolve to any address") }
        for address in addresses {
            if let refusal = refusal(for: address) { return refusal }
        }
        if scheme == "http", let plain = addresses.first(where: { !isExplicitlyAllowed($0) }) {
            return Refusal("plain http is only allowed to webhooks.allowDestinations, and \(plain) is not in it")
        }
        return nil
    }
}
