import LookoutModel

/// The columnar encoding a sealed chunk may be re-encoded into when a partition is written
/// (codec 3 in `docs/format/segments.md`, before zlib): timestamps as delta-of-delta varints, values as
/// decimal-scaled integers (value = integer / 10^exponent, exactly) stored as deltas divided by their
/// greatest common divisor. Only used when every value survives the round trip bit for bit (so never
/// for NaN, the stale marker, ±Inf or -0.0).
enum DecimalChunk {
    static let powers: [Double] = (0...9).map { var p = 1.0; for _ in 0..<$0 { p *= 10 }; return p }

    /// The raw (uncompressed) encoding, or nil when the values are not all short decimals.
    static func encode(_ samples: [Sample]) -> [UInt8]? {
        guard !samples.isEmpty else { return nil }
        var ints: [Int64] = []
        var exponent = -1
        search: for e in 0..<powers.count {
            ints.removeAll(keepingCapacity: true)
            let p = powers[e]
            for s in samples {
                let scaled = (s.value * p).rounded()
                guard scaled.isFinite, abs(scaled) < 9.0e15 else { continue search }
                let i = Int64(scaled)
                guard (Double(i) / p).bitPattern == s.value.bitPattern else { continue search }
                ints.append(i)
            }
            exponent = e
            break
        }
        guard exponent >= 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(samples.count * 3 + 16)
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
        return out
    }

    static func decode(_ raw: [UInt8], _ body: (Int64, Double) -> Void) -> Bool {
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
        body(ts[0], Double(i) / p)
        for k in 1..<max(n, 1) {
            guard let q = r.varint() else { return false }
            i = i &+ q &* Int64(divisor)
            body(ts[k], Double(i) / p)
        }
        return r.isAtEnd
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
