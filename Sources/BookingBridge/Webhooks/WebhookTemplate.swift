import Foundation
import Mustache

/// A subscription's own body: a Mustache template (hummingbird-project/swift-mustache) rendered with the event
/// (`type`, `timestamp`, `data`), sent with the subscription's content type.
///
/// Values are escaped for the content type: for JSON (`application/json` or any `+json`) as the inside of a JSON
/// string, so `"name": "{{data.firstName}}"` stays valid JSON whatever the visitor typed (quotes, backslashes,
/// newlines); for HTML and XML as entities; for `application/x-www-form-urlencoded` percent-encoded; otherwise as
/// they are. `{{{...}}}` leaves a value unescaped, at the template author's risk. A template is checked when a
/// subscription is created or changed (`check`): it must parse, and for a JSON content type render valid JSON for
/// every event type the subscription gets, or the change is refused naming the line.
public struct WebhookTemplate: Sendable {
    public let text: String
    public let contentType: String
    let template: MustacheTemplate

    /// The content type when a subscription sets none.
    public static let defaultContentType = "application/json"
    /// The longest template accepted, in bytes.
    public static let maxBytes = 16 * 1024

    /// How values are escaped.
    enum Escaping: String, Sendable {
        case json = "BOOKINGBRIDGE_JSON"
        case html = "HTML"
        case form = "BOOKINGBRIDGE_FORM"
        case text = "TEXT"

        init(contentType: String) {
            let media = contentType.split(separator: ";").first.map { $0.trimmingWhitespace().lowercased() } ?? ""
            if media == "application/json" || media.hasSuffix("+json") {
                self = .json
            } else if media == "text/html" || media.hasSuffix("xml") {
                self = .html
            } else if media == "application/x-www-form-urlencoded" {
                self = .form
            } else {
                self = .text
            }
        }
    }

    /// Why a template cannot be used.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Parses `text` for `contentType`; throws `Invalid` naming the line and column of a syntax error.
    public init(_ text: String, contentType: String = WebhookTemplate.defaultContentType) throws(Invalid) {
        Self.registerContentTypes
        let escaping = Escaping(contentType: contentType)
        // The pragma sets the escaping; it adds no line, so the parser's line numbers are the template's.
        let pragma = "{{%CONTENT_TYPE: \(escaping.rawValue)}}"
        do {
            template = try MustacheTemplate(string: pragma + text)
        } catch let error as MustacheTemplate.ParserError {
            let column =
                error.context.lineNumber == 1 ? error.context.columnNumber - pragma.count : error.context.columnNumber
            throw Invalid(
                description:
                    "line \(error.context.lineNumber), column \(max(column, 1)): \(Self.explain(error.error)) (in \"\(Self.excerpt(error.context.line.replacingOccurrences(of: pragma, with: "")))\")"
            )
        } catch {
            throw Invalid(description: "\(error)")
        }
        self.text = text
        self.contentType = contentType
    }

    /// True when bodies must be valid JSON.
    public var rendersJSON: Bool { Escaping(contentType: contentType) == .json }

    /// The body for the event whose stored body is `eventBody`.
    public func render(eventBody: String) throws(Invalid) -> String {
        guard let event = try? JSONCoding.decoder.decode(JSONValue.self, from: Data(eventBody.utf8)) else {
            throw Invalid(description: "the event body is not JSON")
        }
        return template.render(Self.mustacheValue(event))
    }

    /// Renders the template for the sample event of every type in `eventTypes` (the subscription's patterns) and,
    /// for a JSON content type, checks each body is JSON; `nil` when all are, or what is wrong and where.
    public func problem(eventTypes: [String]) -> String? {
        guard rendersJSON else { return nil }
        let types = WebhookEventType.all.filter { type in
            eventTypes.contains { WebhookEventType.matches(pattern: $0, type: type) }
        }
        for type in types {
            guard let sample = WebhookSampleEvents.body(for: type), let body = try? render(eventBody: sample) else {
                continue
            }
            if let problem = JSONSyntax.problem(in: body) {
                return
                    "renders invalid JSON for a \(type) event at line \(problem.line) (\"\(Self.excerpt(problem.lineText))\"): \(problem.message)"
            }
        }
        return nil
    }

    /// `value` as swift-mustache reads it: dictionaries, arrays, strings, numbers, booleans (`null` is absent).
    static func mustacheValue(_ value: JSONValue) -> Any {
        switch value {
        case .null: NSNull()
        case .bool(let flag): flag
        case .integer(let number): Int(clamping: number)
        case .number(let number): number
        case .string(let text): text
        case .array(let items): items.map(mustacheValue)
        case .object(let entries): entries.mapValues(mustacheValue)
        }
    }

    private static func explain(_ error: any Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "\(error)" }
        switch error {
        case .sectionCloseNameIncorrect: return "a section is closed with a name it was not opened with"
        case .unfinishedName: return "a tag is not closed (\"}}\" missing or an invalid name)"
        case .expectedSectionEnd: return "a section is never closed ({{/name}} missing)"
        case .invalidSetDelimiter: return "invalid set-delimiter tag"
        case .invalidConfigVariableSyntax, .unrecognisedConfigVariable: return "unsupported {{% ...}} pragma"
        default: return "\(error)"
        }
    }

    static func excerpt(_ line: String) -> String {
        let trimmed = line.trimmingWhitespace()
        return trimmed.count > 80 ? String(trimmed.prefix(80)) + "…" : String(trimmed)
    }

    /// Registers the escapings swift-mustache does not have, once per process.
    private static let registerContentTypes: Void = {
        MustacheContentTypes.register(JSONStringEscaping(), named: Escaping.json.rawValue)
        MustacheContentTypes.register(FormEscaping(), named: Escaping.form.rawValue)
    }()
}
