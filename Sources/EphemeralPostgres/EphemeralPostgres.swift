import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A throwaway PostgreSQL cluster for development and tests.
///
/// `start()` runs `initdb` and `pg_ctl` from the installed PostgreSQL in a new temporary folder, on a free loopback
/// port, with trust authentication for the `postgres` superuser. PostgreSQL refuses to run as root, so as root the
/// cluster belongs to the `postgres` system user. A small watchdog process removes the cluster when the process that
/// started it ends for any reason (normal exit, error, Ctrl-C, kill -9); `stop()` does the same at once.
public final class EphemeralPostgres: Sendable {
    /// Why a cluster could not be started; `description` is one line meant for a person.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Settings for a new cluster.
    public struct Options: Sendable {
        /// Durable clusters keep `fsync` on (benchmarks); the default turns it off, which tests don't need.
        public var durable: Bool = false
        public var maxConnections: Int = 300
        /// Extra `-c name=value` settings.
        public var settings: [String: String] = [:]
        public init() {}
    }

    public let port: Int
    /// The temporary folder that holds the data directory, socket and log.
    public let directory: String
    private let binDirectory: String
    private let runAsPostgresUser: Bool
    private let logger: Logger
    /// The `pg_ctl -o` options the server was started with, to start it again after `stopServer()`.
    private let serverOptions: String

    /// A libpq-style URL for the cluster's `postgres` database.
    public var url: String { url(database: "postgres") }

    public func url(database: String) -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    private init(
        port: Int, directory: String, binDirectory: String, runAsPostgresUser: Bool, serverOptions: String,
        logger: Logger
    ) {
        self.serverOptions = serverOptions
        self.port = port
        self.directory = directory
        self.binDirectory = binDirectory
        self.runAsPostgresUser = runAsPostgresUser
        self.logger = logger
    }

