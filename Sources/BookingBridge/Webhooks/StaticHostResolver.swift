import NIOCore
import NIOPosix

/// A fixed table of answers (for tests and `dev`); unknown hosts fall back to `fallback`.
public struct StaticHostResolver: HostResolver {
    public let table: [String: [IPAddress]]
    public let fallback: (any HostResolver)?

    public init(_ table: [String: [IPAddress]], fallback: (any HostResolver)? = SystemHostResolver()) {
        self.table = table
        self.fallback = fallback
    }

    public func resolve(host: String, port: Int) async throws -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        if let answer = table[host.lowercased()] { return answer }
        guard let fallback else { throw SystemHostResolver.Failure(description: "no address known for \(host)") }
        return try await fallback.resolve(host: host, port: port)
    }
}
