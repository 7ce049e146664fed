import Foundation

/// Reads the WAL under `wal/` in replay order: the newest checkpoint, then every segment from its
/// number on (`docs/format/wal.md`, "Replay order"), cutting a torn tail of the last segment.
enum WALReplay {
    /// Calls `body(type, payload, file, offset)` for every record in replay order and returns the
    /// number the next segment should get. Leftover `*.tmp` files, segments below the checkpoint and
    /// older checkpoints are deleted first. `progress` gets (done, total) bytes.
    static func read(directory dir: String, progress: (@Sendable (Int64, Int64) -> Void)?,
                     _ body: (UInt8, [UInt8], String, Int64) throws -> Void) throws -> Int {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
        var segments: [Int] = []
        var checkpoints: [Int] = []
        for name in names {
            if name.hasSuffix(".tmp") {
                try? FileIO.remove(dir + "/" + name)
            } else if name.hasPrefix("checkpoint."), let n = Int(name.dropFirst("checkpoint.".count)) {
                checkpoints.append(n)
            } else if let n = Int(name) {
                segments.append(n)
            }
        }
        let checkpoint = checkpoints.max()
        if let checkpoint {
            for n in segments where n < checkpoint { try? FileIO.remove(dir + "/" + WriteAheadLog.segmentName(n)) }
            for n in checkpoints where n < checkpoint { try? FileIO.remove(dir + "/" + WriteAheadLog.checkpointName(n)) }
            segments = segments.filter { $0 >= checkpoint }
        }
        segments.sort()
        var files: [(path: String, isLast: Bool)] = []
        if let checkpoint { files.append((dir + "/" + WriteAheadLog.checkpointName(checkpoint), false)) }
        for (i, n) in segments.enumerated() {
            files.append((dir + "/" + WriteAheadLog.segmentName(n), i == segments.count - 1))
        }
        let total = files.reduce(Int64(0)) { $0 + FileIO.size($1.path) }
        var done: Int64 = 0
        var lastReported: Int64 = 0
        progress?(0, total)
        for file in files {
            let result = try WALReader.read(file.path, cutTornTail: file.isLast) { type, payload, end in
                try body(type, payload, file.path, end - Int64(payload.count) - Int64(WALRecord.headerSize))
                if let progress, done + end - lastReported >= 1 << 20 {
                    lastReported = done + end
                    progress(lastReported, total)
                }
            }
            if result.tornTail { try FileIO.fsync(path: file.path) }
            done += result.validLength
        }
        progress?(total, total)
        return max((segments.last ?? 0) + 1, (checkpoint ?? 0) + 1, 1)
    }
}
