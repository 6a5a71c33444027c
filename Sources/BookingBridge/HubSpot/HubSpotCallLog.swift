import Logging
import Metrics

/// Logs and counts every HubSpot call: method, path, status, duration and correlation id, never a token.
///
/// Metrics: `hubspot_calls_total{endpoint,outcome,account}` (outcome `ok` or a classification name),
/// `hubspot_call_duration_seconds{endpoint,account}`. The account is the logger's `hubspot_account` metadata (set
/// by `BridgeApplication` per configured account; `default` when absent), so logs and metrics name it alike.
enum HubSpotCallLog {
    static func success(
        endpoint: HubSpotEndpoint, method: String, path: String, response: HubSpotTransport.Response, logger: Logger
    ) {
        record(endpoint: endpoint, outcome: "ok", durationMillis: response.durationMillis, logger: logger)
        logger.info(
            "HubSpot call",
            metadata: metadata(method: method, path: path, durationMillis: response.durationMillis).merging(
                ["status": "\(response.status)", "correlation_id": "\(correlationID(response.headers, nil) ?? "-")"],
                uniquingKeysWith: { $1 }))
    }

    static func answer(
        endpoint: HubSpotEndpoint, method: String, path: String, response: HubSpotTransport.Response,
        error: HubSpotError, logger: Logger
    ) {
        record(
            endpoint: endpoint, outcome: error.classification.name, durationMillis: response.durationMillis,
            logger: logger)
        var meta = metadata(method: method, path: path, durationMillis: response.durationMillis)
        meta["status"] = "\(response.status)"
        meta["correlation_id"] = "\(correlationID(response.headers, error.correlationId) ?? "-")"
        meta["classification"] = "\(error.classification.name)"
        if let category = error.category { meta["category"] = "\(category)" }
        if let subCategory = error.subCategory { meta["sub_category"] = "\(subCategory)" }
        if let policy = error.policyName { meta["policy"] = "\(policy)" }
        meta["message"] = "\(error.message)"
        let level: Logger.Level = error.policyName?.uppercased() == HubSpotRatePolicy.daily.rawValue ? .error : .warning
        logger.log(level: level, "HubSpot call failed", metadata: meta)
    }

    static func failure(
        endpoint: HubSpotEndpoint, method: String, path: String, failure: HubSpotTransport.Failure,
        classification: HubSpotErrorClassification, logger: Logger
    ) {
        record(
            endpoint: endpoint, outcome: classification.name, durationMillis: failure.durationMillis, logger: logger)
        var meta = metadata(method: method, path: path, durationMillis: failure.durationMillis)
        meta["transport"] = "\(failure.kind.rawValue)"
        meta["may_have_been_sent"] = "\(failure.mayHaveBeenSent)"
        meta["classification"] = "\(classification.name)"
        meta["error"] = "\(String(reflecting: failure.underlying))"
        logger.warning("HubSpot call got no answer", metadata: meta)
    }

    static func correlationID(_ headers: [String: String], _ fromBody: String?) -> String? {
        fromBody ?? headers["x-hubspot-correlation-id"] ?? headers["x-request-id"]
    }

    private static func metadata(method: String, path: String, durationMillis: Int64) -> Logger.Metadata {
        ["method": "\(method)", "path": "\(path)", "duration_ms": "\(durationMillis)"]
    }

    /// The account label of calls logged through `logger`.
    static func account(_ logger: Logger) -> String {
        logger[metadataKey: "hubspot_account"].map { "\($0)" } ?? "default"
    }

    private static func record(endpoint: HubSpotEndpoint, outcome: String, durationMillis: Int64, logger: Logger) {
        let account = Self.account(logger)
        Counter(
            label: "hubspot_calls_total",
            dimensions: [("endpoint", endpoint.rawValue), ("outcome", outcome), ("account", account)]
        )
        .increment()
        Timer(
            label: "hubspot_call_duration_seconds", dimensions: [("endpoint", endpoint.rawValue), ("account", account)]
        )
        .recordMilliseconds(durationMillis)
    }
}
