import Foundation
import Logging
import PostgresNIO

/// Why an erasure was refused.
public struct ForgetError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable {
        fileprivate enum Value: Sendable, Hashable { case emptyAddress }
        fileprivate let value: Value
        /// The address is empty.
        public static let emptyAddress = Code(value: .emptyAddress)
    }

    public let code: Code

    init(_ code: Code) { self.code = code }

    public var description: String {
        switch code.value {
        case .emptyAddress: "an e-mail address is required"
        }
    }
}
