import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

@Suite struct MetricStoreTests {
    /// Small partitions so tests write several of them quickly.
    static let small = StorageOptions(retention: 50_000, partitionDuration: 10_000, partitionGrace: 5_000)

    @Test func appendAndSelectFromHead() throws {
        try withTempDirectory { dir in
            let store = try MetricStore(directory: dir, logger: quietLogger)
            defer { try? store.close() }
            let a = series("up", ["job": "api"]), b = series("up", ["job": "db"])
            let r = try store.appendSync(batch(a, [(1000, 1), (2000, 0)]) + batch(b, [(1000, 1)]))
            #expect(r == AppendResult(appended: 3, outOfOrder: 0, duplicates: 0, seriesAdded: 2))
            let got = try store.select([.equal("__name__", "up")], start: 0, end: 5000)
            #expect(got == [SeriesData(labels: a, samples: [Sample(1000, 1), Sample(2000, 0)]),
                            SeriesData(labels: b, samples: [Sample(1000, 1)])])
            #expect(try store.select([.equal("job", "api")], start: 1500, end: 2000)
                    == [SeriesData(labels: a, samples: [Sample(2000, 0)])])
            #expect(try store.select([.equal("job", "api")], start: 3000, end: 4000).isEmpty)
            #expect(store.stats.headSeries == 2)
        }
    }

    @Test func outOfOrderAndDuplicatesAreCounted() throws {
        try withTempDirectory { dir in
            let store = try MetricStore(directory: dir, logger: quietLogger)
            defer { try? store.close() }
            let a = series("m")
            _ = try store.appendSync(batch(a, [(1000, 1), (2000, 2)]))
            let r = try store.appendSync(batch(a, [(1500, 9), (2000, 3), (2000, 2), (3000, 3)]))
            #expect(r == AppendResult(appended: 1, outOfOrder: 1, duplicates: 1, seriesAdded: 0))
            let s = store.stats
            #expect(s.outOfOrderRejected == 1 && s.duplicatesRejected == 1 && s.samplesAppended == 3)
            #expect(try store.select([.equal("__name__", "m")], start: 0, end: 10_000).first?.samples
                    == [Sample(1000, 1), Sample(2000, 2), Sample(3000, 3)])
        }
    }

    @Test func partitionsAreWrittenAndQueriedWithTheHead() throws {
        try withTempDirectory { dir in
            let store = try MetricStore(directory: dir, options: Self.small, logger: quietLogger)
            defer { try? store.close() }
            let labels = (0..<5).map { series("cpu", ["core": "\($0)"]) }
            var expected: [Labels: [Sample]] = [:]
            for t in stride(from: Int64(0), to: 60_000, by: 500) {
                var b: [(labels: Labels, sample: Sample)] = []
                for (i, l) in labels.enumerated() {
                    let s = Sample(t, i == 0 && t == 7_000 ? StaleMarker.value : Double(t) / 100 + Double(i))
                    b.append((l, s))
                    expected[l, default: []].append(s)
                }
                _ = try store.appendSync(b)
            }
            let stats = store.stats
            #expect(stats.partitionsWritten >= 4)
            #expect(stats.minValidTime >= 40_000)
            #expect(FileManager.default.fileExists(atPath: dir + "/metrics/0/chunks-000001"))
            let got = try store.select([.equal("__name__", "cpu")], start: 0, end: 60_000)
            #expect(got.count == 5)
            for s in got { #expect(s.samples == expected[s.labels]) }
            // A range across disk and head.
            let mid = try store.select([.equal("core", "3")], start: 38_000, end: 52_000)
            #expect(mid.first?.samples == expected[labels[3]]!.filter { $0.timestamp >= 38_000 && $0.timestamp <= 52_000 })
            // Samples for written partitions are out of order now.
            let late = try store.appendSync(batch(series("new"), [(1000, 1)]))
            #expect(late.outOfOrder == 1 && late.seriesAdded == 1)
        }
    }

    @Test func reopenAfterCloseFindsEverything() throws {
        try withTempDirectory { dir in
            var expected: [Sample] = []
            do {
                let store = try MetricStore(directory: dir, options: Self.small, logger: quietLogger)
                for t in stride(from: Int64(0), to: 33_000, by: 1000) {
                    _ = try store.appendSync(batch(series("x"), [(t, Double(t))]))
                    expected.append(Sample(t, Double(t)))
                }
                try store.close()
                try store.close() // idempotent
                #expect(throws: StorageError.self) { try store.appendSync(batch(series("x"), [(99_000, 1)])) }
            }
            let store = try MetricStore(directory: dir, options: Self.small, logger: quietLogger)
            defer { try? store.close() }
            #expect(try store.select([.equal("__name__", "x")], start: .min, end: .max).first?.samples == expected)
            // Appending continues where it stopped.
            #expect(try store.appendSync(batch(series("x"), [(33_000, 1)])).appended == 1)
            #expect(try store.appendSync(batch(series("x"), [(32_000, 1)])).outOfOrder == 1)
        }
    }

    @Test func reopenAfterCrashFindsEveryAcknowledgedSample() async throws {
        try await withTempDirectory { dir in
            var expected: [Labels: [Sample]] = [:]
            do {
                // No close(): the process "dies" with the store open.
                let store = try MetricStore(directory: dir, options: Self.small, logger: quietLogger)
                for t in stride(from: Int64(0), to: 27_000, by: 250) {
                    var b: [(labels: Labels, sample: Sample)] = []
                    for i in 0..<3 {
                        let l = series("req", ["i": "\(i)"])
                        b.append((l, Sample(t, Double(t * Int64(i)))))
                        expected[l, default: []].append(Sample(t, Double(t * Int64(i))))
                    }
                    _ = try await store.append(b)
                }
                store.waitForBackgroundWork() // a dead process writes nothing more
            }
            var progressCalls = 0
            let counter = ProgressCounter()
            let store = try MetricStore(directory: dir, options: Self.small, logger: quietLogger,
                                        progress: { done, total in counter.record(done, total) })
            defer { try? store.close() }
            progressCalls = counter.calls
            #expect(progressCalls >= 1)
            #expect(counter.last.0 == counter.last.1)
            #expect(store.stats.walRecordsReplayed > 0)
            let got = try store.select([.equal("__name__", "req")], start: .min, end: .max)
            #expect(got.count == 3)
            for s in got { #expect(s.samples == expected[s.labels]) }
        }
    }

    @Test func tornWALTailIsCutOnOpen() throws {
        try withTempDirectory { dir in
            do {
                let store = try MetricStore(directory: dir, logger: quietLogger)
                _ = try store.appendSync(batch(series("t"), [(1, 1), (2, 2)]))
                _ = try store.appendSync(batch(series("t"), [(3, 3)]))
            }
            let wal = dir + "/wal"
            let segment = try FileManager.default.contentsOfDirectory(atPath: wal).filter { Int($0) != nil }.sorted().last!
            let size = FileIO.size(wal + "/" + segment)
            // A half-written record at the end, as after a crash mid-write.
            try FileIO.truncate(wal + "/" + segment, to: size - 5)
            let store = try MetricStore(directory: dir, logger: quietLogger)
            defer { try? store.close() }
            #expect(try store.select([.equal("__name__", "t")], start: 0, end: 10).first?.samples
                    == [Sample(1, 1), Sample(2, 2)])
        }
    }

    @Test func corruptWALBeforeTheTailFailsOpen() throws {
        try withTempDirectory { dir in
            do {
                let store = try MetricStore(directory: dir, logger: quietLogger)
                for t in 1...5 { _ = try store.appendSync(batch(series("c"), [(Int64(t), 1)])) }
            }
            let wal = dir + "/wal"
            let segment = try FileManager.default.contentsOfDirectory(atPath: wal).filter { Int($0) != nil }.sorted().last!
            var bytes = try FileIO.read(wal + "/" + segment)
            bytes[12] ^= 0x55
            _ = FileManager.default.createFile(atPath: wal + "/" + segment, contents: Data(bytes))
            #expect {
                _ = try MetricStore(directory: dir, logger: quietLogger)
            } throws: { error in
                guard let e = error as? StorageError else { return false }
                return e.code == .corruption && e.file?.hasSuffix(segment) == true && e.offset == 0
            }
        }
    }

    @Test func retentionDeletesOldPartitions() throws {
        try withTempDirectory { dir in
            let store = try MetricStore(directory: dir, options: Self.small, logger: quietLogger)
            defer { try? store.close() }
            for t in stride(from: Int64(0), to: 100_000, by: 1000) {
                _ = try store.appendSync(batch(series("r"), [(t, 1)]) + (t < 15_000 ? batch(series("old"), [(t, 2)]) : []))
            }
            #expect(FileManager.default.fileExists(atPath: dir + "/metrics/0"))
            try store.enforceRetention(now: 100_000) // cutoff 50_000
            let left = try FileManager.default.contentsOfDirectory(atPath: dir + "/metrics").compactMap(Int64.init).sorted()
            #expect(left.first == 50_000) // [40_000, 50_000) ended at the cutoff
            let r = try store.select([.equal("__name__", "r")], start: 0, end: 100_000)
            #expect(r.first?.samples.first?.timestamp == 50_000)
            #expect(try store.select([.equal("__name__", "old")], start: 0, end: 100_000).isEmpty)
            #expect(try store.labelValues("__name__", matching: [], start: 0, end: 100_000) == ["r"])
            #expect(store.stats.partitionsDeleted == 5)
        }
    }

    @Test func fsyncModes() async throws {
        for mode in [FsyncMode.always, .interval(milliseconds: 5), .batch] {
            try await withTempDirectory { dir in
                let store = try MetricStore(directory: dir, options: StorageOptions(fsync: mode), logger: quietLogger)
                for t in 1...5 { _ = try await store.append(batch(series("f"), [(Int64(t), 1)])) }
                if mode == .always { #expect(store.stats.walFsyncs >= 5) }
                try store.close()
                let again = try MetricStore(directory: dir, logger: quietLogger)
                #expect(try again.select([.equal("__name__", "f")], start: 0, end: 10).first?.samples.count == 5)
                try again.close()
            }
        }
    }

    @Test func groupCommitSharesFsyncs() async throws {
        try await withTempDirectory { dir in
            let store = try MetricStore(directory: dir, logger: quietLogger)
            let before = store.stats.walFsyncs
            let appends = 400
            try await withThrowingTaskGroup(of: AppendResult.self) { group in
                for i in 0..<appends {
                    group.addTask {
                        try await store.append(batch(series("g", ["w": "\(i % 20)"]), [(Int64(i), Double(i))]))
                    }
                }
                var total = 0
                for try await r in group { total += r.appended + r.outOfOrder }
                #expect(total == appends)
            }
            let fsyncs = store.stats.walFsyncs - before
            #expect(fsyncs >= 1)
            #expect(fsyncs < appends)
            try store.close()
            let again = try MetricStore(directory: dir, logger: quietLogger)
            defer { try? again.close() }
            let n = try again.select([.equal("__name__", "g")], start: 0, end: 1000).reduce(0) { $0 + $1.samples.count }
            #expect(n == store.stats.samplesAppended)
        }
    }
}

