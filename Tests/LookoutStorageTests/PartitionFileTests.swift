import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

@Suite struct PartitionFileTests {
    func xor(_ samples: [Sample]) -> [UInt8] {
        var enc = XORChunkEncoder()
        for s in samples { enc.append(s.timestamp, s.value) }
        return enc.bytes
    }

    @Test func decimalEncodingRoundTrip() throws {
        let counter: [Sample] = (0..<480).map { (k: Int) -> Sample in
            Sample(Int64(k) * 15_000 + Int64(k % 5), Double(k * 7) / 100)
        }
        let pages: [Sample] = (0..<100).map { (k: Int) -> Sample in Sample(Int64(k) * 1000, Double(k * 4096 * 3)) }
        let cases: [[Sample]] = [
            counter,
            pages,
            [Sample(5, 1e15)],
            [Sample(1, 0.1), Sample(2, 0.25), Sample(3, -17.125)],
        ]
        for samples in cases {
            let raw = try #require(DecimalChunk.encode(samples))
            var out: [Sample] = []
            #expect(DecimalChunk.decode(raw) { out.append(Sample($0, $1)) })
            #expect(out == samples)
        }
        #expect(DecimalChunk.encode([Sample(1, .nan)]) == nil)
        #expect(DecimalChunk.encode([Sample(1, 1), Sample(2, StaleMarker.value)]) == nil)
        #expect(DecimalChunk.encode([Sample(1, .infinity)]) == nil)
        // Binary rounding noise is corrected exactly; whatever is encoded decodes bit for bit.
        var noisy: [Sample] = []
        var v = 0.0
        for k in 0..<300 {
            v += Double(k % 7) / 10 // accumulates 0.30000000000000004-style noise
            noisy.append(Sample(Int64(k) * 15_000, v))
        }
        for samples in [noisy, [Sample(1, -0.0), Sample(2, 0.0)], [Sample(1, .pi)]] {
            if let raw = DecimalChunk.encode(samples) {
                var out: [Sample] = []
                #expect(DecimalChunk.decode(raw) { out.append(Sample($0, $1)) })
                #expect(out == samples)
            }
        }
        #expect(DecimalChunk.encode(noisy) != nil)
    }

    @Test func recordsRoundTripWithEveryCodec() throws {
        let inputs: [[Sample]] = [
            (0..<480).map { Sample(Int64($0) * 15_000, Double($0 / 10)) },          // decimal
            (0..<300).map { Sample(Int64($0) * 15_000, sin(Double($0))) },         // xor (+zlib maybe)
            [Sample(0, 1), Sample(15_000, StaleMarker.value), Sample(30_000, .infinity)],
            [Sample(7, 7)],
        ]
        let entries = inputs.enumerated().map { i, s in
            PartitionFile.Entry(seriesID: UInt64(i + 10), minT: s.first!.timestamp, maxT: s.last!.timestamp, xorChunk: xor(s))
        }
        for compress in [false, true] {
            let (bytes, records) = PartitionFile.build(entries, compress: compress)
            #expect(Array(bytes.prefix(4)) == Array("LKMC".utf8))
            for (i, r) in records.enumerated() {
                let slice = Array(bytes[Int(r.offset)..<Int(r.offset + r.length)])
                var out: [Sample] = []
                let id = try PartitionFile.decodeRecord(slice, path: "x", offset: r.offset) { out.append(Sample($0, $1)) }
                #expect(id == UInt64(i + 10))
                #expect(out == inputs[i])
            }
            if compress { #expect(bytes[Int(records[0].offset) + 24] == ChunkCodec.decimalZlib.rawValue) }
        }
        // A flipped bit is caught by the CRC.
        let (bytes, records) = PartitionFile.build(entries, compress: true)
        var slice = Array(bytes[Int(records[1].offset)..<Int(records[1].offset + records[1].length)])
        slice[30] ^= 1
        #expect(throws: StorageError.self) { try PartitionFile.decodeRecord(slice, path: "x", offset: 0) { _, _ in } }
    }
}
