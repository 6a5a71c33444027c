import BookingBridge
import Foundation
import Testing

@Suite("deploy/")
struct DeployTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy")

    /// deploy/check.sh needs python3 with PyYAML (Debian: python3-yaml).
    static let canRunCheck: Bool = (try? run("/usr/bin/env", ["python3", "-c", "import yaml"]).status) == 0

    @Test("deploy/check.sh passes (compose, Kubernetes manifests, Dockerfile, systemd unit)", .enabled(if: canRunCheck))
    func checkScript() throws {
        let result = try Self.run(Self.deploy.appendingPathComponent("check.sh").path, [])
        #expect(result.status == 0, "deploy/check.sh failed:\n\(result.output)")
    }

    @Test("the example environment and configuration file load as a valid configuration")
    func examplesLoad() throws {
        let envText = try String(
            contentsOf: Self.deploy.appendingPathComponent("bookingbridge.env.example"), encoding: .utf8)
        var environment: [String: String] = [:]
        for line in envText.split(separator: "\n") where !line.hasPrefix("#") && line.contains("=") {
            let parts = line.split(separator: "=", maxSplits: 1)
            environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        let file = try Data(contentsOf: Self.deploy.appendingPathComponent("config.example.json"))
        let configuration = try BridgeConfiguration.load(environment: environment, file: file)
        #expect(configuration.sources.keys.sorted() == ["partner", "website"])
        #expect(configuration.retention.maxAge == .seconds(30 * 86400))
        #expect(configuration.databaseURL?.hasPrefix("postgres://") == true)
        #expect(configuration.logFormat == .json)
    }

    /// Runs `executable` to its end (with `environment`, else this process's), its output and errors together.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
