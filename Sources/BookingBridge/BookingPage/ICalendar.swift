import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// One iCalendar (RFC 5545) event, its text values escaped.
enum ICalendar {
    static func event(
        uid: String, start: String, end: String, summary: String, location: String?, url: String?
    ) -> String {
        func stamp(_ iso: String) -> String {
            let millis = HubSpotTimestamp.millis(iso8601: iso) ?? 0
            let c = SlotWindow.utc.dateComponents(
                [.year, .month, .day, .hour, .minute, .second], from: HubSpotTimestamp.date(millis))
            return String(
                format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        }
        func text(_ value: String) -> String {
            value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
                .replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\r", with: "")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//BookingBridge//booking page//EN", "BEGIN:VEVENT",
            "UID:\(text(uid))",
            "DTSTAMP:\(stamp(HubSpotTimestamp.iso8601(millis: HubSpotTimestamp.millis(Date()) / 1000 * 1000)))",
            "DTSTART:\(stamp(start))", "DTEND:\(stamp(end))", "SUMMARY:\(text(summary))",
        ]
        if let location, !location.isEmpty { lines.append("LOCATION:\(text(location))") }
        if let url, !url.isEmpty { lines.append("URL:\(text(url))") }
        lines += ["END:VEVENT", "END:VCALENDAR"]
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
