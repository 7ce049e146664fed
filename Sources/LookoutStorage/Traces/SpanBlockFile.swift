import CZlib
import CZstd
import LookoutModel

/// One sealed block of spans under `traces/` (`docs/format/spans.md`): a fixed header naming the
/// codec, then the block's `SpanColumns`, compressed. Written once, never changed, deleted whole
/// by retention.
enum SpanBlockFile {
    static let magic: [UInt8] = Array("LKSB".utf8)
    static let version: UInt8 = 1
    /// magic(4) version(1) codec(1) reserved(2) spans(4) raw(4) payload(4) crc32(4)
    static let headerSize = 24

    enum Codec: UInt8 {
        case none = 0
        case zstd = 1
    }

    static func name(_ id: Int64) -> String { "\(String(repeating: "0", count: max(0, 8 - String(id).count)))\(id).spans" }

    /// The file's bytes for `spans` (already in block order).
    static func encode(_ spans: [Span], level: Int32 = 3) -> [UInt8] {
        var raw: [UInt8] = []
        SpanColumns.encode(spans, into: &raw)
        var codec = Codec.zstd
        var payload = [UInt8](repeating: 0, count: ZSTD_compressBound(raw.count))
        let written = payload.withUnsafeMutableBytes { p in
            raw.withUnsafeBytes { r in ZSTD_compress(p.baseAddress, p.count, r.baseAddress, r.count, level) }
        }
        if ZSTD_isError(written) != 0 || written >= raw.count {
            codec = .none
            payload = raw
        } else {
            payload.removeSubrange(written...)
        }
        var out = magic
        out.append(version)
        out.append(codec.rawValue)
        out += [0, 0]
        BinaryCoding.putUInt32LE(&out, UInt32(spans.count))
        BinaryCoding.putUInt32LE(&out, UInt32(raw.count))
        BinaryCoding.putUInt32LE(&out, UInt32(payload.count))
        BinaryCoding.putUInt32LE(&out, checksum(payload))
        out += payload
        return out
    }

    struct Failure: Error {
        var message: String
    }

    /// The spans of a block file (those `keep` admits); throws naming what is wrong.
    static func decode(_ bytes: [UInt8], keep: ((TraceID) -> Bool)? = nil) throws(Failure) -> [Span] {
        guard bytes.count >= headerSize, Array(bytes[0..<4]) == magic else { throw Failure(message: "not a span block (bad magic)") }
        guard bytes[4] == version else { throw Failure(message: "span block version \(bytes[4]) is not \(version)") }
        guard let codec = Codec(rawValue: bytes[5]) else { throw Failure(message: "unknown span block codec \(bytes[5])") }
        var r = ByteReader(bytes, offset: 8)
        let count = Int(r.uint32LE()!), rawLength = Int(r.uint32LE()!), payloadLength = Int(r.uint32LE()!), crc = r.uint32LE()!
        guard bytes.count == headerSize + payloadLength else {
            throw Failure(message: "span block is \(bytes.count) bytes, its header says \(headerSize + payloadLength)")
        }
        let payload = Array(bytes[headerSize...])
        guard checksum(payload) == crc else { throw Failure(message: "span block checksum mismatch") }
        var raw = payload
        if codec == .zstd {
            guard rawLength <= 1 << 30 else { throw Failure(message: "span block raw size \(rawLength) is implausible") }
            raw = [UInt8](repeating: 0, count: rawLength)
            let n = raw.withUnsafeMutableBytes { o in
                payload.withUnsafeBytes { p in ZSTD_decompress(o.baseAddress, o.count, p.baseAddress, p.count) }
            }
            guard ZSTD_isError(n) == 0, n == rawLength else { throw Failure(message: "span block does not decompress") }
        }
        guard let spans = SpanColumns.decode(raw, keep: keep), keep != nil || spans.count == count else {
            throw Failure(message: "span block columns do not decode")
        }
        return spans
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: crc32(0, $0.baseAddress, UInt32($0.count))) }
    }
}
