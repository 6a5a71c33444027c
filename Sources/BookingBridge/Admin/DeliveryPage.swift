import Foundation
import HTTPTypes
import Hummingbird
import Logging

struct DeliveryPage: Encodable {
    var data: [DeliveryRecord]
    var nextCursor: String?
}
