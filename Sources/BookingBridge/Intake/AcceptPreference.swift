import Crypto
import Foundation
import HTTPTypes

/// Content negotiation for the success answer.
enum AcceptPreference {
    /// Whether `Accept` ranks `text/html` above `application/json`, as a browser's form navigation does.
    static func prefersHTML(_ accept: String?) -> Bool {
        guard let accept else { return false }
        let ranges = accept.split(separator: ",").compactMap { part -> (type: String, subtype: String, q: Double)? in
            guard let header = HeaderValue(parsing: part) else { return nil }
            let pieces = header.value.split(separator: "/", maxSplits: 1)
            guard pieces.count == 2 else { return nil }
            let q = header.parameters["q"].flatMap(Double.init) ?? 1
            return (String(pieces[0]), String(pieces[1]), min(max(q, 0), 1))
        }
        func quality(_ type: String, _ subtype: String) -> Double {
            if let exact = ranges.first(where: { $0.type == type && $0.subtype == subtype }) { return exact.q }
            if let partial = ranges.first(where: { $0.type == type && $0.subtype == "*" }) { return partial.q }
            return ranges.first(where: { $0.type == "*" && $0.subtype == "*" })?.q ?? 0
        }
        let html = quality("text", "html")
        return html > 0 && html > quality("application", "json")
    }
}
