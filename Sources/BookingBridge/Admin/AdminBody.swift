import Foundation
import Hummingbird
import NIOCore

/// Reading JSON bodies of admin requests, with a 400/422 problem instead of a bare decoding error.
enum AdminBody {
    static let maxBytes = 64 * 1024

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, allowEmpty: Bool = false) async throws -> T?
    {
        let buffer = try await request.body.collect(upTo: maxBytes)
        if buffer.readableBytes == 0 {
            if allowEmpty { return nil }
            throw Problem(.badRequest, detail: "send a JSON object as the request body")
        }
        do {
            return try JSONCoding.decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.typeMismatch(_, context) {
            throw Problem(
                .unprocessableContent, detail: "a field has the wrong type",
                errors: [.init(field: path(context.codingPath), message: "has the wrong type")])
        } catch let DecodingError.valueNotFound(_, context) {
            throw Problem(
                .unprocessableContent, detail: "a field is null",
                errors: [.init(field: path(context.codingPath), message: "must not be null")])
        } catch {
            throw Problem(.badRequest, detail: "the body is not valid JSON")
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }
}
