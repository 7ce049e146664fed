/// Little helpers to write and read the integers of Lookout's on-disk formats.
enum BinaryCoding {
    static func putUVarint(_ out: inout [UInt8], _ value: UInt64) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func putVarint(_ out: inout [UInt8], _ value: Int64) {
        putUVarint(&out, zigzag(value))
    }

    @inline(__always) static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    @inline(__always) static func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }

    static func putUInt32LE(_ out: inout [UInt8], _ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    static func putUInt64LE(_ out: inout [UInt8], _ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    static func putString(_ out: inout [UInt8], _ s: String) {
        var s = s
        s.withUTF8 { buf in
            putUVarint(&out, UInt64(buf.count))
            out.append(contentsOf: buf)
        }
    }

    /// Writes a little-endian UInt32 at `index` of an existing buffer.
    static func setUInt32LE(_ out: inout [UInt8], at index: Int, _ value: UInt32) {
        out[index] = UInt8(truncatingIfNeeded: value)
        out[index + 1] = UInt8(truncatingIfNeeded: value >> 8)
        out[index + 2] = UInt8(truncatingIfNeeded: value >> 16)
        out[index + 3] = UInt8(truncatingIfNeeded: value >> 24)
    }
}

/// Reads the integers written by `BinaryCoding` from a byte slice; every read fails (returns nil)
/// rather than trapping on a short buffer.
struct ByteReader {
    let bytes: [UInt8]
    var offset: Int
    let end: Int

    init(_ bytes: [UInt8], offset: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset >= end }

    mutating func uvarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end {
            let b = bytes[offset]
            offset += 1
            if shift == 63 && b > 1 { return nil }
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    mutating func varint() -> Int64? { uvarint().map(BinaryCoding.unzigzag) }

    mutating func byte() -> UInt8? {
        guard offset < end else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint32LE() -> UInt32? {
        guard remaining >= 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }

    mutating func uint64LE() -> UInt64? {
        guard remaining >= 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func string() -> String? {
        guard let n = uvarint(), n <= UInt64(remaining), let slice = take(Int(n)) else { return nil }
        return String(decoding: slice, as: UTF8.self)
    }
}
