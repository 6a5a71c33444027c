import Foundation

/// `POST .../objects/meetings/search`: the spec's `PublicObjectSearchRequest` over the sandbox's meetings.
///
/// Filter groups are OR-ed, the filters of a group AND-ed. `associations.contact` filters by an associated contact's
/// id, as HubSpot's search does. Date-time properties compare as instants and accept epoch milliseconds or ISO 8601;
/// other properties compare as text. Paging is by `after` (an offset, as HubSpot's search cursors are) up to
/// `limit` (at most 200) results; `total` counts every match.
struct SandboxMeetingSearch: Sendable {
    /// The spec's limits: up to 6 filter groups, up to 200 results a page; HubSpot's docs add 6 filters a group.
    static let maximumFilterGroups = 6
    static let maximumFiltersPerGroup = 6
    static let maximumLimit = 200
    static let defaultLimit = 10
    /// HubSpot's search returns at most 10,000 results in all, however it is paged.
    static let maximumResults = 10_000

    static let dateTimeProperties: Set<String> = [
        "hs_meeting_start_time", "hs_meeting_end_time", "hs_createdate", "hs_lastmodifieddate", "hs_timestamp",
    ]
    static let operators: Set<String> = [
        "BETWEEN", "CONTAINS_TOKEN", "EQ", "GT", "GTE", "HAS_PROPERTY", "IN", "LT", "LTE", "NEQ",
        "NOT_CONTAINS_TOKEN", "NOT_HAS_PROPERTY", "NOT_IN",
    ]

    struct Filter: Sendable {
        var propertyName: String
        var op: String
        var value: String?
        var highValue: String?
        var values: [String]
    }

    struct Sort: Sendable {
        var propertyName: String
        var descending: Bool
    }

    var filterGroups: [[Filter]] = []
    var properties: [String] = []
    var sorts: [Sort] = []
    var limit = Self.defaultLimit
    var after = 0