/// Collects progress callbacks from replay.
final class ProgressCounter: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var _calls = 0
    private var _last: (Int64, Int64) = (0, 0)

    func record(_ done: Int64, _ total: Int64) {
        lock.lock()
        _calls += 1
        _last = (done, total)
        lock.unlock()
    }

    var calls: Int { lock.lock(); defer { lock.unlock() }; return _calls }
    var last: (Int64, Int64) { lock.lock(); defer { lock.unlock() }; return _last }
}

@Suite struct TimeBoundsTests {
    static func options(_ clock: TestClock) -> StorageOptions {
        var o = StorageOptions(retention: 50_000, partitionDuration: 10_000, partitionGrace: 5_000)
        o.clock = { clock.now }
        return o
    }

    @Test func samplesFromTheFarFutureAreRejected() throws {
        try withTempDirectory { dir in
            let clock = TestClock(100_000)
            let store = try MetricStore(directory: dir, options: Self.options(clock), logger: quietLogger)
            defer { try? store.close() }
            let m = series("m")
            // Microseconds instead of milliseconds.
            let r = try store.appendSync(batch(m, [(100_000_000, 1)]))
            #expect(r == AppendResult(appended: 0, outOfOrder: 1, duplicates: 0, seriesAdded: 1, outOfBounds: 1))
            // Up to one partition duration ahead of the clock is fine, one more millisecond is not.
            #expect(try store.appendSync(batch(m, [(110_000, 1), (110_001, 1)])).outOfBounds == 1)
            #expect(try store.appendSync(refs: [(store.seriesRef(for: m), Sample(120_000, 1))]).outOfBounds == 1)
            let s = store.stats
            #expect(s.outOfBoundsRejected == 3 && s.outOfOrderRejected == 3 && s.partitionsWritten == 0)
            // Backfilling years into the past (lookout import) still works.
            let old = series("old")
            for t in stride(from: Int64(-400 * 86_400_000), to: -399 * 86_400_000, by: 3_600_000) {
                #expect(try store.appendSync(batch(old, [(t, 1)])).appended == 1)
            }
            #expect(store.stats.partitionsWritten > 0)
            #expect(try store.appendSync(batch(series("now"), [(100_000, 1)])).appended == 1)
        }
    }

