import BookingBridge
import Logging
import Synchronization
import Testing

@Suite("Log handlers")
struct LogHandlerTests {
    /// Collects what a handler writes.
    final class Lines: TextOutputStream, Sendable {
        private let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
        var value: String { text.withLock { $0 } }
    }

    @Test("text lines are swift-log's StreamLogHandler lines, metadata included, formatted only when written")
    func textLinesMatchStreamLogHandler() {
        let ours = Lines()
        let theirs = Lines()
        var mine = Logger(label: "bridge") { TextLogHandler(label: $0, output: ours) }
        var reference = Logger(label: "bridge") { StreamLogHandler(label: $0, stream: theirs) }
        mine.logLevel = .info
        reference.logLevel = .info
        for key in ["request_id", "component", "a"] {
            mine[metadataKey: key] = "value of \(key)"
            reference[metadataKey: key] = "value of \(key)"
        }
        mine.debug("not written")
        reference.debug("not written")
        mine.info("accepted", metadata: ["intent_id": "42"])
        reference.info("accepted", metadata: ["intent_id": "42"])
        mine.warning("plain")
        reference.warning("plain")
        // Each line starts with a timestamp to the second; the rest must be identical.
        func withoutTimestamps(_ text: String) -> [Substring] {
            text.split(separator: "\n").map { $0.drop { $0 != " " } }
        }
        #expect(ours.value.split(separator: "\n").count == 2)
        #expect(withoutTimestamps(ours.value) == withoutTimestamps(theirs.value))
        #expect(
            ours.value.contains("a=value of a component=value of component intent_id=42 request_id=value of request_id")
        )
    }
}
