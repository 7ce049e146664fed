import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

@Suite struct WALTests {
    func writeRecords(_ path: String, count: Int) throws -> [Int] {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for i in 0..<count {
            WALRecord.encodeSamples(&bytes, [(UInt64(i + 1), Int64(i) * 1000, Double(i)), (7, Int64(i) * 1000 + 1, .nan)])
            ends.append(bytes.count)
        }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return ends
    }

    @Test func framingRoundTrip() throws {
        try withTempDirectory { dir in
            let path = dir + "/00000001"
            var bytes: [UInt8] = []
            WALRecord.encodeSeries(&bytes, [(1, series("up", ["job": "a\"b\\c\nd"])), (2, series("x"))])
            WALRecord.encodeSamples(&bytes, [(1, 1000, 1), (2, 900, StaleMarker.value)])
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            var seen: [(UInt8, [UInt8])] = []
            let r = try WALReader.read(path, cutTornTail: true) { t, p, _ in seen.append((t, p)) }
            #expect(r.records == 2 && !r.tornTail && r.validLength == Int64(bytes.count))
            var labels: [Labels] = []
            #expect(WALRecord.decodeSeries(seen[0].1) { _, l in labels.append(l) })
            #expect(labels == [series("up", ["job": "a\"b\\c\nd"]), series("x")])
            var samples: [(UInt64, Int64, UInt64)] = []
            #expect(WALRecord.decodeSamples(seen[1].1) { samples.append(($0, $1, $2.bitPattern)) })
            #expect(samples.count == 2 && samples[1].1 == 900 && samples[1].2 == StaleMarker.bits)
        }
    }

    @Test func tornTailIsCut() throws {
        try withTempDirectory { dir in
            let path = dir + "/00000001"
            let ends = try writeRecords(path, count: 5)
            // Cut in the middle of the last record.
            try FileIO.truncate(path, to: Int64(ends[4] - 3))
            let r = try WALReader.read(path, cutTornTail: true) { _, _, _ in }
            #expect(r.records == 4 && r.tornTail)
            #expect(FileIO.size(path) == Int64(ends[3]))
            // Reading again finds a clean file.
            let again = try WALReader.read(path, cutTornTail: true) { _, _, _ in }
            #expect(again.records == 4 && !again.tornTail)
        }
    }

    @Test func garbageTailIsCut() throws {
        try withTempDirectory { dir in
            let path = dir + "/00000001"
            let ends = try writeRecords(path, count: 3)
            let h = FileHandle(forWritingAtPath: path)!
            h.seekToEndOfFile()
            h.write(Data([2, 200, 0, 0, 0, 1, 2, 3, 4, 9, 9]))
            h.closeFile()
            let r = try WALReader.read(path, cutTornTail: true) { _, _, _ in }
            #expect(r.records == 3 && r.tornTail && FileIO.size(path) == Int64(ends[2]))
        }
    }

    @Test func corruptionBeforeTheTailIsAnError() throws {
        try withTempDirectory { dir in
            let path = dir + "/00000001"
            let ends = try writeRecords(path, count: 5)
            var bytes = try FileIO.read(path)
            bytes[ends[1] + 12] ^= 0xff // payload of the third record
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            do {
                _ = try WALReader.read(path, cutTornTail: true) { _, _, _ in }
                Issue.record("expected corruption error")
            } catch let e as StorageError {
                #expect(e.code == .corruption)
                #expect(e.offset == Int64(ends[1]))
                #expect(e.file == path)
            }
            // In a file that is not the last one, even a torn tail is an error.
            try FileIO.truncate(path, to: Int64(ends[0] + 4))
            #expect(throws: StorageError.self) { try WALReader.read(path, cutTornTail: false) { _, _, _ in } }
        }
    }
}

@Suite struct WALFailureTests {
    /// Disk full: after the first failed write every append fails at once, nothing piles up in memory
    /// and the writer thread does not retry in a loop.
    @Test(arguments: [FsyncMode.batch, .interval(milliseconds: 1), .always])
    func diskFullFailsAppendsWithoutSpinning(mode: FsyncMode) async throws {
        try await withTempDirectory { dir in
            let log = CountingLog()
            let store = try MetricStore(directory: dir, options: StorageOptions(fsync: mode), logger: log.logger)
            defer { try? store.close() }
            let m = series("m")
            #expect(try await store.append(batch(m, [(1000, 1)])).appended == 1)
            // The segment's descriptor now refers to /dev/full: every write fails with ENOSPC.
            let full = open("/dev/full", O_WRONLY)
            #expect(full >= 0 && dup2(full, store.wal.fd) >= 0)
            close(full)
            await #expect(throws: StorageError.self) { try await store.append(batch(m, [(2000, 2)])) }
            for t in 3...50 {
                await #expect(throws: StorageError.self) { try await store.append(batch(m, [(Int64(t) * 1000, 3)])) }
                #expect(throws: StorageError.self) { try store.appendSync(batch(m, [(Int64(t) * 1000 + 500, 3)])) }
            }
            #expect(throws: StorageError.self) { try store.seriesRef(for: series("other")) }
            try await Task.sleep(for: .milliseconds(50))
            #expect(store.wal.pendingBytes == 0)
            #expect(log.count("WAL flush failed") <= 1)
            // Appends refused up front never reached the head.
            let got = try store.select([.equal("__name__", "m")], start: 0, end: .max).first?.samples ?? []
            #expect(!got.contains { $0.timestamp >= 3000 })
        }
    }
}

/// Appends nobody waits for (scrapes): written at once, fsynced within a second with group commit,
/// and at once in the other modes.
@Suite struct UnwaitedAppendTests {
    @Test func groupCommitWritesAtOnceAndFsyncsWithinASecond() async throws {
        try await withTempDirectory { dir in
            do {
                let store = try MetricStore(directory: dir, options: StorageOptions(fsync: .batch), logger: quietLogger)
                let ref = try store.seriesRef(for: series("scraped"))
                let fsyncsBefore = store.data.walFsyncStats.0
                _ = try await store.append(refs: [(ref, Sample(1000, 1)), (ref, Sample(2000, 2))], waitUntilDurable: false)
                let started = ContinuousClock.now
                while store.wal.pendingBytes > 0 && ContinuousClock.now - started < .seconds(1) {
                    try await Task.sleep(for: .milliseconds(5))
                }
                #expect(store.wal.pendingBytes == 0, "written at once")
                // About a second later (the bound is generous: fsyncs queue behind other tests').
                while store.data.walFsyncStats.0 == fsyncsBefore && ContinuousClock.now - started < .seconds(10) {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(store.data.walFsyncStats.0 > fsyncsBefore, "fsynced without anyone waiting")
                // No close(): the process dies here; what was written survives it.
            }
            let reopened = try MetricStore(directory: dir, logger: quietLogger)
            defer { try? reopened.close() }
            #expect(try reopened.select([.equal("__name__", "scraped")], start: .min, end: .max).first?.samples
                    == [Sample(1000, 1), Sample(2000, 2)])
        }
    }

    @Test func alwaysModeFsyncsBeforeReturning() async throws {
        try await withTempDirectory { dir in
            let store = try MetricStore(directory: dir, options: StorageOptions(fsync: .always), logger: quietLogger)
            defer { try? store.close() }
            let ref = try store.seriesRef(for: series("scraped"))
            let before = store.data.walFsyncStats.0
            _ = try await store.append(refs: [(ref, Sample(1000, 1))], waitUntilDurable: false)
            #expect(store.data.walFsyncStats.0 > before)
            #expect(store.wal.pendingBytes == 0)
        }
    }
}
