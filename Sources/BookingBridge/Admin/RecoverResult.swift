import Foundation
import Hummingbird
import NIOCore

struct RecoverResult: Encodable {
    var subscriptionId: String
    var since: Date
    var requeued: Int
}
