import Foundation

/// A slot the bridge holds (its booking call is in flight) or booked, epoch milliseconds.
public struct SlotHold: Sendable, Equatable {
    public var startMillis: Int64
    public var endMillis: Int64

    public init(startMillis: Int64, endMillis: Int64) {
        self.startMillis = startMillis
        self.endMillis = endMillis
    }

    /// The holds that still hide a slot from a page `pageAgeMillis` old: every one in flight, and a booked one
    /// whose answer came after the page was fetched (an older page does not know of the booking yet).
    public static func hiding(
        _ holds: [AvailabilityStore.Hold], pageAgeMillis: Int64?, except intentID: UUID? = nil
    ) -> [SlotHold] {
        holds.filter { hold in
            hold.intentID != intentID && (!hold.booked || pageAgeMillis.map { hold.ageMillis <= $0 } ?? true)
        }
        .map { SlotHold(startMillis: $0.startMillis, endMillis: $0.endMillis) }
    }
}
