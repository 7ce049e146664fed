import Crypto
import Foundation

/// Standard Webhooks signing: `webhook-signature: v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`.
public enum WebhookSigner {
    /// The signing key of a secret file's text: a `whsec_` secret is base64 and signs with its
    /// decoded bytes; anything else signs with its UTF-8 bytes.
    public static func key(from secret: String) -> [UInt8] {
        if secret.hasPrefix("whsec_"), let decoded = Data(base64Encoded: String(secret.dropFirst(6))) {
            return Array(decoded)
        }
        return Array(secret.utf8)
    }

    public static func signature(key: [UInt8], id: String, timestamp: Int64, body: [UInt8]) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// Lowercase hex SHA-256, as Alertmanager hashes a group key into a PagerDuty `dedup_key`.
    public static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
