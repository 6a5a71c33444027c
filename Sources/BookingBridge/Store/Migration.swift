import Crypto
import Foundation
import Logging
import PostgresNIO

/// One numbered schema change from `sql/NNN_name.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// SHA-256 of the script, recorded when applied so a later edit of an applied file is noticed.
    public var checksum: String {
        Hex.string(SHA256.hash(data: Data(sql.utf8)))
    }
}
