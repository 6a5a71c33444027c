import Foundation
import Logging
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The bridge's PostgreSQL: a connection pool and the logger its queries report to.
///
/// The pool itself is a `Service`; run `client` in the service group (or call `client.run()` in a task) before
/// issuing queries.
///
/// Every call goes through `withConnection`, `withTransaction`, `query` or `rows`, which never leave their caller
/// waiting on a dead connection (see `DatabaseCall`) and, with a `callTimeout`, answer `DatabaseUnavailable` when
/// the database does not answer in time. Request paths use a copy with a timeout (`withCallTimeout`), so an
/// unreachable database is an answer, not a wait; background loops use none and retry.
public struct Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    /// Whether `rows(_:)` prepares its statements on each connection (see there).
    public let preparesStatements: Bool
    /// How long a call may take, waiting for a connection included; nil: as long as it takes.
    public private(set) var callTimeout: Duration?
    let watch: ConnectionWatch
    /// The keys that seal secrets at rest (subscription secrets, OAuth refresh tokens) in this database.
    public private(set) var secrets: SecretKeyring

    public init(
        client: PostgresClient, preparesStatements: Bool = true, secrets: SecretKeyring = .none, logger: Logger
    ) {
        self.client = client
        self.preparesStatements = preparesStatements
        self.secrets = secrets
        self.logger = logger
        self.callTimeout = nil
        self.watch = ConnectionWatch()
    }

    /// The same pool, with every call bounded by `timeout`.
    public func withCallTimeout(_ timeout: Duration?) -> Database {
        var copy = self
        copy.callTimeout = timeout
        return copy
    }

    /// Runs `body` on a pooled connection (see the type's documentation for how the call is bounded).
    public func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await DatabaseCall.run(on: self, timeout: callTimeout, body)
    }

    /// Runs `body` in a transaction on a pooled connection: committed when it returns, rolled back when it throws.
    /// Errors arrive as PostgresNIO wraps them (`PostgresTransactionError`).
    public func withTransaction<Result: Sendable>(
        logger: Logger? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let logger = logger ?? self.logger
        return try await withConnection { connection in
            try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    /// Runs `query` and returns all of its rows.
    @discardableResult
    public func query(_ query: PostgresQuery, logger: Logger? = nil) async throws -> Rows {
        let logger = logger ?? self.logger
        return try await withConnection { connection in
            var rows: [PostgresRow] = []
            for try await row in try await connection.query(query, logger: logger) { rows.append(row) }
            return Rows(rows: rows)
        }
    }

    /// The same pool, sealing and opening secrets with `secrets`.
    public func with(secrets: SecretKeyring) -> Database {
        var copy = self
        copy.secrets = secrets
        return copy
    }

    /// Runs one of the statements every submission or delivery goes through, and returns its rows.
    ///
    /// With `preparesStatements` each connection parses and plans it once and afterwards only executes it:
    /// planning these statements (CTEs, a lateral join, `unnest`) took as long as running them, about 0.8 ms per
    /// call. Poolers in transaction mode cannot keep a connection's named statements (`pollOnly`), so there the same
    /// text runs as an unnamed statement.
    ///
    /// A statement the server refused to prepare stays refused on that connection (PostgresNIO keeps the error under
    /// its name and answers every later use with it), which would outlast the cause: a migration applied while the
    /// bridge runs, a lock timeout during the prepare. So a server error here runs the call once more unprepared and
    /// moves every statement to a new name (`PreparedStatementNames`), which each connection prepares afresh. A
    /// server error means the statement did not take effect, so running it again is safe.
    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row]
    where Statement.Row: Sendable {
        if preparesStatements {
            do {
                let logger = self.logger
                return try await withConnection { connection in
                    var rows: [Statement.Row] = []
                    for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
                    return rows
                }
            } catch let error as PSQLError where error.serverInfo != nil {
                PreparedStatementNames.renew()
                logger.notice(
                    "a prepared statement failed; running it unprepared and preparing every statement again",
                    metadata: ["statement": "\(Statement.self)", "error": "\(String(reflecting: error))"])
            }
        }
        let query = PostgresQuery(unsafeSQL: Statement.sql, binds: try statement.makeBindings())
        return try await self.query(query).rows.map { try statement.decodeRow($0) }
    }

    /// Gives `client.run()`, just started in a task, a moment to begin before the first query: PostgresNIO logs a
    /// warning when a query finds the pool not running yet (the query still waits for it, so this is only about a
    /// misleading line at every start).
    public func runStarted() async {
        try? await Task.sleep(for: .milliseconds(20))
    }

    /// A pool for the server that `url` names (`postgres://user:password@host:port/database?sslmode=disable`).
    ///
    /// With `disableJIT` (the default) each connection starts with `jit=off`: the claim queries are short, but
    /// their cost estimates (a LIMIT per subscription the planner cannot see through) can pass `jit_above_cost`,
    /// and compiling them then takes tens of milliseconds per query, far more than running them. Connection
    /// poolers in transaction mode refuse unknown startup parameters, so it is left off there (`pollOnly`); see
    /// deploy/SCALING.md for the role setting that does the same.
    ///
    /// Connections idle for `idleTimeout` (10 s) are closed and there are no keep-alive queries. PostgresNIO's
    /// pool arms an idle timer (and a keep-alive timer, when configured) every time a connection goes back to it,
    /// and cancels them at the next lease; on Linux a cancelled `Task.sleep` keeps its task's memory until its
    /// deadline (swiftlang/swift#60441), about 750 bytes per query for as long as the timer would have run. With the
    /// defaults (60 s idle, 30 s keep-alive) a busy bridge grew by tens of MiB and stayed there; with 10 s it levels
    /// off at a few MiB within seconds. Keep-alive queries would only ever run on a connection idle for 30 s, which
    /// is closed after 10. `minimumConnections` stays 0: PostgresNIO 1.33 traps (a precondition in
    /// `createNewDemandConnectionIfPossible`) when connections to a restarting server back off below the minimum,
    /// seen in the resilience suite's pgrestart scenario.
    ///
    /// `prepareStatements` (the default) is for a direct connection to PostgreSQL; see `rows(_:)`.
    public init(
        url: String, maximumConnections: Int = 20, disableJIT: Bool = true, prepareStatements: Bool = true,
        idleTimeout: Duration = .seconds(10), secrets: SecretKeyring = .none, logger: Logger
    ) throws {
        var configuration = try DatabaseURL.parse(url)
        configuration.options.maximumConnections = maximumConnections
        if disableJIT { configuration.options.additionalStartupParameters.append(("jit", "off")) }
        configuration.options.connectionIdleTimeout = idleTimeout
        configuration.options.keepAliveBehavior = nil
        self.init(
            client: PostgresClient(configuration: configuration, backgroundLogger: logger),
            preparesStatements: prepareStatements, secrets: secrets, logger: logger)
    }
}
