import Foundation
import Testing

/// `bookingbridge serve --check-config` itself (the built executable) with several HubSpot accounts.
@Suite("serve --check-config with several HubSpot accounts")
struct CheckConfigAccountsTests {
    static let executable = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/debug/bookingbridge").path

    /// Runs `serve --check-config` with `file` as `BRIDGE_CONFIG` and nothing else in the environment.
    static func checkConfig(_ file: String) throws -> (status: Int32, output: String) {
        try #require(
            FileManager.default.isExecutableFile(atPath: executable),
            "build the bookingbridge product first (swift build)")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("accounts-\(UUID().uuidString).json")
        try Data(file.utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        return try DeployTests.run(
            executable, ["serve", "--check-config"], environment: ["BRIDGE_CONFIG": path.path, "PATH": "/usr/bin:/bin"])
    }

    @Test("lists each account with its limits and auth kind, never a secret; exits 0")
    func listsAccounts() throws {
        let result = try Self.checkConfig(HubSpotAccountsTests.file)
        #expect(result.status == 0, "\(result.output)")
        #expect(
            result.output.contains("    agency-eu: https://api.hubapi.com auth=static token rate=190/10s daily=625000"))
        #expect(result.output.contains("    agency-us: https://api.hubapi.com auth=oauth refresh"))
        #expect(result.output.contains("eu: kind=form slug=a/b auth=token hubspot=agency-eu"))
        for secret in ["pat-eu-secret-1", "oauth-secret-us", "refresh-us-secret", "t1", "t2"] {
            #expect(!result.output.contains(secret), "\(secret) printed")
        }
    }

    @Test("a source naming an unknown account: refused with the key and the known accounts, exit status not 0")
    func refusesUnknownAccount() throws {
        let file = HubSpotAccountsTests.file.replacingOccurrences(
            of: #""hubspot": "agency-eu""#, with: #""hubspot": "agency-xx""#)
        let result = try Self.checkConfig(file)
        #expect(result.status != 0)
        #expect(result.output.contains("sources.eu.hubspot"), "\(result.output)")
        #expect(result.output.contains("agency-xx") && result.output.contains("agency-eu"))
        #expect(!result.output.contains("pat-eu-secret-1"))
    }
}
