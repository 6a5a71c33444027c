/// Reads a `multipart/form-data` body (RFC 7578) of text fields. A file part with content is refused (415); the
/// empty file part that browsers send for an unused file input is skipped.
enum MultipartForm {
    private static let crlf: [UInt8] = [13, 10]

    static func decode(_ body: [UInt8], boundary: String) throws(IntakeError) -> [String: String] {
        let delimiter = Array("--\(boundary)".utf8)
        let lineDelimiter = crlf + delimiter
        var position: Int
        if body.starts(with: delimiter) {
            position = 0
        } else if let found = search(lineDelimiter, in: body, from: 0) {
            position = found + 2
        } else {
            throw malformed("the multipart body has no boundary line")
        }
        var builder = FormBody.Builder()
        while true {
            position += delimiter.count
            if body.count >= position + 2, body[position] == UInt8(ascii: "-"), body[position + 1] == UInt8(ascii: "-")
            {
                return builder.fields
            }
            while position < body.count, body[position] == UInt8(ascii: " ") || body[position] == UInt8(ascii: "\t") {
                position += 1
            }
            guard body.count >= position + 2, body[position] == 13, body[position + 1] == 10 else {
                throw malformed("a multipart boundary line must end with CRLF")
            }
            position += 2
            let headerBytes: ArraySlice<UInt8>
            let contentStart: Int
            if body.count >= position + 2, body[position] == 13, body[position + 1] == 10 {
                headerBytes = []
                contentStart = position + 2
            } else {
                guard let end = search(crlf + crlf, in: body, from: position) else {
                    throw malformed("a multipart part's headers do not end")
                }
                headerBytes = body[position..<end]
                contentStart = end + 4
            }
            guard let contentEnd = search(lineDelimiter, in: body, from: contentStart) else {
                throw malformed("a multipart part does not end with the boundary")
            }
            try add(headers: headerBytes, content: body[contentStart..<contentEnd], to: &builder)
            position = contentEnd + 2
        }
    }

    private static func add(
        headers: ArraySlice<UInt8>, content: ArraySlice<UInt8>, to builder: inout FormBody.Builder
    ) throws(IntakeError) {
        var disposition: HeaderValue?
        for line in try FormBody.utf8(headers, what: "a multipart header").split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { throw malformed("a multipart header line has no colon") }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...]
            switch name {
            case "content-disposition":
                disposition = HeaderValue(parsing: value)
                guard disposition != nil else { throw malformed("a multipart Content-Disposition cannot be read") }
            case "content-type":
                guard let type = HeaderValue(parsing: value) else {
                    throw malformed("a multipart part's Content-Type cannot be read")
                }
                if let charset = type.parameters["charset"]?.lowercased(),
                    !["utf-8", "utf8", "us-ascii"].contains(charset)
                {
                    throw IntakeError(.unsupportedMediaType, "only UTF-8 fields are accepted, not charset \(charset)")
                }
            default:
                continue
            }
        }
        guard let disposition, disposition.value == "form-data", let name = disposition.parameters["name"] else {
            throw malformed("each multipart part needs Content-Disposition: form-data; name=\"...\"")
        }
        if disposition.parameters["filename"] != nil {
            guard content.isEmpty else {
                throw IntakeError(.unsupportedMediaType, "file uploads are not accepted (field \(name))")
            }
            return
        }
        guard !name.isEmpty, name != "_charset_" else { return }
        try builder.add(name, try FormBody.utf8(content, what: "the value of \(name)"))
    }

    /// The index where `needle` first occurs in `haystack` at or after `start`.
    static func search(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    private static func malformed(_ detail: String) -> IntakeError { IntakeError(.malformed, detail) }
}
