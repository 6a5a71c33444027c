/// The pipeline reaches HubSpot through `SchedulerAPI`; this client is its real implementation.
extension HubSpotClient: SchedulerAPI {}
