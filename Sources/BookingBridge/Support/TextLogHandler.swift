import Foundation
import Logging

/// swift-log's `StreamLogHandler` lines on standard error, with the metadata formatted only for lines written.
///
/// `StreamLogHandler` formats its metadata (sorted, joined) every time a value is set, and the bridge sets some on
/// every request (`request_id`) and every webhook delivery, almost all of which never log a line; here that work is
/// done only for a line that is written.
public struct TextLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    private let output: (any TextOutputStream & Sendable)?

    /// Lines go to `output`, standard error by default.
    public init(
        label: String, output: (any TextOutputStream & Sendable)? = nil,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.label = label
        self.output = output
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var stream =
            output.map { StreamLogHandler(label: label, stream: $0, metadataProvider: metadataProvider) }
            ?? StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
        stream.logLevel = logLevel
        stream.metadata = metadata
        stream.log(event: event)
    }
}