    /// Creates and starts a cluster; throws a `StartError` with a clear reason when PostgreSQL is missing or fails.
    public static func start(
        options: Options = .init(), logger: Logger = Logger(label: "ephemeral-postgres")
    )
        throws -> EphemeralPostgres
    {
        let binDirectory = try findBinDirectory()
        let asRoot = geteuid() == 0
        var template = Array("/tmp/bookingbridge-pg-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw StartError(description: "could not create a temporary folder for PostgreSQL: \(errnoText())")
        }
        let directory = String(cString: created)
        chmod(directory, 0o755)
        if asRoot {
            guard let postgresUser = getpwnam("postgres") else {
                try? FileManager.default.removeItem(atPath: directory)
                throw StartError(
                    description: "running as root needs the 'postgres' system user: apt-get install -y postgresql")
            }
            chown(directory, postgresUser.pointee.pw_uid, postgresUser.pointee.pw_gid)
        }
        do {
            let initdb = try run(
                binDirectory + "/initdb",
                ["-D", directory + "/data", "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                asPostgres: asRoot)
            guard initdb.status == 0 else {
                throw StartError(description: "initdb failed: \(initdb.output.lastLines(5))")
            }
            var lastError = ""
            for _ in 0..<5 {
                let port = try freePort()
                var settings: [String: String] = [
                    "listen_addresses": "127.0.0.1",
                    "unix_socket_directories": directory,
                    "max_connections": "\(options.maxConnections)",
                ]
                if !options.durable {
                    settings["fsync"] = "off"
                    settings["full_page_writes"] = "off"
                    settings["synchronous_commit"] = "off"
                }
                settings.merge(options.settings) { _, new in new }
                let serverOptions =
                    (["-p", "\(port)"]
                    + settings.sorted { $0.key < $1.key }.flatMap { ["-c", "\($0.key)=\($0.value)"] })
                    .joined(separator: " ")
                let started = try run(
                    binDirectory + "/pg_ctl",
                    [
                        "-D", directory + "/data", "-l", directory + "/postgres.log", "-w", "-t", "60", "-o",
                        serverOptions, "start",
                    ],
                    asPostgres: asRoot, newSession: true)
                if started.status == 0 {
                    let cluster = EphemeralPostgres(
                        port: port, directory: directory, binDirectory: binDirectory, runAsPostgresUser: asRoot,
                        serverOptions: serverOptions, logger: logger)
                    try cluster.startWatchdog()
                    logger.debug("started throwaway PostgreSQL", metadata: ["port": "\(port)", "dir": "\(directory)"])
                    return cluster
                }
                lastError =
                    (try? String(contentsOfFile: directory + "/postgres.log", encoding: .utf8))?.lastLines(3)
                    ?? started.output.lastLines(3)
            }
            throw StartError(description: "PostgreSQL did not start: \(lastError)")
        } catch {
            _ = try? run(
                binDirectory + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "stop"], asPostgres: asRoot)
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Stops the server (`mode`: fast or immediate) but keeps its data, for tests of a database outage.
    public func stopServer(mode: String = "fast") throws {
        let outcome = try Self.run(
            binDirectory + "/pg_ctl", ["-D", directory + "/data", "-m", mode, "-w", "stop"],
            asPostgres: runAsPostgresUser)
        guard outcome.status == 0 else { throw StartError(description: "pg_ctl stop failed: \(outcome.output)") }
    }

    /// Starts the server again after `stopServer()`, on the same port.
    public func startServer() throws {
        let outcome = try Self.run(
            binDirectory + "/pg_ctl",
            [
                "-D", directory + "/data", "-l", directory + "/postgres.log", "-w", "-t", "60", "-o", serverOptions,
                "start",
            ],
            asPostgres: runAsPostgresUser, newSession: true)
        guard outcome.status == 0 else { throw StartError(description: "pg_ctl start failed: \(outcome.output)") }
    }

    /// Stops the server at once and removes its folder. Safe to call more than once.
    public func stop() {
        _ = try? Self.run(
            binDirectory + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"],
            asPostgres: runAsPostgresUser)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A detached shell that waits for this process to end, then stops the server and removes the folder.
    private func startWatchdog() throws {
        let pgCtl = shellQuote(binDirectory + "/pg_ctl")
        let data = shellQuote(directory + "/data")
        let stop =
            runAsPostgresUser
            ? "runuser -u postgres -- \(pgCtl) -D \(data) -m immediate stop"
            : "\(pgCtl) -D \(data) -m immediate stop"
        let script = """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            if [ -d \(data) ]; then \(stop) >/dev/null 2>&1; rm -rf \(shellQuote(directory)); fi
            """
        let setsid = "/usr/bin/setsid"
        let command =
            FileManager.default.isExecutableFile(atPath: setsid)
            ? [setsid, "/bin/sh", "-c", script] : ["/bin/sh", "-c", script]
        try Self.spawn(command, outputPath: nil)
    }

    private static func findBinDirectory() throws -> String {
        let fm = FileManager.default
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["PG_BINDIR"] { candidates.append(env) }
        if let pgConfig = try? run("/usr/bin/env", ["pg_config", "--bindir"], asPostgres: false), pgConfig.status == 0 {
            candidates.append(pgConfig.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let debianRoot = "/usr/lib/postgresql"
        if let versions = try? fm.contentsOfDirectory(atPath: debianRoot) {
            for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
                candidates.append("\(debianRoot)/\(version)/bin")
            }
        }
        for path in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(String(path))
        }
        for dir in candidates
        where fm.isExecutableFile(atPath: dir + "/initdb") && fm.isExecutableFile(atPath: dir + "/pg_ctl") {
            return dir
        }
        throw StartError(
            description:
                "PostgreSQL is not installed (no initdb/pg_ctl found): install it with 'apt-get install -y postgresql', or set DATABASE_URL"
        )
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StartError(description: "socket(): \(errnoText())") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw StartError(description: "bind(): \(errnoText())") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private struct Outcome {
        var status: Int32
        var output: String
    }

    /// Runs a command to its end and collects its output (through a file: a server that a command leaves behind
    /// inherits its output, so a pipe would never reach its end). Uses posix_spawn and waitpid directly.
    private static func run(
        _ executable: String, _ arguments: [String], asPostgres: Bool, newSession: Bool = false
    )
        throws -> Outcome
    {
        var command = [executable] + arguments
        if asPostgres { command = ["/usr/sbin/runuser", "-u", "postgres", "--"] + command }
        if newSession && FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid") {
            command = ["/usr/bin/setsid"] + command
        }
        let outputPath = "/tmp/bookingbridge-pg-out-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(outputPath) }
        let pid = try spawn(command, outputPath: outputPath)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw StartError(description: "waitpid failed: \(errnoText())") }
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        return Outcome(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output: output)
    }

    /// Starts a process with standard input from /dev/null and output to `outputPath` (or /dev/null), in /tmp.
    @discardableResult
    static func spawn(_ command: [String], outputPath: String?) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Run from a folder every user can enter (initdb as `postgres` fails in an unreadable working directory).
        let command = ["/bin/sh", "-c", "cd /tmp && exec \"$@\"", "sh"] + command
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, command[0], &actions, nil, &argv, environ)
        guard result == 0 else {
            throw StartError(description: "could not run \(command[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    private func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

// MARK: - From async code

extension EphemeralPostgres {
    // initdb and pg_ctl are waited for with blocking calls (seconds each on a loaded machine). Called from a task,
    // such a wait holds one of Swift's cooperative threads, which are as many as the cores and shared by every task
    // of the process: on two cores, two waits at once stall everything else (a test run here stalled 3 s at its
    // start, and timing-sensitive tests failed). These forms wait on a thread of their own instead.

    /// `start(options:logger:)`, waiting on a thread of its own.
    public static func start(
        options: Options = .init(), logger: Logger = Logger(label: "ephemeral-postgres")
    ) async throws -> EphemeralPostgres {
        try await onOwnThread { try start(options: options, logger: logger) }
    }

    /// `stopServer(mode:)`, waiting on a thread of its own.
    public func stopServer(mode: String = "fast") async throws {
        try await Self.onOwnThread { try self.stopServer(mode: mode) }
    }

    /// `startServer()`, waiting on a thread of its own.
    public func startServer() async throws {
        try await Self.onOwnThread { try self.startServer() }
    }

    private static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result(catching: work)) }.start()
        }
    }
}

private func errnoText() -> String { String(cString: strerror(errno)) }

extension String {
    fileprivate func lastLines(_ n: Int) -> String {
        split(separator: "\n").suffix(n).joined(separator: " | ")
    }
}