    /// Reads and checks a request body; every problem is a 400 in HubSpot's shape.
    static func decode(_ body: Data) -> Result<SandboxMeetingSearch, SandboxAPIError> {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            return .failure(.invalidInput("the body must be a JSON object (PublicObjectSearchRequest)"))
        }
        var search = SandboxMeetingSearch()
        if let limit = object["limit"] {
            guard let value = limit as? Int, (1...Self.maximumLimit).contains(value) else {
                return .failure(.validation("limit must be an integer from 1 to \(Self.maximumLimit)"))
            }
            search.limit = value
        }
        if let after = object["after"], !(after is NSNull) {
            let text = (after as? String) ?? (after as? Int).map(String.init) ?? ""
            guard text.isEmpty || Int(text).map({ $0 >= 0 }) == true else {
                return .failure(.validation("after must be a paging cursor from paging.next.after"))
            }
            search.after = Int(text) ?? 0
        }
        if let properties = object["properties"] {
            guard let names = properties as? [String] else {
                return .failure(.validation("properties must be a list of property names"))
            }
            search.properties = names
        }
        switch Self.sorts(object["sorts"]) {
        case .success(let sorts): search.sorts = sorts
        case .failure(let error): return .failure(error)
        }
        let groups = object["filterGroups"] as? [Any] ?? []
        guard object["filterGroups"] == nil || object["filterGroups"] is [Any] else {
            return .failure(.validation("filterGroups must be a list of {filters: [...]}"))
        }
        guard groups.count <= Self.maximumFilterGroups else {
            return .failure(.validation("too many filterGroups: at most \(Self.maximumFilterGroups) are allowed"))
        }
        for group in groups {
            guard let filters = (group as? [String: Any])?["filters"] as? [Any] else {
                return .failure(.validation("each filter group must be {filters: [...]}"))
            }
            guard filters.count <= Self.maximumFiltersPerGroup else {
                return .failure(
                    .validation("too many filters in a group: at most \(Self.maximumFiltersPerGroup) are allowed"))
            }
            var parsed: [Filter] = []
            for filter in filters {
                switch Self.filter(filter) {
                case .success(let one): parsed.append(one)
                case .failure(let error): return .failure(error)
                }
            }
            search.filterGroups.append(parsed)
        }
        return .success(search)
    }

    private static func filter(_ raw: Any) -> Result<Filter, SandboxAPIError> {
        guard let raw = raw as? [String: Any], let name = raw["propertyName"] as? String, !name.isEmpty else {
            return .failure(.validation("each filter needs a propertyName"))
        }
        guard let op = raw["operator"] as? String, Self.operators.contains(op) else {
            return .failure(
                .validation(
                    "filter on \(name): operator must be one of \(Self.operators.sorted().joined(separator: ", "))"))
        }
        func text(_ value: Any?) -> String? {
            switch value {
            case let string as String: string
            case let number as NSNumber: number.stringValue
            default: nil
            }
        }
        let filter = Filter(
            propertyName: name, op: op, value: text(raw["value"]), highValue: text(raw["highValue"]),
            values: (raw["values"] as? [Any] ?? []).compactMap(text))
        switch op {
        case "HAS_PROPERTY", "NOT_HAS_PROPERTY": break
        case "IN", "NOT_IN":
            guard !filter.values.isEmpty else { return .failure(.validation("filter on \(name): \(op) needs values")) }
        case "BETWEEN":
            guard filter.value != nil, filter.highValue != nil else {
                return .failure(.validation("filter on \(name): BETWEEN needs value and highValue"))
            }
        default:
            guard filter.value != nil else { return .failure(.validation("filter on \(name): \(op) needs a value")) }
        }
        if Self.dateTimeProperties.contains(name) {
            for value in [filter.value, filter.highValue].compactMap({ $0 }) + filter.values
            where Self.instant(value) == nil {
                return .failure(
                    .validation("filter on \(name): \(value) is not a date-time (epoch milliseconds or ISO 8601)"))
            }
        }
        return .success(filter)
    }

    /// `sorts`: the spec's list of property names (`-name` for descending), or `{propertyName, direction}` objects.
    private static func sorts(_ raw: Any?) -> Result<[Sort], SandboxAPIError> {
        guard let raw, !(raw is NSNull) else { return .success([]) }
        guard let list = raw as? [Any] else { return .failure(.validation("sorts must be a list")) }
        var sorts: [Sort] = []
        for item in list {
            if let name = item as? String, !name.isEmpty {
                sorts.append(
                    name.hasPrefix("-")
                        ? Sort(propertyName: String(name.dropFirst()), descending: true)
                        : Sort(propertyName: name, descending: false))
            } else if let object = item as? [String: Any], let name = object["propertyName"] as? String {
                let direction = (object["direction"] as? String) ?? "ASCENDING"
                guard direction == "ASCENDING" || direction == "DESCENDING" else {
                    return .failure(.validation("sort direction must be ASCENDING or DESCENDING"))
                }
                sorts.append(Sort(propertyName: name, descending: direction == "DESCENDING"))
            } else {
                return .failure(.validation("each sort must be a property name or {propertyName, direction}"))
            }
        }
        guard sorts.count <= 1 else { return .failure(.validation("only one sort is allowed")) }
        return .success(sorts)
    }

    /// Epoch milliseconds or ISO 8601.
    static func instant(_ text: String) -> Int64? {
        Int64(text) ?? SandboxTime.parse(text)
    }

    /// The page of matching meetings this request asks for.
    func page(of meetings: [SandboxCRM.Meeting]) -> SandboxWire.CRMSearchPage {
        var matching = meetings.filter { meeting in
            self.filterGroups.isEmpty
                || self.filterGroups.contains { group in group.allSatisfy { self.matches($0, meeting) } }
        }
        if let sort = self.sorts.first {
            matching.sort { a, b in
                let order = Self.compare(a, b, by: sort.propertyName)
                return sort.descending ? order == .orderedDescending : order == .orderedAscending
            }
        }
        let reachable = Array(matching.prefix(Self.maximumResults))
        let page = Array(reachable.dropFirst(self.after).prefix(self.limit))
        let next = self.after + page.count
        return SandboxWire.CRMSearchPage(
            total: matching.count,
            results: page.map { SandboxWire.meeting($0, properties: self.properties) },
            paging: next < reachable.count ? SandboxWire.Paging(next: .init(after: String(next))) : nil)
    }

    private static func compare(
        _ a: SandboxCRM.Meeting, _ b: SandboxCRM.Meeting, by name: String
    )
        -> ComparisonResult
    {
        let x = a.properties[name] ?? ""
        let y = b.properties[name] ?? ""
        if Self.dateTimeProperties.contains(name) || name == "hs_object_id" {
            let p = Self.instant(x) ?? Int64(x) ?? 0
            let q = Self.instant(y) ?? Int64(y) ?? 0
            return p < q ? .orderedAscending : p > q ? .orderedDescending : .orderedSame
        }
        return x.compare(y)
    }

    private func matches(_ filter: Filter, _ meeting: SandboxCRM.Meeting) -> Bool {
        let actual: String? =
            filter.propertyName == "associations.contact" ? meeting.contactId : meeting.properties[filter.propertyName]
        switch filter.op {
        case "HAS_PROPERTY": return actual != nil
        case "NOT_HAS_PROPERTY": return actual == nil
        default: break
        }
        guard let actual else { return filter.op == "NEQ" || filter.op == "NOT_IN" }
        let isTime = Self.dateTimeProperties.contains(filter.propertyName)
        let isNumber = filter.propertyName == "hs_object_id" || filter.propertyName == "associations.contact"
        func order(_ other: String) -> ComparisonResult {
            if isTime, let a = Self.instant(actual), let b = Self.instant(other) {
                return a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
            }
            if isNumber, let a = Int64(actual), let b = Int64(other) {
                return a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
            }
            return actual.lowercased().compare(other.lowercased())
        }
        let value = filter.value ?? ""
        switch filter.op {
        case "EQ": return order(value) == .orderedSame
        case "NEQ": return order(value) != .orderedSame
        case "GT": return order(value) == .orderedDescending
        case "GTE": return order(value) != .orderedAscending
        case "LT": return order(value) == .orderedAscending
        case "LTE": return order(value) != .orderedDescending
        case "BETWEEN": return order(value) != .orderedAscending && order(filter.highValue ?? "") != .orderedDescending
        case "IN": return filter.values.contains { order($0) == .orderedSame }
        case "NOT_IN": return !filter.values.contains { order($0) == .orderedSame }
        case "CONTAINS_TOKEN": return actual.lowercased().contains(value.lowercased())
        case "NOT_CONTAINS_TOKEN": return !actual.lowercased().contains(value.lowercased())
        default: return false
        }
    }
}
