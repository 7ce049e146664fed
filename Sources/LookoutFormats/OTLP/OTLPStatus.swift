/// `google.rpc.Status{code = 1, message = 2}`: the body of an OTLP/HTTP error answer.
public enum OTLPStatus {
    public static func encode(code: Int32, message: String, _ encoding: OTLPEncoding) -> [UInt8] {
        switch encoding {
        case .json:
            var w = JSONWriter()
            w.object { w in
                w.field("code", Int(code))
                w.field("message", message)
            }
            return w.bytes
        case .protobuf:
            var out: [UInt8] = [0x08]
            var v = UInt64(UInt32(bitPattern: code))
            while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
            out.append(UInt8(v))
            let text = Array(message.utf8)
            out.append(0x12)
            var n = UInt64(text.count)
            while n >= 0x80 { out.append(UInt8(truncatingIfNeeded: n) | 0x80); n >>= 7 }
            out.append(UInt8(n))
            return out + text
        }
    }
}
