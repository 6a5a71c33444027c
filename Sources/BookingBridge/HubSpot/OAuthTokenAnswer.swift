import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// `{access_token, refresh_token, expires_in, token_type}` from the token endpoint.
struct OAuthTokenAnswer: Sendable, Decodable {
    var accessToken: String
    var refreshToken: String?
    var expiresIn: Int64
    var tokenType: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", refreshToken = "refresh_token", expiresIn = "expires_in"
        case tokenType = "token_type"
    }
}
