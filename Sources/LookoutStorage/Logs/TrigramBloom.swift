/// A Bloom filter of the byte trigrams of a page's lines, so `|= "text"` skips pages that cannot
/// hold `text` (`docs/format/logs.md`). Every substring of three or more bytes of a line has all
/// its trigrams in the filter; a needle with any trigram missing is in no line of the page.
///
/// The filter is sized from the page's distinct trigrams (`bitsPerTrigram` each, a power of two of
/// bits) with two hash functions, so a single trigram is a false positive about 15% of the time at
/// 4 bits — but a needle is checked by all its trigrams, and a 20-byte id has 18.
struct TrigramBloom {
    static let bitsPerTrigram = 4
    /// Filters are at most this many bits (16 KiB).
    static let maxBits = 1 << 17

    /// Collects a page's distinct trigrams; reused across pages (its 2 MiB bitmap is cleared by the
    /// list of what was set).
    struct Builder {
        private var seen = [UInt64](repeating: 0, count: (1 << 24) / 64)
        private var distinct: [UInt32] = []

        mutating func add(_ line: String) {
            var line = line
            line.withUTF8 { b in
                guard b.count >= 3 else { return }
                var t = UInt32(b[0]) << 8 | UInt32(b[1])
                for i in 2..<b.count {
                    t = (t << 8 | UInt32(b[i])) & 0xFF_FFFF
                    let word = Int(t >> 6), bit = UInt64(1) << (t & 63)
                    if seen[word] & bit == 0 {
                        seen[word] |= bit
                        distinct.append(t)
                    }
                }
            }
        }

        /// The filter's bytes for what was added since the last call; resets the builder.
        mutating func finish() -> [UInt8] {
            var log2 = 6
            while 1 << log2 < distinct.count * TrigramBloom.bitsPerTrigram && 1 << log2 < TrigramBloom.maxBits { log2 += 1 }
            var bits = [UInt64](repeating: 0, count: (1 << log2) / 64)
            for t in distinct {
                let (a, b) = TrigramBloom.positions(t, log2: log2)
                bits[a >> 6] |= 1 << UInt64(a & 63)
                bits[b >> 6] |= 1 << UInt64(b & 63)
                seen[Int(t >> 6)] = 0
            }
            distinct.removeAll(keepingCapacity: true)
            var out: [UInt8] = [UInt8(log2)]
            out.reserveCapacity(1 + bits.count * 8)
            for w in bits { BinaryCoding.putUInt64LE(&out, w) }
            return out
        }
    }

    static func positions(_ t: UInt32, log2: Int) -> (Int, Int) {
        let h = UInt64(t) &* 0x9E37_79B9_7F4A_7C15
        let shift = UInt64(64 - log2)
        return (Int(h >> shift), Int((h &* 0xC2B2_AE3D_27D4_EB4F) >> shift))
    }

    /// Whether a line of the page `filter` describes may contain `needle`; true for needles shorter
    /// than three bytes and for a filter that does not decode.
    static func mayContain(_ filter: [UInt8], _ needle: String) -> Bool {
        let b = Array(needle.utf8)
        guard b.count >= 3, let first = filter.first else { return true }
        let log2 = Int(first)
        guard (6...24).contains(log2), filter.count == 1 + (1 << log2) / 8 else { return true }
        func test(_ i: Int) -> Bool { filter[1 + i >> 3] & (1 << UInt8(i & 7)) != 0 }
        var t = UInt32(b[0]) << 8 | UInt32(b[1])
        for i in 2..<b.count {
            t = (t << 8 | UInt32(b[i])) & 0xFF_FFFF
            let (x, y) = positions(t, log2: log2)
            guard test(x) && test(y) else { return false }
        }
        return true
    }
}
