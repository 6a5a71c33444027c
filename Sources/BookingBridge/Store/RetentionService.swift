import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Prunes finished work older than `RetentionSettings.maxAge`, in batches of `batchSize` rows, every `interval`.
///
/// What goes (see `RetentionService+SQL.swift`): intents whose booking finished before the cutoff, with their
/// attempts and booking; deliveries that ended (delivered or failed) before the cutoff, with their attempts; events
/// older than the cutoff that have no delivery left. Intents still due (`received`, `retrying`) and deliveries
/// still due (`pending`, `retrying`) are never touched, however old, and an event stays while any of its deliveries
/// does. Every bridge process may run it: batches lock with `SKIP LOCKED`, so processes share the work.
/// A `maxAge` of zero turns pruning off.
public struct RetentionService: Service {
    let database: Database
    let settings: RetentionSettings
    let logger: Logger

    public init(database: Database, settings: RetentionSettings, logger: Logger) {
        self.database = database
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        guard settings.maxAge > .zero else {
            logger.info("retention is off (maxAge 0): finished rows are kept")
            return
        }
        // Ends at graceful shutdown; a batch in flight is one short statement, so cancelling it is harmless.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try await prune()
                    if report.total > 0 {
                        logger.info(
                            "retention pruned finished rows",
                            metadata: report.metadata.mapValues { .string($0) }.merging(
                                ["max_age": "\(settings.maxAge)"], uniquingKeysWith: { $1 }))
                    } else {
                        logger.debug("retention found nothing to prune")
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning(
                        "retention pass failed; trying again later", metadata: ["error": "\(String(reflecting: error))"]
                    )
                }
                try await Task.sleep(for: settings.interval)
            }
        }
    }

    /// One pass: batch after batch until nothing older than `now - maxAge` is left to prune.
    @discardableResult
    public func prune(now: Date = Date()) async throws -> RetentionReport {
        let cutoff = Self.cutoff(now: now, maxAge: settings.maxAge)
        let batchSize = max(1, settings.batchSize)
        var report = RetentionReport()
        // Deliveries before events (an event goes once its deliveries have), intents last.
        for step in [Step.deliveries, .events, .intents] {
            while true {
                try Task.checkCancellation()
                let batch = try await run(step, cutoff: cutoff, batchSize: batchSize)
                report = report + batch.removed
                if batch.selected < batchSize { break }
            }
        }
        return report
    }

    /// `now - maxAge`.
    static func cutoff(now: Date, maxAge: Duration) -> Date {
        let seconds = Double(maxAge.components.seconds) + Double(maxAge.components.attoseconds) / 1e18
        return now.addingTimeInterval(-seconds)
    }
}
