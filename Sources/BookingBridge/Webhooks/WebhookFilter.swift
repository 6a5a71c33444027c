import Foundation

/// A subscription's payload filter: conditions on the event, all of which must hold for the subscription to get
/// a delivery of it.
///
/// Written as a JSON object from a path to a condition: `{"data.source": "website", "data.status": ["booked",
/// "offline"], "data.durationMinutes": {"gte": 30}, "data.booking.webConferenceUrl": {"exists": true}}`: a value is
/// equality, a list is one of, an object is `gte` / `lte` (numbers, or texts such as ISO 8601 times) and `exists`.
/// Paths name fields the bridge's events carry (`knownPaths`), so a typo is refused instead of silently matching
/// nothing. The outbox checks the filter in SQL as a jsonpath predicate (`jsonPath`) when it writes the event, so
/// an event filtered out makes no delivery at all. A path missing from an event fails every condition but
/// `{"exists": false}`.
public struct WebhookFilter: Sendable, Equatable, Codable {
    /// One condition on one path.
    public enum Condition: Sendable, Equatable {
        case equals(Scalar)
        case oneOf([Scalar])
        case range(gte: Scalar?, lte: Scalar?)
        case exists(Bool)
    }

    /// A value a condition compares with.
    public enum Scalar: Sendable, Equatable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
    }

    /// The conditions, sorted by path.
    public var conditions: [(path: String, condition: Condition)]

    public static func == (a: WebhookFilter, b: WebhookFilter) -> Bool {
        a.conditions.elementsEqual(b.conditions) { $0.path == $1.path && $0.condition == $1.condition }
    }

    /// Every path a filter may name: the envelope's `type` and `timestamp` and each field of the events' `data`
    /// (booking events and `subscription.disabled`, see docs/webhooks.md).
    public static let knownPaths: Set<String> = {
        let booking = [
            "intentId", "source", "status", "slug", "startTime", "durationMinutes", "timezone", "email", "firstName",
            "lastName", "attempts", "booking", "reason",
        ]
        let bookingDetails = [
            "calendarEventId", "contactId", "start", "end", "durationMinutes", "subject", "bookingTimezone",
            "isOffline", "location", "webConferenceUrl", "resolvedBy",
        ].map { "booking.\($0)" }
        let reason = [
            "origin", "message", "httpStatus", "category", "subCategory", "correlationId", "suggestedStartTimes",
        ].map { "reason.\($0)" }
        let disabled = [
            "subscriptionId", "url", "description", "reason", "disabledAt", "failingSince", "lastStatusCode",
            "lastError",
        ]
        return Set(["type", "timestamp"] + (booking + bookingDetails + reason + disabled).map { "data.\($0)" })
    }()

    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        switch Self.parse(json) {
        case .success(let filter): self = filter
        case .failure(let problems):
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: problems.errors.map(\.message).joined(separator: "; ")))
        }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    init(conditions: [(path: String, condition: Condition)]) { self.conditions = conditions }

    /// The most conditions one filter may have.
    public static let maxConditions = 20

    /// Reads a filter, or every problem with it as `(field, message)` (`field` under `fieldName`, such as
    /// `filter["data.source"]`).
    static func parse(_ json: JSONValue, fieldName: String = "filter") -> Result<WebhookFilter, FieldProblems> {
        guard case .object(let entries) = json else {
            return .failure(
                FieldProblems([.init(field: fieldName, message: "must be an object of conditions, or null")]))
        }
        guard !entries.isEmpty else {
            return .failure(
                FieldProblems([.init(field: fieldName, message: "must have at least one condition, or be null")]))
        }
        guard entries.count <= maxConditions else {
            return .failure(FieldProblems([.init(field: fieldName, message: "at most \(maxConditions) conditions")]))
        }
        var problems: [ProblemFieldError] = []
        var conditions: [(path: String, condition: Condition)] = []
        for (path, value) in entries.sorted(by: { $0.key < $1.key }) {
            let field = "\(fieldName)[\"\(path)\"]"
            guard knownPaths.contains(path) else {
                problems.append(
                    .init(
                        field: field,
                        message:
                            "unknown path \"\(path)\"; use type, timestamp or a field of the event's data such as data.source, data.status, data.durationMinutes, data.booking.isOffline"
                    ))
                continue
            }
            switch condition(value) {
            case .success(let condition): conditions.append((path, condition))
            case .failure(let failure): problems.append(.init(field: field, message: failure.message))
            }
        }
        return problems.isEmpty ? .success(WebhookFilter(conditions: conditions)) : .failure(FieldProblems(problems))
    }

    private struct Refusal: Error {
        var message: String
    }

    private static func condition(_ value: JSONValue) -> Result<Condition, Refusal> {
        switch value {
        case .array(let items):
            guard !items.isEmpty, items.count <= 100 else {
                return .failure(Refusal(message: "a list must have 1 to 100 values"))
            }
            let scalars = items.compactMap(scalar)
            guard scalars.count == items.count else {
                return .failure(Refusal(message: "a list must hold plain values"))
            }
            return .success(.oneOf(scalars))
        case .object(let operators):
            let known: Set<String> = ["gte", "lte", "exists"]
            if let unknown = operators.keys.sorted().first(where: { !known.contains($0) }) {
                return .failure(Refusal(message: "unknown operator \"\(unknown)\"; use gte, lte or exists"))
            }
            if let exists = operators["exists"] {
                guard operators.count == 1, case .bool(let flag) = exists else {
                    return .failure(Refusal(message: "exists takes true or false, alone"))
                }
                return .success(.exists(flag))
            }
            var bounds: [String: Scalar] = [:]
            for (name, bound) in operators {
                switch bound {
                case .integer, .number, .string: bounds[name] = scalar(bound)
                default: return .failure(Refusal(message: "\(name) takes a number or a text"))
                }
            }
            guard !bounds.isEmpty else { return .failure(Refusal(message: "say gte, lte or exists")) }
            return .success(.range(gte: bounds["gte"], lte: bounds["lte"]))
        default:
            guard let scalar = scalar(value) else {
                return .failure(Refusal(message: "must be a value, a list or an operator object"))
            }
            return .success(.equals(scalar))
        }
    }

    private static func scalar(_ value: JSONValue) -> Scalar? {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .integer(let number): .number(Double(number))
        case .number(let number): number.isFinite ? .number(number) : nil
        case .string(let text): text.unicodeScalars.contains("\u{0}") ? nil : .string(text)
        case .array, .object: nil
        }
    }

    /// The filter as the operator wrote it (for `filter` in the admin API and the `filter` column).
    var json: JSONValue {
        func value(_ scalar: Scalar) -> JSONValue {
            switch scalar {
            case .string(let text): .string(text)
            case .number(let number):
                number.rounded() == number && abs(number) < 1e15 ? .integer(Int64(number)) : .number(number)
            case .bool(let flag): .bool(flag)
            case .null: .null
            }
        }
        var object: [String: JSONValue] = [:]
        for (path, condition) in conditions {
            switch condition {
            case .equals(let scalar): object[path] = value(scalar)
            case .oneOf(let scalars): object[path] = .array(scalars.map(value))
            case .exists(let flag): object[path] = .object(["exists": .bool(flag)])
            case .range(let gte, let lte):
                var bounds: [String: JSONValue] = [:]
                if let gte { bounds["gte"] = value(gte) }
                if let lte { bounds["lte"] = value(lte) }
                object[path] = .object(bounds)
            }
        }
        return .object(object)
    }

    /// The filter's JSON text, keys sorted.
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(json)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The conditions as one jsonpath predicate over the event body: `$ ? (@."data"."source" == "website" && ...)`.
    ///
    /// Paths come from `knownPaths` and values are written as jsonpath literals (strings JSON-escaped, which
    /// jsonpath reads the same way), so no input can change the predicate's structure.
    public var jsonPath: String {
        func path(_ dotted: String) -> String {
            "@" + dotted.split(separator: ".").map { "." + Self.literal(.string(String($0))) }.joined()
        }
        let parts = conditions.map { dotted, condition -> String in
            let at = path(dotted)
            switch condition {
            case .equals(let value): return "\(at) == \(Self.literal(value))"
            case .oneOf(let values):
                return "(" + values.map { "\(at) == \(Self.literal($0))" }.joined(separator: " || ") + ")"
            case .exists(let flag): return flag ? "exists(\(at))" : "!exists(\(at))"
            case .range(let gte, let lte):
                var bounds: [String] = []
                if let gte { bounds.append("\(at) >= \(Self.literal(gte))") }
                if let lte { bounds.append("\(at) <= \(Self.literal(lte))") }
                return bounds.joined(separator: " && ")
            }
        }
        return "$ ? (" + parts.joined(separator: " && ") + ")"
    }

    /// A filter from the `filter` column's text (written by `jsonText`); `nil` when it does not read.
    init?(storedText: String) {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(storedText.utf8)),
            case .success(let filter) = Self.parse(json)
        else { return nil }
        self = filter
    }

    static func literal(_ scalar: Scalar) -> String {
        switch scalar {
        case .string(let text):
            let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
            return String(decoding: data, as: UTF8.self)
        case .number(let number):
            if number.rounded() == number && abs(number) < 1e15 { return String(Int64(number)) }
            return "\(number)"
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        }
    }
}
