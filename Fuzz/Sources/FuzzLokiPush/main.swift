import FuzzSupport
import LookoutFormats

/// The Loki push decoder on arbitrary bytes: as JSON, as snappy protobuf, and as protobuf wrapped
/// in a valid snappy block (so the protobuf decoder sees the bytes too). Besides not crashing:
/// the decompressed size cap holds, and every kept entry's line is within the line cap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: count))
    for type in ["application/json", "application/x-protobuf"] {
        if let push = try? LokiPushRequest.decode(body, contentType: type, maxBytes: 1 << 20, maxLineBytes: 512) {
            precondition(push.records.allSatisfy { $0.line.utf8.count <= 512 && !$0.labels.isEmpty })
        }
    }
    // A snappy block of literals only: uvarint length, then literal chunks of at most 60 bytes.
    var wrapped: [UInt8] = []
    var n = body.count
    repeat { wrapped.append(UInt8(n & 0x7F) | (n > 0x7F ? 0x80 : 0)); n >>= 7 } while n > 0
    var i = 0
    while i < body.count {
        let chunk = min(60, body.count - i)
        wrapped.append(UInt8((chunk - 1) << 2))
        wrapped += body[i..<i + chunk]
        i += chunk
    }
    if let push = try? LokiPushRequest.decode(wrapped, contentType: nil, maxBytes: 1 << 20, maxLineBytes: 512) {
        precondition(push.records.allSatisfy { $0.line.utf8.count <= 512 && !$0.labels.isEmpty })
    }
    return 0
}

@_cdecl("FuzzLokiPush_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}
