import Foundation
import Logging
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The names of the bridge's prepared statements: a base name and a generation, renewed when one fails on the
/// server (see `Database.rows`).
enum PreparedStatementNames {
    private static let generation = Atomic<Int>(0)

    static func name(_ base: String) -> String { "\(base)_\(generation.load(ordering: .relaxed))" }

    static func renew() { generation.add(1, ordering: .relaxed) }
}
