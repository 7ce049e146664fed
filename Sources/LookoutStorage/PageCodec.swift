import CZlib
import CZstd

/// How sealed span and log blocks store a page: zstd, or the bytes as they are when zstd would not
/// make them smaller (a page whose raw length equals its stored length is stored as it is, since a
/// zstd frame is never as long as its input once it is kept). Pages carry a CRC-32 of what is stored.
enum PageCodec {
    static func compress(_ raw: [UInt8], level: Int32 = 3) -> [UInt8] {
        var payload = [UInt8](repeating: 0, count: ZSTD_compressBound(raw.count))
        let written = payload.withUnsafeMutableBytes { p in
            raw.withUnsafeBytes { r in ZSTD_compress(p.baseAddress, p.count, r.baseAddress, r.count, level) }
        }
        guard ZSTD_isError(written) == 0, written < raw.count else { return raw }
        payload.removeSubrange(written...)
        return payload
    }

    /// The raw bytes of a stored page; nil when they do not decompress to `rawLength` bytes.
    static func decompress(_ payload: [UInt8], rawLength: Int) -> [UInt8]? {
        guard rawLength != payload.count else { return payload }
        guard rawLength <= 1 << 28 else { return nil }
        var raw = [UInt8](repeating: 0, count: rawLength)
        let n = raw.withUnsafeMutableBytes { o in
            payload.withUnsafeBytes { p in ZSTD_decompress(o.baseAddress, o.count, p.baseAddress, p.count) }
        }
        guard ZSTD_isError(n) == 0, n == rawLength else { return nil }
        return raw
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: crc32(0, $0.baseAddress, UInt32($0.count))) }
    }
}
