import Foundation
import Hummingbird
import NIOCore

struct RotateSecretBody: Decodable {
    var secret: String?
}
