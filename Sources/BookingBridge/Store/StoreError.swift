import Foundation
import Logging
import PostgresNIO

/// A store invariant that did not hold.
public struct StoreError: Error, CustomStringConvertible {
    public let description: String
}
