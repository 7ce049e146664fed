import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

@Suite struct ConcurrencyTests {
    /// Writers, readers and background partition writes at once; nothing acknowledged goes missing.
    @Test func appendsQueriesAndPartitionWritesTogether() async throws {
        try await withTempDirectory { dir in
            let opts = StorageOptions(partitionDuration: 5_000, partitionGrace: 2_000)
            let store = try MetricStore(directory: dir, options: opts, logger: quietLogger)
            let writers = 4, steps = 150
            try await withThrowingTaskGroup(of: Void.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        for step in 0..<steps {
                            let t = Int64(step) * 100
                            let b = (0..<10).map { (series("c", ["w": "\(w)", "s": "\($0)"]), Sample(t, Double(step))) }
                            let r = try await store.append(b)
                            #expect(r.appended + r.outOfOrder == 10)
                        }
                    }
                }
                group.addTask {
                    for _ in 0..<40 {
                        _ = try store.select([.equal("__name__", "c")], start: 0, end: 100_000)
                        _ = try store.labelValues("w", matching: [], start: 0, end: 100_000)
                        try await Task.sleep(nanoseconds: 1_000_000)
                    }
                }
                try await group.waitForAll()
            }
            store.waitForBackgroundWork()
            let stats = store.stats
            let got = try store.select([.equal("__name__", "c")], start: 0, end: 100_000)
            #expect(got.count == writers * 10)
            #expect(got.reduce(0) { $0 + $1.samples.count } == stats.samplesAppended)
            for s in got {
                #expect(zip(s.samples, s.samples.dropFirst()).allSatisfy { $0.timestamp < $1.timestamp })
            }
            try store.close()
            let again = try MetricStore(directory: dir, options: opts, logger: quietLogger)
            defer { try? again.close() }
            let reread = try again.select([.equal("__name__", "c")], start: 0, end: 100_000)
            #expect(reread == got)
        }
    }
}

@Suite struct HeadCompactionTests {
    @Test func compactedChunksAnswerQueriesAndSurviveCheckpoints() throws {
        try withTempDirectory { dir in
            let opts = StorageOptions(partitionDuration: 50_000, partitionGrace: 10_000_000, samplesPerChunk: 20)
            var expected: [Sample] = []
            do {
                let store = try MetricStore(directory: dir, options: opts, logger: quietLogger)
                for i in 0..<200 {
                    let s = Sample(Int64(i) * 1000 + Int64(i % 3), i == 50 ? StaleMarker.value : Double(i * 37) / 100)
                    expected.append(s)
                    _ = try store.appendSync(batch(series("h"), [(s.timestamp, s.value)]))
                }
                store.compactHead()
                store.headLock.lock()
                let codecs = store.byLabels.values.first!.chunks.map(\.codec)
                store.headLock.unlock()
                // One chunk per partition (4 partitions, the last one's open chunk uncut).
                #expect(codecs.count == 4)
                #expect(codecs.filter { $0 == .decimalZlib }.count >= 2)
                #expect(codecs[1] == .xor || codecs[1] == .xorZlib) // partition 1 holds the stale marker
                // Compacting again (and appending more) keeps the data intact.
                for i in 200..<230 {
                    let s = Sample(Int64(i) * 1000, Double(i) / 4)
                    expected.append(s)
                    _ = try store.appendSync(batch(series("h"), [(s.timestamp, s.value)]))
                }
                store.compactHead()
                #expect(try store.select([.equal("__name__", "h")], start: 0, end: .max).first?.samples == expected)
                try store.close() // checkpoint holds compacted chunks
            }
            let store = try MetricStore(directory: dir, options: opts, logger: quietLogger)
            defer { try? store.close() }
            #expect(try store.select([.equal("__name__", "h")], start: 0, end: .max).first?.samples == expected)
        }
    }
}
