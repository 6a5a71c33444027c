import Foundation
import Hummingbird
import NIOCore

struct SubscriptionList: Encodable {
    var data: [SubscriptionView]
}
