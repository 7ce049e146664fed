import LookoutModel

/// The columnar encoding a sealed chunk may be re-encoded into (codec 3 in `docs/format/segments.md`,
/// before zlib): timestamps as delta-of-delta varints; values as decimal-scaled integers
/// (≈ integer / 10^exponent) stored as deltas divided by their greatest common divisor, plus a per-value
/// correction in units in the last place, so that values carrying binary rounding noise
/// (0.1 + 0.2 = 0.30000000000000004) still round-trip bit for bit. Used only when every value is
/// finite and within 1,024 ULPs of its decimal approximation (never for NaN, the stale marker, ±Inf).
enum DecimalChunk {
    static let powers: [Double] = (0...9).map { var p = 1.0; for _ in 0..<$0 { p *= 10 }; return p }
    static let maxCorrection: Int64 = 1024

    /// The raw (uncompressed) encoding, or nil when no exponent fits.
    static func encode(_ samples: [Sample]) -> [UInt8]? {
        guard !samples.isEmpty else { return nil }
        var ints: [Int64] = []
        var corrections: [Int64] = []
        var exponent = -1
        search: for e in 0..<powers.count {
            ints.removeAll(keepingCapacity: true)
            corrections.removeAll(keepingCapacity: true)
            let p = powers[e]
            for s in samples {
                let scaled = (s.value * p).rounded()
                guard scaled.isFinite, abs(scaled) < 9.0e15 else { continue search }
                let i = Int64(scaled)
                let approx = Double(i) / p
                guard approx.sign == s.value.sign else { continue search }
                let diff = Int64(bitPattern: s.value.bitPattern) &- Int64(bitPattern: approx.bitPattern)
                guard abs(diff) <= maxCorrection else { continue search }
                ints.append(i)
                corrections.append(diff)
            }
            exponent = e
            break
        }
        guard exponent >= 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(samples.count * 4 + 16)
        BinaryCoding.putUVarint(&out, UInt64(samples.count))
        BinaryCoding.putVarint(&out, samples[0].timestamp)
        var prevDelta: Int64 = 0
        for k in 1..<samples.count {
            let delta = samples[k].timestamp &- samples[k - 1].timestamp
            BinaryCoding.putVarint(&out, delta &- prevDelta)
            prevDelta = delta
        }
        out.append(UInt8(exponent))
        BinaryCoding.putVarint(&out, ints[0])
        var divisor: UInt64 = 0
        for k in 1..<ints.count { divisor = gcd(divisor, (ints[k] &- ints[k - 1]).magnitude) }
        if divisor == 0 { divisor = 1 }
        BinaryCoding.putUVarint(&out, divisor)
        let d = Int64(divisor)
        for k in 1..<ints.count { BinaryCoding.putVarint(&out, (ints[k] &- ints[k - 1]) / d) }
        for c in corrections { BinaryCoding.putVarint(&out, c) }
        return out
    }

    /// Calls `body` with every sample up to `until`; false when `raw` is not a decimal chunk.
    static func decode(_ raw: [UInt8], until: Int64 = .max, _ body: (Int64, Double) -> Void) -> Bool {
        var r = ByteReader(raw)
        guard let n64 = r.uvarint(), n64 > 0, n64 <= UInt64(raw.count), let t0 = r.varint() else { return false }
        let n = Int(n64)
        var ts = [Int64](repeating: 0, count: n)
        ts[0] = t0
        var delta: Int64 = 0
        for k in 1..<max(n, 1) {
            guard let dod = r.varint() else { return false }
            delta = delta &+ dod
            ts[k] = ts[k - 1] &+ delta
        }
        guard let e = r.byte(), Int(e) < powers.count, var i = r.varint(), let divisor = r.uvarint(),
              divisor > 0, divisor < 1 << 62 else { return false }
        let p = powers[Int(e)]
        var ints = [Int64](repeating: 0, count: n)
        ints[0] = i
        for k in 1..<max(n, 1) {
            guard let q = r.varint() else { return false }
            i = i &+ q &* Int64(divisor)
            ints[k] = i
        }
        for k in 0..<n {
            if ts[k] > until { return true } // the record's CRC already vouched for the rest
            guard let c = r.varint() else { return false }
            let approx = Double(ints[k]) / p
            body(ts[k], Double(bitPattern: UInt64(bitPattern: Int64(bitPattern: approx.bitPattern) &+ c)))
        }
        return r.isAtEnd
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
