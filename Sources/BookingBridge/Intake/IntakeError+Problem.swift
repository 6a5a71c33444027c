import HTTPTypes

extension IntakeError {
    /// The answer, with `extraHeaders` (CORS) added.
    public func problem(extraHeaders: HTTPFields = [:]) -> Problem {
        var headers = extraHeaders
        headers.append(contentsOf: self.headers)
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Problem(status, detail: detail, errors: fieldErrors, headers: headers)
    }
}
