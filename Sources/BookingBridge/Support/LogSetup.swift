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
