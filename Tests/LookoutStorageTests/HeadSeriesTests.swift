import LookoutModel
import Testing
@testable import LookoutStorage

/// The compact head: label sets kept as symbol ids, the series set looked up by `Labels`, the newest
/// sample derived from the chunks, and open chunks grown without doubling.
@Suite struct HeadSeriesTests {
    @Test func symbolsRoundTripAndShareStrings() {
        let symbols = LabelSymbols()
        let a: Labels = ["__name__": "node_cpu_seconds_total", "instance": "host-1:9100", "job": "node"]
        let b: Labels = ["__name__": "node_cpu_seconds_total", "instance": "host-2:9100", "job": "node"]
        let ia = symbols.encode(a), ib = symbols.encode(b)
        #expect(symbols.decode(ia) == a && symbols.decode(ib) == b)
        #expect(ia[0] == ib[0] && ia[1] == ib[1] && ia[3] != ib[3]) // shared name and metric name
        #expect(symbols.matches(ia, a) && !symbols.matches(ia, b) && !symbols.matches(ia, .empty))
        #expect(symbols.decode(symbols.encode(.empty)) == .empty)
    }

    @Test func seriesSetFindsByLabelsAndRemovesOnlyItsOwnSeries() {
        let symbols = LabelSymbols()
        var set = HeadSeriesSet()
        var all: [MemSeries] = []
        for i in 0..<2000 {
            let s = MemSeries(ref: UInt64(i + 1), labels: series("m\(i % 50)", ["i": "\(i)"]), symbols: symbols)
            set.insert(s)
            all.append(s)
        }
        #expect(set.count == 2000)
        for (i, s) in all.enumerated() {
            #expect(set[series("m\(i % 50)", ["i": "\(i)"])] === s)
        }
        #expect(set[series("m0", ["i": "1"])] == nil)
        #expect(set[series("m0")] == nil)
        // A newer series under the same labels replaces the first; removing the first leaves it.
        let twin = MemSeries(ref: 9999, labels: all[7].labels, symbols: symbols)
        set.insert(twin)
        #expect(set.count == 2000 && set[all[7].labels] === twin)
        #expect(!set.contains(all[7]) && set.contains(twin))
        set.remove(all[7])
        #expect(set[all[7].labels] === twin)
        set.remove(twin)
        #expect(set.count == 1999 && set[all[7].labels] == nil)
        set[all[8].labels] = nil
        #expect(set.count == 1998 && Set(set.values.map(\.ref)).count == 1998)
    }

    @Test func duplicateDetectionSurvivesAChunkCut() {
        let s = MemSeries(ref: 1, labels: series("m"), symbols: LabelSymbols())
        #expect(s.lastT == .min && s.minT == nil)
        for t in Int64(1)...3 {
            #expect(s.append(t * 1000, Double(t) / 10, partitionDuration: 1 << 40, samplesPerChunk: 120,
                             newPartition: { _ in }) == .appended)
        }
        s.cut()
        #expect(s.open == nil && s.lastT == 3000 && s.lastBits == (0.3).bitPattern)
        #expect(s.append(3000, 0.3, partitionDuration: 1 << 40, samplesPerChunk: 120, newPartition: { _ in }) == .ignored)
        #expect(s.append(3000, 0.4, partitionDuration: 1 << 40, samplesPerChunk: 120, newPartition: { _ in }) == .duplicate)
        #expect(s.append(2000, 0.4, partitionDuration: 1 << 40, samplesPerChunk: 120, newPartition: { _ in }) == .outOfOrder)
        #expect(s.append(4000, 0.4, partitionDuration: 1 << 40, samplesPerChunk: 120, newPartition: { _ in }) == .appended)
        #expect(s.lastT == 4000 && s.lastBits == (0.4).bitPattern && s.minT == 1000)
    }

    @Test func openChunkGrowsByAnEighthNotByDoubling() throws {
        var enc = XORChunkEncoder(reservingCapacity: 24)
        var rng = SystemRandomNumberGenerator()
        var samples: [Sample] = []
        for i in 0..<2000 {
            let sample = Sample(Int64(i) * 15_000, Double.random(in: 0..<1e6, using: &rng))
            enc.append(sample.timestamp, sample.value)
            samples.append(sample)
            #expect(enc.bytes.capacity <= max(enc.bytes.count + 64, enc.bytes.count * 5 / 4))
        }
        #expect(try XORChunkDecoder.decode(enc.bytes) == samples)
    }
}
