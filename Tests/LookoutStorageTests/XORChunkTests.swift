import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

@Suite struct XORChunkTests {
    func roundTrip(_ samples: [Sample]) throws -> [Sample] {
        var enc = XORChunkEncoder()
        for s in samples { enc.append(s.timestamp, s.value) }
        #expect(enc.count == samples.count)
        return try XORChunkDecoder.decode(enc.bytes)
    }

    @Test func regularCounter() throws {
        let samples = (0..<120).map { Sample(1_700_000_000_000 + Int64($0) * 15_000, Double($0) * 3.5) }
        #expect(try roundTrip(samples) == samples)
    }

    /// Reads stop before the first sample after `until`, in every codec, as `select` relies on.
    @Test(arguments: [ChunkCodec.xor, .xorZlib, .decimalZlib]) func decodingStopsAfterUntil(_ codec: ChunkCodec) throws {
        let samples = (0..<480).map { Sample(Int64($0) * 15_000, Double($0 % 17) * 0.25) }
        var enc = XORChunkEncoder()
        for s in samples { enc.append(s.timestamp, s.value) }
        let data: [UInt8]
        switch codec {
        case .xor: data = enc.bytes
        case .xorZlib: data = try #require(PartitionFile.deflate(enc.bytes))
        case .decimalZlib:
            let raw = try #require(DecimalChunk.encode(samples))
            data = try #require(PartitionFile.deflate(raw))
        }
        for until in [Int64.min, -1, 0, 14_999, 15_000, 1_000_000, 7_185_000, .max] {
            var out: [Sample] = []
            try codec.decode(data, until: until) { out.append(Sample($0, $1)) }
            #expect(out == samples.filter { $0.timestamp <= until }, "\(codec) until \(until)")
        }
    }

    @Test func specialValuesKeepTheirBits() throws {
        let odd = Double(bitPattern: 0x7ff8_0000_dead_beef)
        let samples = [Sample(0, .nan), Sample(1, StaleMarker.value), Sample(2, .infinity), Sample(3, -.infinity),
                       Sample(4, odd), Sample(5, -0.0), Sample(6, 0), Sample(7, .greatestFiniteMagnitude),
                       Sample(8, .leastNonzeroMagnitude), Sample(9, StaleMarker.value)]
        let decoded = try roundTrip(samples)
        #expect(decoded == samples)
        #expect(StaleMarker.isStale(decoded[1].value))
        #expect(decoded[4].value.bitPattern == odd.bitPattern)
    }

    @Test func irregularTimestampsAndBigJumps() throws {
        var t: Int64 = -5_000
        var samples: [Sample] = []
        var rng = SystemRandomNumberGenerator()
        let steps: [Int64] = [1, 15_000, 14_999, 15_001, 8_000, 8_191, 8_192, 65_535, 65_536, 524_287, 524_288,
                              1 << 40, 1, 3, 1 << 20, 86_400_000 * 365]
        for step in steps {
            t += step
            samples.append(Sample(t, Double(Int.random(in: -1000...1000, using: &rng)) / 7))
        }
        for _ in 0..<500 {
            t += Int64.random(in: 1...100_000, using: &rng)
            samples.append(Sample(t, Double.random(in: -1e300...1e300, using: &rng)))
        }
        #expect(try roundTrip(samples) == samples)
    }

    @Test func extremeTimestamps() throws {
        let samples = [Sample(Int64.min / 4, 1), Sample(Int64.max / 4, 2), Sample(Int64.max / 4 + 1, 3)]
        #expect(try roundTrip(samples) == samples)
    }

    @Test func singleSampleAndTruncation() throws {
        #expect(try roundTrip([Sample(42, 1.5)]) == [Sample(42, 1.5)])
        var enc = XORChunkEncoder()
        for i in 0..<50 { enc.append(Int64(i) * 1000, Double(i * i)) }
        let cut = Array(enc.bytes.prefix(enc.bytes.count / 2))
        #expect(throws: XORChunkDecoder.Failure.self) { try XORChunkDecoder.decode(cut) }
    }

    @Test func compressesRegularData() throws {
        var enc = XORChunkEncoder()
        for i in 0..<120 { enc.append(Int64(i) * 15_000, 1024) }
        #expect(enc.bytes.count < 60)
    }
}

/// Corrupt bytes from disk make decoders fail, never trap.
@Suite struct CorruptInputTests {
    /// SplitMix64, so a failure reproduces.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }

