import LookoutModel

/// Gorilla/Prometheus XOR chunk encoder: delta-of-delta millisecond timestamps and XOR'd value bits.
/// The byte layout is documented in `docs/format/chunks.md`. Values are kept bit for bit (NaN payloads,
/// the stale marker, ±Inf). At most 65,535 samples per chunk.
struct XORChunkEncoder: Sendable {
    /// Header (2-byte big-endian count) followed by the bit stream.
    /// Grown by about an eighth at a time (not doubled), so a head series' open chunk wastes little.
    private(set) var bytes: [UInt8] = [0, 0]
    private(set) var firstT: Int64 = 0
    private(set) var lastT: Int64 = 0
    private(set) var lastValueBits: UInt64 = 0
    private var tDelta: Int64 = 0
    // The small fields are packed together so an open chunk in every head series stays small.
    private var samples: UInt16 = 0
    private var leading: UInt8 = 0xff
    private var trailing: UInt8 = 0
    /// Unused low bits in the last byte of `bytes`.
    private var free: UInt8 = 0

    var count: Int { Int(samples) }

    static let maxSamples = 65_535

    init() {}

    init(reservingCapacity capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    var isFull: Bool { count >= XORChunkEncoder.maxSamples }

    mutating func append(_ t: Int64, _ v: Double) {
        precondition(count < XORChunkEncoder.maxSamples, "XOR chunk full")
        let vBits = v.bitPattern
        switch count {
        case 0:
            var tmp: [UInt8] = []
            BinaryCoding.putVarint(&tmp, t)
            for b in tmp { writeBits(UInt64(b), 8) }
            writeBits(vBits, 64)
            firstT = t
        case 1:
            tDelta = t &- lastT
            var tmp: [UInt8] = []
            BinaryCoding.putUVarint(&tmp, UInt64(bitPattern: tDelta))
            for b in tmp { writeBits(UInt64(b), 8) }
            writeValue(vBits)
        default:
            let delta = t &- lastT
            let dod = delta &- tDelta
            if dod == 0 {
                writeBits(0, 1)
            } else if fits(dod, 14) {
                writeBits(0b10, 2)
                writeBits(UInt64(bitPattern: dod), 14)
            } else if fits(dod, 17) {
                writeBits(0b110, 3)
                writeBits(UInt64(bitPattern: dod), 17)
            } else if fits(dod, 20) {
                writeBits(0b1110, 4)
                writeBits(UInt64(bitPattern: dod), 20)
            } else {
                writeBits(0b1111, 4)
                writeBits(UInt64(bitPattern: dod), 64)
            }
            tDelta = delta
            writeValue(vBits)
        }
        lastT = t
        lastValueBits = vBits
        samples += 1
        bytes[0] = UInt8(truncatingIfNeeded: samples >> 8)
        bytes[1] = UInt8(truncatingIfNeeded: samples)
    }

    @inline(__always) private func fits(_ x: Int64, _ n: Int64) -> Bool {
        let half = Int64(1) << (n - 1)
        return x >= -half && x < half
    }

    @inline(__always) private mutating func writeValue(_ vBits: UInt64) {
        let delta = vBits ^ lastValueBits
        if delta == 0 {
            writeBits(0, 1)
            return
        }
        writeBits(1, 1)
        var lead = UInt8(delta.leadingZeroBitCount)
        let trail = UInt8(delta.trailingZeroBitCount)
        if lead >= 32 { lead = 31 }
        if leading != 0xff && lead >= leading && trail >= trailing {
            writeBits(0, 1)
            writeBits(delta >> UInt64(trailing), 64 - Int(leading) - Int(trailing))
        } else {
            leading = lead
            trailing = trail
            writeBits(1, 1)
            writeBits(UInt64(lead), 5)
            let sig = 64 - Int(lead) - Int(trail)
            writeBits(UInt64(sig & 63), 6) // 64 is written as 0
            writeBits(delta >> UInt64(trail), sig)
        }
    }

    @inline(__always) private mutating func writeBits(_ value: UInt64, _ n: Int) {
        var n = n
        while n > 0 {
            if free == 0 {
                if bytes.count == bytes.capacity { grow() }
                bytes.append(0)
                free = 8
            }
            let take = min(Int(free), n)
            let shift = n - take
            let bits = UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & ((UInt64(1) << UInt64(take)) - 1))
            bytes[bytes.count - 1] |= bits << (free - UInt8(take))
            free -= UInt8(take)
            n -= take
        }
    }

    /// Adds room for about an eighth more bytes (at least 16): `reserveCapacity` allocates what it is
    /// asked for, where `append` would double the buffer.
    @inline(never) private mutating func grow() {
        bytes.reserveCapacity(bytes.count + max(16, bytes.count >> 3))
    }
}

