/// A configuration value that cannot be used; `description` names the key and what was expected.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let key: String
    public let expected: String
    public let found: String?

    public init(key: String, expected: String, found: String? = nil) {
        self.key = key
        self.expected = expected
        self.found = found
    }

    public var description: String {
        if let found { return "invalid configuration: \(key) must be \(expected) (found \(found))" }
        return "invalid configuration: \(key) must be \(expected)"
    }
}
