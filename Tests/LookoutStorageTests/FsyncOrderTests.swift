import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

/// The fsyncs that make a cut or a creation durable happen before anything depends on them.
/// Serialised: both watch the process-wide `FileIO.faults.fsyncWatch`.
@Suite(.serialized) struct FsyncOrderTests {
    static func watching(_ dir: String, _ body: () throws -> Void) rethrows -> [String] {
        FileIO.faults.fsyncWatch.withLock { $0 = (dir, []) }
        defer { FileIO.faults.fsyncWatch.withLock { $0 = nil } }
        try body()
        return FileIO.faults.fsyncWatch.withLock { $0?.fsynced ?? [] }
    }

    @Test func aCutTornTailIsFsyncedBeforeTheNextSegmentIsCreated() throws {
        try withTempDirectory { dir in
            do {
                let store = try MetricStore(directory: dir, logger: quietLogger)
                _ = try store.appendSync(batch(series("t"), [(1, 1), (2, 2)]))
            }
            let wal = dir + "/wal"
            let segment = wal + "/" + (try FileManager.default.contentsOfDirectory(atPath: wal).filter { Int($0) != nil }.sorted().last!)
            try FileIO.truncate(segment, to: FileIO.size(segment) - 3)
            let fsynced = try Self.watching(dir) {
                let store = try MetricStore(directory: dir, logger: quietLogger)
                try store.close()
            }
            let cut = try #require(fsynced.firstIndex(of: segment), "the truncated segment is fsynced")
            let nextSegmentCreated = try #require(fsynced.firstIndex(of: wal), "the WAL directory is fsynced for the new segment")
            #expect(cut < nextSegmentCreated)
        }
    }

    @Test func aNewDataDirectoryAndItsParentAreFsynced() throws {
        try withTempDirectory { dir in
            let fsynced = try Self.watching(dir) {
                let data = try DataDirectory(path: dir + "/fresh", logger: quietLogger)
                try data.open()
                try data.close()
            }
            #expect(fsynced.contains(dir + "/fresh") && fsynced.contains(dir))
        }
    }
}
