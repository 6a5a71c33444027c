import Foundation

/// Problems with several fields, as a `Result`'s failure.
public struct FieldProblems: Error, Sendable, Equatable {
    public var errors: [ProblemFieldError]
    public init(_ errors: [ProblemFieldError]) { self.errors = errors }
}
