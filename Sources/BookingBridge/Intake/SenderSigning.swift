import Crypto
import Foundation

/// Signs a request the way a form service does, for `bookingbridge dev`'s ready-made examples. Intake never signs;
/// the tests compute their signatures on their own, so that this code is not what checks itself.
public enum SenderSigning {
    /// The headers the service of `kind` sends with `body` posted to `uri` at `now`; none for kinds that have no
    /// signature scheme of their own.
    public static func headers(
        kind: SourceConfiguration.Kind, secret: String, method: String = "POST", uri: String, body: String,
        now: Date = Date()
    ) -> [(String, String)] {
        let key = SymmetricKey(data: Array(secret.utf8))
        let millis = String(Int64(now.timeIntervalSince1970 * 1000))
        func base64(_ material: [UInt8]) -> String {
            Data(HMAC<SHA256>.authenticationCode(for: material, using: key)).base64EncodedString()
        }
        switch kind {
        case .typeform: return [("Typeform-Signature", "sha256=" + base64(Array(body.utf8)))]
        case .tally: return [("Tally-Signature", base64(Array(body.utf8)))]
        case .webflow:
            let mac = HMAC<SHA256>.authenticationCode(for: Array((millis + ":" + body).utf8), using: key)
            return [
                ("x-webflow-timestamp", millis),
                ("x-webflow-signature", Hex.string(mac)),
            ]
        case .hubspot:
            return [
                ("X-HubSpot-Request-Timestamp", millis),
                ("X-HubSpot-Signature-v3", base64(Array((method.uppercased() + uri + body + millis).utf8))),
            ]
        case .form, .jotform, .json:
            return []
        }
    }
}
