import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

/// `lookout repair`: a WAL corrupt before its tail opens again after repair, with what was lost
/// counted exactly and the original kept.
@Suite struct WALRepairTests {
    /// Five appends of one sample each (the first also defines the series), left in the segment as
    /// after a crash; returns the segment's path and each record's offset.
    static func crashedStore(_ dir: String) throws -> (path: String, offsets: [Int]) {
        do {
            let store = try MetricStore(directory: dir, logger: quietLogger)
            for t in 1...5 { _ = try store.appendSync(batch(series("c"), [(Int64(t) * 1000, Double(t))])) }
        }
        let wal = dir + "/wal"
        let segment = try FileManager.default.contentsOfDirectory(atPath: wal).filter { Int($0) != nil }.sorted().last!
        let bytes = try FileIO.read(wal + "/" + segment)
        var offsets: [Int] = []
        var offset = 0
        while let length = WALReader.validRecord(bytes, at: offset) {
            offsets.append(offset)
            offset += WALRecord.headerSize + length
        }
        #expect(offset == bytes.count && offsets.count == 6, "series record, then five samples records")
        return (wal + "/" + segment, offsets)
    }

    static func samples(_ dir: String) throws -> [Sample] {
        let store = try MetricStore(directory: dir, logger: quietLogger)
        defer { try? store.close() }
        return try store.select([.equal("__name__", "c")], start: 0, end: .max).first?.samples ?? []
    }

    @Test func aRecordWithABadChecksumIsSkipped() throws {
        try withTempDirectory { dir in
            let (path, offsets) = try Self.crashedStore(dir)
            var bytes = try FileIO.read(path)
            bytes[offsets[2] + WALRecord.headerSize + 2] ^= 0x40 // the payload of the second sample's record
            try FileIO.writeAtomically(bytes, to: path)
            #expect(throws: StorageError.self) { _ = try MetricStore(directory: dir, logger: quietLogger) }

            let report = try WALRepair.repair(dataDirectory: dir)
            #expect(report.damages.count == 1 && report.damages[0].truncated == false)
            #expect(report.damages[0].offset == Int64(offsets[2]) && report.damages[0].bytes == Int64(offsets[3] - offsets[2]))
            #expect(report.lostRecords == 1 && report.lostSamples == 1 && report.orphanedSamples == 0, "as far as its bytes decode")
            #expect(try Self.samples(dir).map(\.timestamp) == [1000, 3000, 4000, 5000])
            // The original is kept byte for byte.
            let kept = try FileIO.read(report.backupDirectory! + "/wal/" + (path as NSString).lastPathComponent)
            #expect(kept == bytes)
        }
    }

    @Test func aBadLengthCutsTheRestAndCountsWhatItHeld() throws {
        try withTempDirectory { dir in
            let (path, offsets) = try Self.crashedStore(dir)
            var bytes = try FileIO.read(path)
            bytes[offsets[3] + 4] ^= 0x7f // the length of the third sample's record: no frame follows it
            try FileIO.writeAtomically(bytes, to: path)

            let report = try WALRepair.repair(dataDirectory: dir)
            #expect(report.damages.count == 1 && report.damages[0].truncated)
            #expect(report.damages[0].offset == Int64(offsets[3]))
            // The bad record, then the two valid ones found after it.
            #expect(report.lostRecords == 3 && report.lostSamples == 2 && report.lostSeries == 0)
            #expect(report.minTime == 4000 && report.maxTime == 5000)
            #expect(try Self.samples(dir).map(\.timestamp) == [1000, 2000])
            #expect(try WALRepair.repair(dataDirectory: dir).isClean, "a second run finds nothing")
        }
    }

    @Test func laterSamplesOfALostSeriesAreCounted() throws {
        try withTempDirectory { dir in
            let (path, offsets) = try Self.crashedStore(dir)
            var bytes = try FileIO.read(path)
            bytes[offsets[0] + WALRecord.headerSize + 1] ^= 0x01 // the series record itself
            try FileIO.writeAtomically(bytes, to: path)
            let report = try WALRepair.repair(dataDirectory: dir)
            #expect(report.lostRecords == 1 && report.orphanedSamples == 5)
            #expect(report.minTime == 1000 && report.maxTime == 5000)
            #expect(try Self.samples(dir).isEmpty)
        }
    }
}
