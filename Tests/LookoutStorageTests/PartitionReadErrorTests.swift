import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

/// A partition file that cannot be opened is a query error, unless it is gone (then retention
/// deleted it after the index was read, and the answer is what remains).
@Suite struct PartitionReadErrorTests {
    static func storeWithPartitions(_ dir: String) throws -> MetricStore {
        let store = try MetricStore(directory: dir, options: MetricStoreTests.small, logger: quietLogger)
        for t in stride(from: Int64(0), to: 60_000, by: 500) {
            _ = try store.appendSync(batch(series("m"), [(t, Double(t))]))
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/metrics/0/chunks-000001"))
        return store
    }

    @Test func anUnreadablePartitionFailsTheQuery() throws {
        try withTempDirectory { dir in
            let store = try Self.storeWithPartitions(dir)
            defer { try? store.close() }
            // A file where the partition's directory was: open() fails with ENOTDIR, not ENOENT
            // (permissions would not do: tests may run as root).
            try FileManager.default.removeItem(atPath: dir + "/metrics/0")
            try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/metrics/0"))
            #expect(throws: StorageError.self) {
                try store.select([.equal("__name__", "m")], start: 0, end: 9_999)
            }
            #expect(store.data.health.errors(.partitionRead) == 1, "counted in lookout_storage_errors_total{op=\"partition_read\"}")
        }
    }

    @Test func aPartitionDeletedMeanwhileIsLeftOut() throws {
        try withTempDirectory { dir in
            let store = try Self.storeWithPartitions(dir)
            defer { try? store.close() }
            try FileManager.default.removeItem(atPath: dir + "/metrics/0")
            let got = try store.select([.equal("__name__", "m")], start: 0, end: 60_000)
            #expect(got.first?.samples.first?.timestamp == 10_000)
            #expect(store.data.health.errors(.partitionRead) == 0)
        }
    }
}
