// fuzz-sources: Intake/StartTime.swift
// fuzz-sources: Intake/LocalDateTime.swift
// fuzz-options: -max_len=64

import Foundation

/// Zones with the transitions that matter: none, a one-hour DST, a half-hour DST, a skipped day.
private let zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia"]
    .compactMap(TimeZone.init(identifier:))

/// The start-time reader (`StartTime.parse`, `parseDate`, `parseTime`) and the wall-time resolution in zones with
/// daylight saving: the input is the text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStartTime(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: FuzzInput.bytes(data, size), as: UTF8.self)
    if let date = StartTime.parseDate(text) {
        FuzzInput.require((1...12).contains(date.month) && date.day >= 1 && date.day <= 31, "date \(date)")
    }
    if let time = StartTime.parseTime(text) {
        FuzzInput.require(time.hour < 24 && time.minute < 60 && time.second < 60, "time \(time)")
        FuzzInput.require((0..<1_000_000_000).contains(time.nanosecond), "nanosecond \(time.nanosecond)")
    }
    switch StartTime.parse(text) {
    case .local(let local)?:
        _ = local.description
        for zone in zones {
            switch StartTime.resolve(local, in: zone) {
            case .ambiguous(let earlier, let later):
                FuzzInput.require(earlier < later, "ambiguous \(earlier) not before \(later) in \(zone.identifier)")
            case .unique, .nonexistent: break
            }
        }
    case .instant(let date)?:
        FuzzInput.require(date.timeIntervalSince1970.isFinite, "instant \(date)")
    case nil: break
    }
    return 0
}
