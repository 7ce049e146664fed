import LookoutModel

/// Alertmanager's alert fingerprint: FNV-1a 64 over the sorted label names and values, each
/// followed by 0xff; shown as 16 hex digits in the API and webhook payloads.
public enum Fingerprint {
    public static func of(_ labels: Labels) -> UInt64 {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for label in labels {
            for byte in label.name.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
            hash = (hash ^ 0xff) &* 1_099_511_628_211
            for byte in label.value.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
            hash = (hash ^ 0xff) &* 1_099_511_628_211
        }
        return hash
    }

    public static func hex(_ fingerprint: UInt64) -> String {
        let digits = String(fingerprint, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
