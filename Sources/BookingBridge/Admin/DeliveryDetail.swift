import Foundation
import HTTPTypes
import Hummingbird
import Logging

struct DeliveryDetail: Encodable {
    var delivery: DeliveryRecord
    var attempts: [DeliveryAttemptRecord]
}
