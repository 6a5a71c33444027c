import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /openapi.yaml`: the OpenAPI 3.1 document of every route and webhook event.
///
/// The canonical file is `docs/openapi.yaml`; `scripts/embed-openapi` copies it into the binary
/// (`OpenAPIDocument+Embedded.swift`), and a test fails when the copy is stale.
public struct OpenAPIDocument: Sendable {
    /// The media type of YAML (RFC 9512).
    public static let contentType = "application/yaml; charset=utf-8"

    public init() {}

    /// Adds `GET /openapi.yaml`.
    public func addRoutes(to router: Router<BridgeRequestContext>) {
        let body = ByteBuffer(string: Self.yaml)
        router.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: Self.contentType, .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: body))
        }
    }
}
