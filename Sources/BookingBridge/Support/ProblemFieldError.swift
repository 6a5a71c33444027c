/// One entry of a problem answer's `errors` list: the input, named as the client named it, and what is wrong with it.
///
/// Written as `Problem.FieldError` in the HTTP layer; a plain value of its own, outside `HTTP/`, so that the parts
/// that check input (intake's readers, subscription validation) report field errors without depending on the HTTP
/// server (the fuzz targets in `Tests/fuzz` build them alone).
public struct ProblemFieldError: Codable, Sendable, Equatable {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
