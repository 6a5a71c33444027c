import Foundation
import Mustache

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
