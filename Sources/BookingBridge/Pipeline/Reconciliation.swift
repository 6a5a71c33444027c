import Foundation

/// What to do with an intent whose earlier `/book` call may have booked without the bridge seeing the answer.
public enum Reconciliation: Equatable, Sendable {
    /// The slot is still free for the rep who would have taken it: the earlier call did not book. Book again.
    case safeToBook
    /// The slot is gone (or a rep is busy over it): the earlier call may have booked. A person decides.
    case needsReview(evidence: String)

    /// Decides from fresh availability. On a personal or group link the slot is offered again only if the
    /// earlier attempt did not book it. On a round-robin link another rep may still offer the slot after the
    /// earlier attempt booked one rep, so it is safe only when no member has a busy time over the slot.
    public static func decide(
        linkType: String, slotOffered: Bool, busyTimes: [HubSpotUserBusyTimes], startMillis: Int64,
        durationMillis: Int64
    ) -> Reconciliation {
        guard slotOffered else {
            return .needsReview(
                evidence:
                    "an earlier booking call got no answer and the slot is no longer offered: it may have been booked by that call or by someone else"
            )
        }
        if linkType == "ROUND_ROBIN_CALENDAR" {
            let end = startMillis + durationMillis
            let busy = busyTimes.filter { member in member.busyTimes.contains { $0.start < end && startMillis < $0.end }
            }
            if !busy.isEmpty {
                let who = busy.compactMap { $0.meetingsUser?.userId ?? $0.meetingsUser?.id }.joined(separator: ", ")
                return .needsReview(
                    evidence:
                        "an earlier booking call got no answer; the slot is still offered but rep(s) \(who) are now busy over it, possibly through that call"
                )
            }
        }
        return .safeToBook
    }
}
