import Foundation

/// The answer to one consent checkbox (`{communicationTypeId, consented}`).
public struct HubSpotConsentResponse: Sendable, Equatable, Codable {
    public var communicationTypeId: String
    public var consented: Bool

    public init(communicationTypeId: String, consented: Bool) {
        self.communicationTypeId = communicationTypeId
        self.consented = consented
    }
}
