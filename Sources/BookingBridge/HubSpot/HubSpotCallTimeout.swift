import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The client's own deadline for reading a whole answer ran out.
struct HubSpotCallTimeout: Error {}