    /// A far-future sample already in the head (logged before the bound existed) must not make current
    /// partitions due: ingestion goes on after a restart.
    @Test func farFutureSampleInTheHeadDoesNotStopIngestion() throws {
        try withTempDirectory { dir in
            let future: Int64 = 1_000_000_000_000_000
            do {
                // A clock far ahead lets the sample in; the process then dies without closing.
                let store = try MetricStore(directory: dir, options: Self.options(TestClock(future)), logger: quietLogger)
                #expect(try store.appendSync(batch(series("f"), [(future, 1)])).appended == 1)
                store.waitForBackgroundWork()
            }
            let clock = TestClock(100_000)
            let store = try MetricStore(directory: dir, options: Self.options(clock), logger: quietLogger)
            defer { try? store.close() }
            let m = series("m")
            for t in stride(from: Int64(100_000), to: 160_000, by: 1000) {
                clock.now = t
                #expect(try store.appendSync(batch(m, [(t, 1)])).appended == 1)
            }
            #expect(store.stats.partitionsWritten >= 3)
            #expect(try store.select([.equal("__name__", "m")], start: 0, end: .max).first?.samples.count == 60)
            #expect(try store.select([.equal("__name__", "f")], start: 0, end: .max).first?.samples == [Sample(future, 1)])
        }
    }

