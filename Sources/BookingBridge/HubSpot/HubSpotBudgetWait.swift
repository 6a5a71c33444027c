/// Who hears that a HubSpot call of the current task waits for its account's rate budget.
///
/// The booking pipeline sets one around each worker's intent (`BookingPipeline`), so that while an account's
/// budget is spent (its window full, or HubSpot's 429 pause) the pipeline neither claims that account's intents
/// nor counts its workers against the slots other accounts need. Calls made outside such a task (visitors' reads,
/// admin routes) tell no one. A task started inside one (a shared read in `LinkCatalog`) inherits it.
struct HubSpotBudgetWait: Sendable {
    /// A call of this task starts waiting: the budget said to come back later and the call will sleep.
    var began: @Sendable () -> Void
    /// That call stopped waiting: it got its turn, gave up (`maxBudgetWait`) or was cancelled.
    var ended: @Sendable () -> Void

    @TaskLocal static var current: HubSpotBudgetWait?
}