/// Decodes the chunks `XORChunkEncoder` writes.
enum XORChunkDecoder {
    struct Failure: Error { var message: String }

    /// All samples of a chunk, in time order.
    static func decode(_ bytes: [UInt8]) throws(Failure) -> [Sample] {
        var out: [Sample] = []
        try decode(bytes) { out.append(Sample($0, $1)) }
        return out
    }

    /// Calls `body` with every (timestamp, value) of a chunk, in time order, stopping before the
    /// first sample after `until`.
    static func decode(_ bytes: [UInt8], until: Int64 = .max, _ body: (Int64, Double) -> Void) throws(Failure) {
        guard bytes.count >= 2 else { throw Failure(message: "chunk shorter than its header") }
        let count = Int(bytes[0]) << 8 | Int(bytes[1])
        guard count > 0 else { return }
        var failure: Failure?
        bytes.withUnsafeBytes { raw in
            do throws(Failure) { try decode(raw, count: count, until: until, body) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private static func decode(_ raw: UnsafeRawBufferPointer, count: Int, until: Int64,
                               _ body: (Int64, Double) -> Void) throws(Failure) {
        var r = BitReader(bytes: raw, bitPos: 16)
        var t = BinaryCoding.unzigzag(try r.uvarintBytes())
        var vBits = try r.read(64)
        guard t <= until else { return }
        body(t, Double(bitPattern: vBits))
        guard count > 1 else { return }
        var tDelta = Int64(bitPattern: try r.uvarintBytes())
        var leading: UInt64 = 0
        var trailing: UInt64 = 0
        func readValue(_ r: inout BitReader) throws(Failure) {
            if try r.read(1) == 0 { return }
            if try r.read(1) == 1 {
                leading = try r.read(5)
                var sig = try r.read(6)
                if sig == 0 { sig = 64 }
                guard leading + sig <= 64 else {
                    throw Failure(message: "value with \(leading) leading and \(sig) significant bits (over 64)")
                }
                trailing = 64 - leading - sig
            }
            let sig = 64 - leading - trailing
            let bits = try r.read(Int(sig))
            vBits ^= bits << trailing
        }
        t = t &+ tDelta
        try readValue(&r)
        guard t <= until else { return }
        body(t, Double(bitPattern: vBits))
        for _ in 2..<count {
            var dod: Int64 = 0
            if try r.read(1) == 0 {
                dod = 0
            } else if try r.read(1) == 0 {
                dod = signExtend(try r.read(14), 14)
            } else if try r.read(1) == 0 {
                dod = signExtend(try r.read(17), 17)
            } else if try r.read(1) == 0 {
                dod = signExtend(try r.read(20), 20)
            } else {
                dod = Int64(bitPattern: try r.read(64))
            }
            tDelta = tDelta &+ dod
            t = t &+ tDelta
            try readValue(&r)
            guard t <= until else { return }
            body(t, Double(bitPattern: vBits))
        }
    }

    @inline(__always) static func signExtend(_ v: UInt64, _ n: Int) -> Int64 {
        let shift = UInt64(64 - n)
        return Int64(bitPattern: v << shift) >> Int64(shift)
    }

    /// Reads bits from a chunk's bytes, which stay valid for the reader's lifetime.
    struct BitReader {
        let bytes: UnsafeRawBufferPointer
        var bitPos: Int

        /// The next `n` (0...64) bits as an unsigned number, most significant first.
        @inline(__always) mutating func read(_ n: Int) throws(Failure) -> UInt64 {
            guard n > 0 else { return 0 }
            guard bitPos + n <= bytes.count &* 8 else { throw Failure(message: "chunk bit stream truncated") }
            if n > 56 {
                let high = try read(n - 32)
                return high << 32 | (try read(32))
            }
            // One unaligned 8-byte load covers the at most 7 bits already used of the first byte
            // plus the 56 or fewer asked for.
            let used = bitPos & 7
            let word = window(at: bitPos >> 3)
            bitPos += n
            return (word << UInt64(used)) >> UInt64(64 - n)
        }

        /// Eight bytes from `index` as a big-endian word, zero-padded past the end.
        @inline(__always) private func window(at index: Int) -> UInt64 {
            if index &+ 8 <= bytes.count {
                return bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self).bigEndian
            }
            var word: UInt64 = 0
            for i in index..<(index + 8) { word = word << 8 | (i < bytes.count ? UInt64(bytes[i]) : 0) }
            return word
        }

        mutating func uvarintBytes() throws(Failure) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try read(8)
                result |= (b & 0x7f) << shift
                if b < 0x80 { return result }
                shift += 7
                if shift > 63 { throw Failure(message: "varint overflow in chunk") }
            }
        }
    }
}