    static func mutations(of bytes: [UInt8], count: Int, seed: UInt64) -> [[UInt8]] {
        var rng = Random(state: seed)
        var out: [[UInt8]] = []
        for _ in 0..<count {
            var b = bytes
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: // flip a few bits
                for _ in 0...Int.random(in: 0..<3, using: &rng) where !b.isEmpty {
                    b[Int.random(in: 0..<b.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                }
            case 1: // overwrite a byte
                if !b.isEmpty { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            default: // truncate
                b.removeLast(Int.random(in: 0...b.count, using: &rng))
            }
            out.append(b)
        }
        return out
    }

    @Test func xorValueWithOver64BitsIsAnError() {
        // count 2, t0 = 0, value 0, tDelta 1, then: changed, new window, leading 31, significant 40.
        var w = BitWriter()
        for b: UInt8 in [0, 2, 0] { w.write(UInt64(b), 8) }
        w.write(0, 64)
        w.write(1, 8)
        w.write(0b11, 2)
        w.write(31, 5)
        w.write(40, 6)
        w.write(0, 64)
        #expect(throws: XORChunkDecoder.Failure.self) { try XORChunkDecoder.decode(w.bytes) }
    }

    @Test func mutatedChunksOfEveryCodecFailCleanly() throws {
        var samples: [Sample] = []
        for i in 0..<200 {
            let t: Int64 = 1_700_000_000_000 + Int64(i) * 15_000 + Int64(i % 7)
            samples.append(Sample(t, Double(i % 13) * 0.1))
        }
        var enc = XORChunkEncoder()
        for s in samples { enc.append(s.timestamp, s.value) }
        let noisy = (0..<100).map { Sample(Int64($0), sin(Double($0))) }
        var enc2 = XORChunkEncoder()
        for s in noisy { enc2.append(s.timestamp, s.value) }
        let raw = try #require(DecimalChunk.encode(samples))
        var inputs: [(ChunkCodec, [UInt8])] = [(.xor, enc.bytes), (.xor, enc2.bytes), ChunkCodec.smallest(xor: enc.bytes)]
        let zlib = try #require(PartitionFile.deflate(enc.bytes))
        inputs.append((.xorZlib, zlib))
        for (i, (codec, bytes)) in inputs.enumerated() {
            for m in Self.mutations(of: bytes, count: 1500, seed: UInt64(i)) {
                try? codec.decode(m) { _, _ in }
            }
        }
        for m in Self.mutations(of: raw, count: 1500, seed: 99) { _ = DecimalChunk.decode(m) { _, _ in } }
    }

    @Test func mutatedWALPayloadsFailCleanly() {
        var series: [UInt8] = []
        WALRecord.encodeSeries(&series, [(1, Labels(["__name__": "up", "job": "api"])), (300, Labels(["a": "b"]))])
        var samples: [UInt8] = []
        WALRecord.encodeSamples(&samples, [(1, 1000, 1), (300, 2000, .nan), (1, -5, 0)])
        var chunk: [UInt8] = []
        var enc = XORChunkEncoder()
        for t in 0..<50 { enc.append(Int64(t) * 1000, Double(t)) }
        WALRecord.encodeChunk(&chunk, ref: 7, codec: .xor, chunk: enc.bytes)
        let header = WALRecord.headerSize
        for (i, record) in [series, samples, chunk].enumerated() {
            for m in Self.mutations(of: Array(record[header...]), count: 1500, seed: 1000 + UInt64(i)) {
                _ = WALRecord.decodeSeries(m) { _, _ in }
                _ = WALRecord.decodeSamples(m) { _, _, _ in }
                if let (_, codec, bytes) = WALRecord.decodeChunk(m) { try? codec.decode(bytes) { _, _ in } }
            }
            for m in Self.mutations(of: record, count: 500, seed: 2000 + UInt64(i)) {
                _ = WALReader.validRecord(m, at: 0)
                _ = WALReader.followedByValidRecord(m, at: 0)
            }
        }
    }

    struct BitWriter {
        var bytes: [UInt8] = []
        var used = 8
        mutating func write(_ value: UInt64, _ n: Int) {
            for i in stride(from: n - 1, through: 0, by: -1) {
                if used == 8 { bytes.append(0); used = 0 }
                if (value >> UInt64(i)) & 1 == 1 { bytes[bytes.count - 1] |= 0x80 >> UInt8(used) }
                used += 1
            }
        }
    }
}