    /// A WAL sample record with a timestamp no append accepts is corruption, not a trap.
    @Test func outOfBoundsTimestampInTheWALIsCorruption() throws {
        try withTempDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/wal", withIntermediateDirectories: true)
            var bytes: [UInt8] = []
            WALRecord.encodeSeries(&bytes, [(1, series("x"))])
            let offset = bytes.count
            WALRecord.encodeSamples(&bytes, [(1, .min + 1, 1)])
            WALRecord.encodeSamples(&bytes, [(1, 1000, 1)])
            let segment = dir + "/wal/" + WriteAheadLog.segmentName(1)
            _ = FileManager.default.createFile(atPath: segment, contents: Data(bytes))
            #expect {
                _ = try MetricStore(directory: dir, logger: quietLogger)
            } throws: { error in
                guard let e = error as? StorageError else { return false }
                return e.code == .corruption && e.file == segment && e.offset == Int64(offset)
            }
        }
    }
}

@Suite struct LifecycleTests {
    /// An open that fails after the WAL is created releases the LOCK file, the WAL segment (and its
    /// writer thread) and the index.
    @Test func failedOpenReleasesEverything() throws {
        try withTempDirectory { dir in
            let options = StorageOptions(partitionDuration: 10_000, partitionGrace: 5_000)
            var stopped = options
            stopped.clock = { 12_000 } // nothing is due yet
            do {
                let store = try MetricStore(directory: dir, options: stopped, logger: quietLogger)
                for t in stride(from: Int64(0), through: 21_000, by: 1000) {
                    _ = try store.appendSync(batch(series("x"), [(t, 1)]))
                }
                #expect(store.stats.partitionsWritten == 0)
                try store.close()
            }
            // With the real clock partition 0 is due on open, but a file stands where its directory goes.
            #expect(FileManager.default.createFile(atPath: dir + "/metrics/0", contents: Data()))
            #expect(throws: StorageError.self) { try MetricStore(directory: dir, options: options, logger: quietLogger) }
            #expect(openDescriptors(under: dir) == [])
            try FileManager.default.removeItem(atPath: dir + "/metrics/0")
            let store = try MetricStore(directory: dir, options: options, logger: quietLogger)
            defer { try? store.close() }
            #expect(store.stats.partitionsWritten == 1)
            #expect(try store.select([.equal("__name__", "x")], start: 0, end: .max).first?.samples.count == 22)
        }
    }

    /// A series revived under its on-disk id while retention runs keeps its index row and postings.
    @Test func retentionDoesNotDeleteASeriesRevivedMeanwhile() throws {
        try withTempDirectory { dir in
            let store = try MetricStore(directory: dir, options: MetricStoreTests.small, logger: quietLogger)
            defer { try? store.close() }
            for t in stride(from: Int64(0), to: 100_000, by: 1000) {
                _ = try store.appendSync(batch(series("r"), [(t, 1)]) + (t < 5_000 ? batch(series("old"), [(t, 2)]) : []))
            }
            #expect(store.stats.headSeries == 1) // "old" lives on disk only
            let done = DispatchSemaphore(value: 0)
            let result = ResultBox()
            store.retentionWillDelete = {
                store.retentionWillDelete = nil
                Thread.detachNewThread {
                    result.set(Result { try store.appendSync(batch(series("old"), [(99_500, 3)])) })
                    done.signal()
                }
                // Give the append every chance to run in between (it cannot once retention holds the head).
                if done.wait(timeout: .now() + .milliseconds(200)) == .success { done.signal() }
            }
            try store.enforceRetention(now: 100_000)
            done.wait()
            #expect(try result.get().appended == 1)
            #expect(try store.select([.equal("__name__", "old")], start: 0, end: .max).first?.samples
                    == [Sample(99_500, 3)])
        }
    }

    final class ResultBox: @unchecked Sendable { // `lock` guards `value`
        private let lock = NSLock()
        private var value: Result<AppendResult, any Error>?
        func set(_ r: Result<AppendResult, any Error>) { lock.lock(); value = r; lock.unlock() }
        func get() throws -> AppendResult { lock.lock(); defer { lock.unlock() }; return try value!.get() }
    }
}
