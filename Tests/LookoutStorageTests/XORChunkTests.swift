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
