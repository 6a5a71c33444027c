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

/// Escapes a value as the inside of a JSON string.
struct JSONStringEscaping: MustacheContentType {
    func escapeText(_ text: String) -> String { JSONStringEscaping.escape(text) }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

/// Percent-encodes a value for `application/x-www-form-urlencoded`.
struct FormEscaping: MustacheContentType {
    func escapeText(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// Where a text stops being JSON, for a message a person can act on (Foundation's parser says only "invalid").
enum JSONSyntax {
    struct Problem: Equatable {
        var line: Int
        var lineText: String
        var message: String
    }

    static func problem(in text: String) -> Problem? {
        let bytes = Array(text.utf8)
        var parser = Parser(bytes: bytes)
        do {
            parser.skipSpace()
            try parser.value(depth: 0)
            parser.skipSpace()
            if parser.index < bytes.count { throw Parser.Failure(message: "unexpected text after the JSON value") }
            return nil
        } catch {
            let message = (error as? Parser.Failure)?.message ?? "invalid JSON"
            let upTo = bytes[..<min(parser.index, bytes.count)]
            let line = upTo.reduce(1) { $0 + ($1 == 10 ? 1 : 0) }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let lineText = line - 1 < lines.count ? String(lines[line - 1]) : ""
            return Problem(line: line, lineText: lineText, message: message)
        }
    }

    private struct Parser {
        struct Failure: Error { var message: String }
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { index += 1 }
        }

        mutating func expect(_ literal: String) throws(Failure) {
            for byte in literal.utf8 {
                guard current == byte else { throw Failure(message: "expected \(literal)") }
                index += 1
            }
        }

        mutating func value(depth: Int) throws(Failure) {
            guard depth < 64 else { throw Failure(message: "nested too deeply") }
            switch current {
            case UInt8(ascii: "{"):
                index += 1
                skipSpace()
                if current == UInt8(ascii: "}") {
                    index += 1
                    return
                }
                while true {
                    skipSpace()
                    guard current == UInt8(ascii: "\"") else { throw Failure(message: "expected a quoted key") }
                    try string()
                    skipSpace()
                    guard current == UInt8(ascii: ":") else { throw Failure(message: "expected : after a key") }
                    index += 1
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    if current == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard current == UInt8(ascii: "}") else { throw Failure(message: "expected , or } in an object") }
                    index += 1
                    return
                }
            case UInt8(ascii: "["):
                index += 1
                skipSpace()
                if current == UInt8(ascii: "]") {
                    index += 1
                    return
                }
                while true {
                    skipSpace()
                    try value(depth: depth + 1)
                    skipSpace()
                    if current == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard current == UInt8(ascii: "]") else { throw Failure(message: "expected , or ] in a list") }
                    index += 1
                    return
                }
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try expect("true")
            case UInt8(ascii: "f"): try expect("false")
            case UInt8(ascii: "n"): try expect("null")
            case .some(let c) where c == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c):
                try number()
            case nil: throw Failure(message: "the body ends where a value is expected")
            default: throw Failure(message: "expected a value")
            }
        }

        mutating func string() throws(Failure) {
            index += 1
            while let c = current {
                switch c {
                case UInt8(ascii: "\""):
                    index += 1
                    return
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let e = current else { break }
                    if e == UInt8(ascii: "u") {
                        for _ in 0..<4 {
                            index += 1
                            guard let h = current, (h >= 48 && h <= 57) || (h | 0x20 >= 97 && h | 0x20 <= 102) else {
                                throw Failure(message: "invalid \\u escape in a string")
                            }
                        }
                    } else if !"\"\\/bfnrt".utf8.contains(e) {
                        throw Failure(message: "invalid escape in a string")
                    }
                    index += 1
                case 0..<0x20:
                    throw Failure(message: "a line break or control character inside a string (escape it)")
                default:
                    index += 1
                }
            }
            throw Failure(message: "a string is never closed")
        }

        mutating func number() throws(Failure) {
            if current == UInt8(ascii: "-") { index += 1 }
            var digits = 0
            while let c = current, (48...57).contains(c) {
                index += 1
                digits += 1
            }
            guard digits > 0 else { throw Failure(message: "invalid number") }
            if current == UInt8(ascii: ".") {
                index += 1
                var fraction = 0
                while let c = current, (48...57).contains(c) {
                    index += 1
                    fraction += 1
                }
                guard fraction > 0 else { throw Failure(message: "invalid number") }
            }
            if let c = current, c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                index += 1
                if let s = current, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { index += 1 }
                var exponent = 0
                while let c = current, (48...57).contains(c) {
                    index += 1
                    exponent += 1
                }
                guard exponent > 0 else { throw Failure(message: "invalid number") }
            }
        }
    }
}
