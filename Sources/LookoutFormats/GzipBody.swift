import CZlib

/// Inflates a `Content-Encoding: gzip` (or `deflate`, zlib-wrapped) request body with the inflated size capped while inflating,
/// so a small gzip bomb costs at most `limit` bytes of memory before it is refused.
public enum GzipBody {
    /// Why a body was refused.
    public enum Failure: Error, Equatable, Sendable {
        /// The inflated body would pass `limit` bytes.
        case tooLarge(limit: Int)
        /// The bytes are not a complete gzip stream.
        case malformed(String)
    }

    /// `deflate`: the body is zlib (RFC 1950), as HTTP's `deflate` names it; gzip is taken there too.
    public static func inflate(_ compressed: [UInt8], limit: Int, deflate: Bool = false) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, deflate ? 15 + 32 : 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .malformed("zlib cannot start inflating")
        }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var rc: Int32 = Z_OK
        var input = compressed
        try input.withUnsafeMutableBufferPointer { (i: inout UnsafeMutableBufferPointer<UInt8>) throws(Failure) in
            stream.next_in = i.baseAddress
            stream.avail_in = UInt32(i.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { c -> Int in
                    stream.next_out = c.baseAddress
                    stream.avail_out = UInt32(c.count)
                    rc = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return c.count - Int(stream.avail_out)
                }
                guard rc == Z_OK || rc == Z_STREAM_END else {
                    throw .malformed(rc == Z_BUF_ERROR ? "gzip stream is truncated" : "gzip stream is corrupt (zlib error \(rc))")
                }
                guard out.count + produced <= limit else { throw .tooLarge(limit: limit) }
                out.append(contentsOf: chunk[0..<produced])
                if rc == Z_OK && produced == 0 && stream.avail_in == 0 { throw .malformed("gzip stream is truncated") }
            } while rc != Z_STREAM_END
        }
        return out
    }
}
