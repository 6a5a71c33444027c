/// What the slots endpoint and the booking page read HubSpot through, per HubSpot account: a source's open slots
/// and its link's booking info come from the account it books with (`"hubspot": "<name>"`), with that account's
/// client, token, base URL and rate budget, never from the default account's.
struct SourceReads: Sendable {
    /// One account's availability cache (its pages keyed by the account) and its link catalog (visitors' reads,
    /// which yield to that account's bookings).
    struct Account: Sendable {
        var cache: AvailabilityCache
        var catalog: LinkCatalog
    }

    /// The default account's.
    let standard: Account
    /// Those of `hubspotAccounts`, by name.
    let accounts: [String: Account]

    /// The reads of the account `source` books with (the default account's when it names none).
    func account(for source: SourceConfiguration) -> Account {
        source.hubspot.flatMap { accounts[$0] } ?? standard
    }
}
