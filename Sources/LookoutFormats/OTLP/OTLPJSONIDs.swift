import LookoutModel

/// OTLP/JSON writes trace and span ids as hex, where protobuf's JSON mapping (which the generated
/// decoder follows) expects base64. This rewrites the value of every `traceId`, `spanId` and
/// `parentSpanId` key (and their snake_case forms) from hex to base64 in one linear pass over
/// the bytes, leaving everything else, attribute values named like ids included, untouched.
/// A value that is not hex becomes empty, so validation rejects that span and names its id.
enum OTLPJSONIDs {
    private static let idKeys: Set<[UInt8]> = Set(["traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"]
        .map { Array($0.utf8) })
    private static let base64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// For decoding: hex ids to base64.
    static func rewrite(_ json: [UInt8]) -> [UInt8] {
        rewriteIDs(json) { digits, out in
            if let bytes = hexBytes(digits) { appendBase64(bytes, to: &out) }
        }
    }

    /// For encoding: the generated encoder's base64 ids to hex.
    static func rewriteToHex(_ json: [UInt8]) -> [UInt8] {
        rewriteIDs(json) { encoded, out in
            for b in base64Bytes(encoded) {
                out.append(HexDigits.lower[Int(b >> 4)])
                out.append(HexDigits.lower[Int(b & 0xf)])
            }
        }
    }

    private static func rewriteIDs(_ json: [UInt8], _ transform: (ArraySlice<UInt8>, inout [UInt8]) -> Void) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        var i = 0
        var lastKeyWasID = false
        while i < json.count {
            let c = json[i]
            guard c == UInt8(ascii: "\"") else {
                out.append(c)
                i += 1
                continue
            }
            let start = i + 1
            var end = start
            while end < json.count && json[end] != UInt8(ascii: "\"") {
                end += json[end] == UInt8(ascii: "\\") ? 2 : 1
            }
            end = min(end, json.count)
            // A string followed by `:` is a key.
            var next = end + 1
            while next < json.count, json[next] == 0x20 || json[next] == 0x0a || json[next] == 0x0d || json[next] == 0x09 { next += 1 }
            let isKey = next < json.count && json[next] == UInt8(ascii: ":")
            if isKey {
                lastKeyWasID = idKeys.contains(Array(json[start..<end]))
                out.append(contentsOf: json[i..<min(end + 1, json.count)])
            } else if lastKeyWasID {
                lastKeyWasID = false
                out.append(UInt8(ascii: "\""))
                transform(json[start..<end], &out)
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: json[i..<min(end + 1, json.count)])
            }
            i = end + 1
        }
        return out
    }

    private static func hexBytes(_ digits: ArraySlice<UInt8>) -> [UInt8]? {
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index < digits.endIndex {
            guard let hi = HexDigits.value(digits[index]), let lo = HexDigits.value(digits[index + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
            index += 2
        }
        return bytes
    }

    private static func appendBase64(_ bytes: [UInt8], to out: inout [UInt8]) {
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(base64[Int(n >> UInt32(shift) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(base64[Int(n >> 18 & 63)])
            out.append(base64[Int(n >> 12 & 63)])
            out.append(rest == 2 ? base64[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
    }

    private static func base64Bytes(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var bits: UInt32 = 0
        var count = 0
        for c in text {
            guard let v = base64.firstIndex(of: c) else { continue } // padding
            bits = bits << 6 | UInt32(v)
            count += 6
            if count >= 8 {
                count -= 8
                out.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
            }
        }
        return out
    }
}
