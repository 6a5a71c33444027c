import Metrics

/// The pipeline's metrics (swift-metrics; exported by `/metrics`).
enum PipelineMetrics {
    enum Stage: String { case claim, enrich, book, reconcile }

    static func stage(_ stage: Stage, since start: ContinuousClock.Instant) {
        Timer(label: "bookingbridge_stage_duration_seconds", dimensions: [("stage", stage.rawValue)])
            .recordInterval(since: start)
    }

    static func count(_ label: String, _ dimensions: [String: String] = [:]) {
        Counter(label: label, dimensions: dimensions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).increment()
    }
}

extension Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
