import BookingBridge
import Foundation
import PostgresNIO
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("the embedded migrations are exactly the files in sql/")
    func embeddedMatchesFiles() throws {
        let sqlDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sql")
        let files = try FileManager.default.contentsOfDirectory(atPath: sqlDirectory.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.count == Migrations.embedded.count, "run scripts/embed-migrations")
        for (file, migration) in zip(files, Migrations.embedded) {
            let text = try String(contentsOf: sqlDirectory.appendingPathComponent(file), encoding: .utf8)
            #expect(file == migration.name + ".sql")
            #expect(
                text.trimmingCharacters(in: .whitespacesAndNewlines)
                    == migration.sql.trimmingCharacters(in: .whitespacesAndNewlines),
                "\(file) differs from its embedded copy: run scripts/embed-migrations")
        }
    }

    @Test("connections start with jit off, unless told not to send it (poolers refuse the parameter)")
    func jitOff() async throws {
        try await TestDatabase.withFreshDatabase(migrate: false) { db, url in
            #expect(try await Self.jit(db) == ["off", "client"])
            let plain = try Database(url: url, maximumConnections: 1, disableJIT: false, logger: db.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await plain.client.run() }
                defer { group.cancelAll() }
                await plain.runStarted()
                let setting = try await Self.jit(plain)
                #expect(setting.count == 2 && setting[1] != "client", "the server's own setting applies: \(setting)")
            }
        }
    }

    @Test("the pool closes connections idle for longer than its idle timeout, and opens one again when asked")
    func idleConnectionsClose() async throws {
        try await TestDatabase.withFreshDatabase(migrate: false, maximumConnections: 1) { db, url in
            let others = try await Self.backends(db)
            let pool = try Database(url: url, maximumConnections: 2, idleTimeout: .seconds(1), logger: db.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await pool.client.run() }
                defer { group.cancelAll() }
                await pool.runStarted()
                for try await _ in try await pool.client.query("SELECT 1", logger: db.logger) {}
                let opened = try await Self.backends(db).subtracting(others)
                #expect(opened.count == 1, "one query, one connection")
                let deadline = ContinuousClock.now + .seconds(15)
                var left = opened
                while !left.isEmpty && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                    left = try await Self.backends(db).intersection(opened)
                }
                #expect(left.isEmpty, "the idle connection is closed after its timeout")
                var answered = 0
                for try await n in try await pool.client.query("SELECT 2", logger: db.logger).decode(Int.self) {
                    answered = n
                }
                #expect(answered == 2)
            }
        }
    }

    /// Client backends connected to the current database, other than the one asking.
    static func backends(_ db: Database) async throws -> Set<Int32> {
        let rows = try await db.client.query(
            """
            SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
            """, logger: db.logger)
        var pids = Set<Int32>()
        for try await pid in rows.decode(Int32.self) { pids.insert(pid) }
        return pids
    }

    /// The session's `jit` value and where it came from (`client` for a startup parameter).
    static func jit(_ db: Database) async throws -> [String] {
        let rows = try await db.client.query(
            "SELECT setting, source FROM pg_settings WHERE name = 'jit'", logger: db.logger)
        for try await (setting, source) in rows.decode((String, String).self) { return [setting, source] }
        return []
    }

    @Test("versions are numbered 1, 2, 3, ... without gaps")
    func versionsAreSequential() {
        #expect(Migrations.embedded.map(\.version) == Array(1...Migrations.embedded.count))
    }

    @Test("an empty database gets the schema; a second run changes nothing")
    func appliesOnceThenNothing() async throws {
        try await TestDatabase.withFreshDatabase(migrate: false) { db, _ in
            let first = try await Migrations().apply(on: db)
            #expect(first.applied.count == Migrations.embedded.count)
            let tables = try await countTables(db)
            let second = try await Migrations().apply(on: db)
            #expect(second.applied.isEmpty)
            #expect(try await countTables(db) == tables)
            #expect(try await Migrations().isCurrent(on: db))
            for table in ["intents", "attempts", "bookings", "schema_migrations"] {
                let exists = try await db.client.query("SELECT to_regclass(\(table)) IS NOT NULL").decode(Bool.self)
                    .first { _ in true }
                #expect(exists == true, "table \(table)")
            }
        }
    }

    @Test("runners started at the same moment all succeed and apply each migration once")
    func concurrentRunners() async throws {
        try await TestDatabase.withFreshDatabase(migrate: false) { db, _ in
            let reports = try await withThrowingTaskGroup(of: Migrations.Report.self) { group in
                for _ in 0..<4 { group.addTask { try await Migrations().apply(on: db) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(reports.count == 4)
            #expect(reports.map(\.applied.count).reduce(0, +) == Migrations.embedded.count)
            let recorded = try await db.client.query("SELECT count(*) FROM schema_migrations").decode(Int.self)
                .first { _ in true }
            #expect(recorded == Migrations.embedded.count)
        }
    }

    @Test("a database with a migration this build does not know is refused")
    func refusesUnknownMigration() async throws {
        try await TestDatabase.withFreshDatabase { db, _ in
            try await db.client.query(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, '999_future', 'x')")
            await #expect(throws: Migrations.Error.self) { try await Migrations().apply(on: db) }
            #expect(
                try await Migrations().isCurrent(on: db), "ahead still serves: readiness stays green during a rollout")
            let partial = Migrations(
                Array(Migrations.embedded) + [Migration(version: 1000, name: "1000_next", sql: "SELECT 1")])
            #expect(
                try await partial.isCurrent(on: db) == false, "a build with a migration not yet applied is not ready")
        }
    }

    private func countTables(_ db: Database) async throws -> Int {
        try await db.client.query(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).decode(Int.self).first { _ in true } ?? 0
    }
}

@Suite("SQL script splitting")
struct SQLScriptTests {
    @Test func splitsOnSemicolons() {
        #expect(
            SQLScript.statements(in: "CREATE TABLE a (x int);\nCREATE TABLE b (y int);") == [
                "CREATE TABLE a (x int)", "CREATE TABLE b (y int)",
            ])
    }

    @Test func keepsSemicolonsInStringsCommentsAndDollarQuotes() {
        let script = """
            -- a comment; with a semicolon
            INSERT INTO t VALUES ('a;b', 'it''s; fine');
            CREATE FUNCTION f() RETURNS int AS $fn$ BEGIN RETURN 1; END; $fn$ LANGUAGE plpgsql;
            SELECT $$x;y$$; /* block; comment */ SELECT "we;ird" FROM t;
            -- trailing comment only
            """
        let statements = SQLScript.statements(in: script)
        #expect(statements.count == 4)
        #expect(statements[0].hasSuffix("VALUES ('a;b', 'it''s; fine')"))
        #expect(statements[1] == "CREATE FUNCTION f() RETURNS int AS $fn$ BEGIN RETURN 1; END; $fn$ LANGUAGE plpgsql")
        #expect(statements[2] == "SELECT $$x;y$$")
        #expect(statements[3] == "/* block; comment */ SELECT \"we;ird\" FROM t")
    }

    @Test func positionalParametersAreNotDollarQuotes() {
        #expect(SQLScript.statements(in: "SELECT $1; SELECT $2;") == ["SELECT $1", "SELECT $2"])
    }
}
