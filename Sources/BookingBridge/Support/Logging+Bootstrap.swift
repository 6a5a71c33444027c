import Foundation
import Logging

/// Sets up swift-log once per process: human-readable lines by default, JSON lines with `LOG_FORMAT=json`.
public enum LogSetup {
    public static func bootstrap(level: Logger.Level, format: BridgeConfiguration.LogFormat) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch format {
                case .json: JSONLogHandler(label: label)
                case .text: TextLogHandler(label: label)
                }
            handler.logLevel = level
            return handler
        }
    }
}

/// swift-log's `StreamLogHandler` lines on standard error, with the metadata formatted only for lines written.
///
/// `StreamLogHandler` formats its metadata (sorted, joined) every time a value is set, and the bridge sets some on
/// every request (`request_id`) and every webhook delivery, almost all of which never log a line: that was about 3 %
/// of intake's CPU.
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

/// Writes one JSON object per line to standard error: time, level, label, message and metadata.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: Any] = [
            "time": Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)),
            "level": event.level.rawValue,
            "label": label,
            "message": event.message.description,
        ]
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged { object[key] = Self.unpack(value) }
        guard
            var data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        data.append(0x0A)
        FileHandle.standardError.write(data)
    }

    private static func unpack(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let s): s
        case .stringConvertible(let s): s.description
        case .array(let a): a.map(unpack)
        case .dictionary(let d): d.mapValues(unpack)
        }
    }
}
