import NIOCore
import NIOPosix

/// Resolution through the system's `getaddrinfo`, run on NIO's blocking-I/O thread pool so it never blocks the
/// cooperative pool.
public struct SystemHostResolver: HostResolver {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init() {}

    public func resolve(host: String, port: Int) async throws -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        return try await NIOThreadPool.singleton.runIfActive {
            try Self.getaddrinfoBlocking(host: host, port: port)
        }
    }

    static func getaddrinfoBlocking(host: String, port: Int) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw Failure(description: "could not resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let sockaddr = info.pointee.ai_addr {
                switch Int32(info.pointee.ai_family) {
                case AF_INET:
                    let v4 = sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    let raw = withUnsafeBytes(of: v4) { Array($0) }
                    if let address = IPAddress(bytes: raw) { addresses.append(address) }
                case AF_INET6:
                    let v6 = sockaddr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    let raw = withUnsafeBytes(of: v6) { Array($0) }
                    if let address = IPAddress(bytes: raw) { addresses.append(address) }
                default:
                    break
                }
            }
            cursor = info.pointee.ai_next
        }
        var seen = Set<IPAddress>()
        return addresses.filter { seen.insert($0).inserted }
    }
}
