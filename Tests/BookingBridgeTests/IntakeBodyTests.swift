import Foundation
import Testing

@testable import BookingBridge

@Suite("Intake body decoding")
struct IntakeBodyTests {
    func decode(_ contentType: String?, _ body: String) throws(IntakeError) -> FormBody {
        try FormBody.decode(contentType: contentType, body: Array(body.utf8))
    }

    func code(_ contentType: String?, _ body: [UInt8]) -> IntakeError.Code? {
        do {
            _ = try FormBody.decode(contentType: contentType, body: body)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func jsonObjectBecomesTextFields() throws {
        let body = try decode(
            "application/json; charset=utf-8",
            #"{"email":"a@b.org","n":30,"ms":1767258000000,"ok":true,"x":null,"guests":["c@d.org","e@f.org"],"nested":{"b":1,"a":[1,2]},"f":1.5}"#
        )
        #expect(body.kind == .json)
        #expect(body.mediaType == "application/json")
        #expect(body.fields["email"] == "a@b.org")
        #expect(body.fields["n"] == "30")
        #expect(body.fields["ms"] == "1767258000000")
        #expect(body.fields["ok"] == "true")
        #expect(body.fields["x"] == nil)
        #expect(body.fields["guests"] == "c@d.org, e@f.org")
        #expect(body.fields["nested"] == #"{"a":[1,2],"b":1}"#)
        #expect(body.fields["f"] == "1.5")
    }

    @Test func jsonThatIsNotAnObjectIsMalformed() {
        #expect(code("application/json", Array("[1,2]".utf8)) == .malformed)
        #expect(code("application/json", Array("{\"a\":".utf8)) == .malformed)
        #expect(code("application/json", [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]) == .malformed)
        #expect(
            code(
                "application/json",
                Array((String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).utf8)) == .malformed)
        #expect(code("application/json", []) == .malformed)
    }

    @Test func jsonKeepsNULForValidationToRefuse() throws {
        let body = try decode("application/json", #"{"email":"a\u0000b"}"#)
        #expect(body.fields["email"] == "a\u{0}b")
    }

    @Test func vendorJSONIsJSON() throws {
        #expect(try decode("application/vnd.typeform+json", #"{"a":"b"}"#).fields == ["a": "b"])
    }

    @Test func urlEncodedAsBrowsersSendIt() throws {
        let body = try decode(
            "application/x-www-form-urlencoded",
            "email=a%40b.org&name=J%C3%BCrgen+M%C3%BCller&guests=x%40y.org&guests=z%40y.org&empty=&flag&=skipped")
        #expect(body.kind == .urlEncoded)
        #expect(body.fields["email"] == "a@b.org")
        #expect(body.fields["name"] == "Jürgen Müller")
        #expect(body.fields["guests"] == "x@y.org, z@y.org")
        #expect(body.fields["empty"] == "")
        #expect(body.fields["flag"] == "")
        #expect(body.fields.count == 5)
    }

    @Test func urlEncodedBadEscapesAndBytes() {
        #expect(code("application/x-www-form-urlencoded", Array("a=%4".utf8)) == .malformed)
        #expect(code("application/x-www-form-urlencoded", Array("a=%zz".utf8)) == .malformed)
        #expect(code("application/x-www-form-urlencoded", Array("a=%FF%FE".utf8)) == .malformed)
        #expect(code("application/x-www-form-urlencoded", [0x61, 0x3D, 0xC3]) == .malformed)
    }

    @Test func tooManyFieldsIsInvalid() {
        let body = (0...FormBody.Builder.maximumFields).map { "f\($0)=1" }.joined(separator: "&")
        #expect(code("application/x-www-form-urlencoded", Array(body.utf8)) == .invalid)
    }

    static func multipart(
        _ parts: [(headers: String, content: String)], boundary: String = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    ) -> String {
        var text = "preamble to ignore\r\n"
        for part in parts { text += "--\(boundary)\r\n\(part.headers)\r\n\r\n\(part.content)\r\n" }
        return text + "--\(boundary)--\r\nepilogue"
    }

    @Test func multipartTextFields() throws {
        let text = Self.multipart([
            ("Content-Disposition: form-data; name=\"email\"", "a@b.org"),
            (
                "content-disposition: form-data; name=\"message\"\r\nContent-Type: text/plain; charset=UTF-8",
                "line one\r\nline two"
            ),
            (
                "Content-Disposition: form-data; name=\"upload\"; filename=\"\"\r\nContent-Type: application/octet-stream",
                ""
            ),
            ("Content-Disposition: form-data; name=\"quoted \\\"name\\\"\"", "v"),
        ])
        let body = try decode("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", text)
        #expect(body.kind == .multipart)
        #expect(body.fields == ["email": "a@b.org", "message": "line one\r\nline two", "quoted \"name\"": "v"])
    }

    @Test func multipartRefusesFilesAndOtherCharsets() {
        let file = Self.multipart(
            [("Content-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"", "%PDF")], boundary: "b")
        #expect(code("multipart/form-data; boundary=b", Array(file.utf8)) == .unsupportedMediaType)
        let latin1 = Self.multipart(
            [("Content-Disposition: form-data; name=\"a\"\r\nContent-Type: text/plain; charset=iso-8859-1", "x")],
            boundary: "b")
        #expect(code("multipart/form-data; boundary=b", Array(latin1.utf8)) == .unsupportedMediaType)
    }

    @Test func multipartMalformed() {
        let type = "multipart/form-data; boundary=b"
        #expect(code("multipart/form-data", Array("x".utf8)) == .malformed)
        #expect(code(type, Array("no boundary at all".utf8)) == .malformed)
        #expect(
            code(type, Array("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated".utf8))
                == .malformed)
        #expect(code(type, Array("--b\r\nContent-Disposition: attachment\r\n\r\nx\r\n--b--".utf8)) == .malformed)
        #expect(code(type, Array("--b\r\nno colon here\r\n\r\nx\r\n--b--".utf8)) == .malformed)
        #expect(code(type, Array("--bX\r\n".utf8)) == .malformed)
    }

    @Test func unsupportedMediaTypes() {
        #expect(code(nil, Array("a=b".utf8)) == .unsupportedMediaType)
        #expect(code("", Array("a=b".utf8)) == .unsupportedMediaType)
        #expect(code("text/plain", Array("a=b".utf8)) == .unsupportedMediaType)
        #expect(code("application/xml", Array("<a/>".utf8)) == .unsupportedMediaType)
        #expect(code("application/json; charset=latin1", Array("{}".utf8)) == .unsupportedMediaType)
    }

    @Test func headerValues() throws {
        let type = try #require(HeaderValue(parsing: "Multipart/Form-Data; Boundary=\"a b;c\" ; charset=utf-8"))
        #expect(type.value == "multipart/form-data")
        #expect(type.parameters == ["boundary": "a b;c", "charset": "utf-8"])
        #expect(HeaderValue(parsing: "text/plain; x=\"unterminated") == nil)
        #expect(HeaderValue(parsing: "text/plain; novalue") == nil)
    }
}
