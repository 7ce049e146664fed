import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

/// `select` with hints reads lazily: a refused selection stops near its limit, and the grid's
/// thinning keeps every sample an evaluation point sees.
@Suite struct BoundedSelectTests {
    /// 50 series × 3,000 samples at 1 s, in written partitions and in the head.
    static func filledStore(_ dir: String) throws -> MetricStore {
        let store = try MetricStore(directory: dir, options: MetricStoreTests.small, logger: quietLogger)
        let labels = (0..<50).map { series("m", ["i": "\($0)"]) }
        for t in stride(from: Int64(0), to: 3_000_000, by: 1_000) {
            _ = try store.appendSync(labels.map { ($0, Sample(t, Double(t))) })
        }
        return store
    }

    @Test func aRefusedSelectionReadsAboutAsManySamplesAsItsLimit() throws {
        try withTempDirectory { dir in
            let store = try Self.filledStore(dir)
            defer { try? store.close() }
            #expect(store.stats.partitionsWritten > 0)
            let before = store.stats.samplesRead
            #expect(throws: SelectLimitError.tooManySamples) {
                try store.select([try LabelMatcher("__name__", .regexMatch, ".+")], start: 0, end: 3_000_000, hints: SelectHints(sampleLimit: 1_000))
            }
            // Without the limit bit while reading, this decoded all 150,000 samples first.
            let read = store.stats.samplesRead - before
            #expect(read > 1_000 && read < 2_000, "decoded \(read) samples for a limit of 1,000")
        }
    }

    @Test func aPassedDeadlineStopsReading() throws {
        try withTempDirectory { dir in
            let store = try Self.filledStore(dir)
            defer { try? store.close() }
            let hints = SelectHints(deadline: .now - .seconds(1))
            #expect(throws: SelectLimitError.timeout) {
                try store.select([.equal("__name__", "m")], start: 0, end: 3_000_000, hints: hints)
            }
        }
    }

    @Test func theGridKeepsWhatEveryPointSees() throws {
        try withTempDirectory { dir in
            let store = try Self.filledStore(dir)
            defer { try? store.close() }
            let all = try store.select([.equal("i", "7")], start: 0, end: 3_000_000)[0].samples
            // An instant selector every 60 s with a 5 s lookback, from 30.5 s: one sample per point.
            let latest = SampleGrid(first: 30_500, step: 60_000, count: 40, window: 5_000, latestOnly: true)
            let thinned = try store.select([.equal("i", "7")], start: 0, end: 3_000_000, hints: SelectHints(grid: latest))
            #expect(thinned[0].samples == (0..<40).map { k in all.last { $0.timestamp <= 30_500 + Int64(k) * 60_000 }! })
            // A 10 s range every 60 s: eleven samples per point, none between windows.
            let range = SampleGrid(first: 60_000, step: 60_000, count: 10, window: 10_000, latestOnly: false)
            let windows = try store.select([.equal("i", "7")], start: 0, end: 3_000_000, hints: SelectHints(grid: range))
            #expect(windows[0].samples == all.filter { s in
                (1...10).contains { k in s.timestamp <= Int64(k) * 60_000 && s.timestamp >= Int64(k) * 60_000 - 10_000 }
            })
            // The limit counts what is kept: 50 series × 40 points fit in 2,000.
            let every = try store.select([.equal("__name__", "m")], start: 0, end: 3_000_000,
                                         hints: SelectHints(sampleLimit: 2_000, grid: latest))
            #expect(every.count == 50 && every.allSatisfy { $0.samples.count == 40 })
        }
    }
}
