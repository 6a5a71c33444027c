import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A subscription's parsed URL and what every request to it needs from it, worked out once.
struct Destination: Sendable {
    var url: WebhookURL
    var hostHeader: String
    /// When the URL names an address rather than a host name: the address, its text and, for plain http, the URL
    /// pinned to it (nothing to resolve, so the same for every request).
    var literal: (address: IPAddress, text: String, pinned: String)?

    init(_ url: WebhookURL) {
        self.url = url
        hostHeader = url.hostHeader
        literal = url.literalAddress.map { ($0, $0.description, url.pinned(to: $0)) }
    }
}
