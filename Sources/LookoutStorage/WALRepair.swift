import Foundation

/// `lookout repair`: makes a data directory whose WAL is corrupt before its tail open again, and
/// says exactly what that cost.
///
/// Rules:
/// 1. Files are read in replay order (checkpoint, then segments). At a bad record (CRC or length),
///    if its length field is plausible and a valid record follows, only that record is skipped;
///    otherwise the file is truncated there.
/// 2. The original of every file changed is copied first to `repair-<time>/wal/` in the data
///    directory, and stays there.
/// 3. What is lost is counted from the damaged bytes: records, series definitions, samples and
///    their time range (records found by resynchronising on valid frames inside a cut part count
///    too, and a skipped record counts as far as its damaged bytes still decode), plus later
///    samples of series defined only in what was lost, which replay would drop.
/// 4. The data directory must not be in use: its lock is taken for the repair.
public enum WALRepair {
    /// What one repair lost and kept.
    public struct Report: Sendable {
        public struct Damage: Sendable {
            public var file: String
            public var offset: Int64
            /// Bytes cut off the end (truncation) or skipped (one record).
            public var bytes: Int64
            public var truncated: Bool
        }

        public var damages: [Damage] = []
        public var lostRecords = 0
        public var lostSeries = 0
        public var lostSamples = 0
        public var lostChunks = 0
        /// Samples after the damage whose series was defined only in the damaged part.
        public var orphanedSamples = 0
        /// Time range (ms) of the lost and orphaned samples.
        public var minTime: Int64?
        public var maxTime: Int64?
        /// Where the originals of changed files were copied, if any were.
        public var backupDirectory: String?
        public var filesChecked = 0

        public var isClean: Bool { damages.isEmpty }

        mutating func lose(sampleAt t: Int64) {
            minTime = min(minTime ?? t, t)
            maxTime = max(maxTime ?? t, t)
        }
    }

    /// Repairs `dataDirectory`'s WAL in place; `progress` gets (files done, files).
    public static func repair(dataDirectory: String, now: Date = Date(),
                              progress: ((Int, Int) -> Void)? = nil) throws -> Report {
        let lock = try FileIO.lockFile(dataDirectory + "/LOCK")
        defer { FileIO.close(lock) }
        let wal = dataDirectory + "/wal"
        let files = replayOrder(wal)
        var report = Report()
        var lostRefs = Set<UInt64>()
        let stamp = Int64(now.timeIntervalSince1970)
        for (i, path) in files.enumerated() {
            progress?(i, files.count)
            report.filesChecked += 1
            var bytes = try FileIO.read(path)
            var offset = 0
            var changed = false
            while offset < bytes.count {
                if let length = WALReader.validRecord(bytes, at: offset) {
                    account(bytes, offset, length, lost: false, &report, &lostRefs)
                    offset += WALRecord.headerSize + length
                    continue
                }
                changed = true
                if WALReader.followedByValidRecord(bytes, at: offset) {
                    var r = ByteReader(bytes, offset: offset + 1)
                    let skipped = WALRecord.headerSize + Int(r.uint32LE()!)
                    report.damages.append(.init(file: path, offset: Int64(offset), bytes: Int64(skipped), truncated: false))
                    // Its bytes fail their CRC but mostly hold: what they decode to is counted as lost.
                    account(bytes, offset, skipped - WALRecord.headerSize, lost: true, &report, &lostRefs)
                    bytes.removeSubrange(offset..<(offset + skipped))
                } else {
                    report.damages.append(.init(file: path, offset: Int64(offset), bytes: Int64(bytes.count - offset), truncated: true))
                    report.lostRecords += 1 // the bad record itself
                    var scan = offset + 1
                    while scan < bytes.count {
                        if let length = WALReader.validRecord(bytes, at: scan) {
                            account(bytes, scan, length, lost: true, &report, &lostRefs)
                            scan += WALRecord.headerSize + length
                        } else {
                            scan += 1
                        }
                    }
                    bytes.removeSubrange(offset...)
                }
            }
            if changed {
                let backup = dataDirectory + "/repair-\(stamp)/wal"
                try FileManager.default.createDirectory(atPath: backup, withIntermediateDirectories: true)
                let copy = backup + "/" + (path as NSString).lastPathComponent
                if !FileManager.default.fileExists(atPath: copy) { try FileManager.default.copyItem(atPath: path, toPath: copy) }
                report.backupDirectory = dataDirectory + "/repair-\(stamp)"
                try FileIO.writeAtomically(bytes, to: path)
            }
        }
        progress?(files.count, files.count)
        return report
    }

    /// Counts one valid record: as lost (inside a cut part), or as kept, where its samples may
    /// belong to a series whose definition was lost.
    private static func account(_ bytes: [UInt8], _ offset: Int, _ length: Int, lost: Bool,
                                _ report: inout Report, _ lostRefs: inout Set<UInt64>) {
        let type = bytes[offset]
        let payload = Array(bytes[(offset + WALRecord.headerSize)..<(offset + WALRecord.headerSize + length)])
        if lost { report.lostRecords += 1 }
        switch WALRecordType(rawValue: type) {
        case .series:
            _ = WALRecord.decodeSeries(payload) { ref, _ in
                if lost {
                    report.lostSeries += 1
                    lostRefs.insert(ref)
                } else {
                    lostRefs.remove(ref)
                }
            }
        case .samples:
            _ = WALRecord.decodeSamples(payload) { ref, t, _ in
                if lost {
                    report.lostSamples += 1
                    report.lose(sampleAt: t)
                } else if lostRefs.contains(ref) {
                    report.orphanedSamples += 1
                    report.lose(sampleAt: t)
                }
            }
        case .chunk:
            if lost { report.lostChunks += 1 }
        case nil:
            break
        }
    }

    /// The WAL's files in replay order: the newest checkpoint, then the segments from its number on.
    static func replayOrder(_ wal: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: wal)) ?? []
        let checkpoint = names.compactMap { $0.hasPrefix("checkpoint.") && !$0.hasSuffix(".tmp") ? Int($0.dropFirst("checkpoint.".count)) : nil }.max()
        let segments = names.compactMap(Int.init).filter { $0 >= (checkpoint ?? 0) }.sorted()
        return (checkpoint.map { [wal + "/" + WriteAheadLog.checkpointName($0)] } ?? [])
            + segments.map { wal + "/" + WriteAheadLog.segmentName($0) }
    }
}
