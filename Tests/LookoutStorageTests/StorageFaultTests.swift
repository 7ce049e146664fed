import Foundation
import LookoutModel
import Testing
@testable import LookoutStorage

/// A full disk: reads keep working, the fault shows in `/metrics` and readiness, and storage
/// heals by itself once writes succeed again.
@Suite struct StorageFaultTests {
    static func family(_ store: MetricStore, _ name: String, op: String? = nil) -> Double? {
        let found = store.selfMetrics().first(where: { $0.metadata.family == name })
        return found?.samples.first(where: { op == nil || $0.labels["op"] == op })?.value
    }

    @Test func theWALRecoversOnceTheDiskTakesWritesAgain() async throws {
        try await withTempDirectory { dir in
            do {
                let store = try MetricStore(directory: dir, logger: quietLogger)
                defer { try? store.close() }
                let m = series("m")
                _ = try await store.append(batch(m, [(1000, 1)]))
                #expect(store.writeFault == nil && Self.family(store, "lookout_storage_writable") == 1)

                FileIO.faults.inject(dir + "/wal/", errno: ENOSPC)
                await #expect(throws: StorageError.self) { try await store.append(batch(m, [(2000, 2)])) }
                #expect(store.writeFault?.contains("No space left on device") == true)
                #expect(Self.family(store, "lookout_storage_writable") == 0)
                #expect(Self.family(store, "lookout_storage_errors_total", op: "wal_write") == 1)
                // Reads do not need the disk's space.
                #expect(try store.select([.equal("__name__", "m")], start: 0, end: 10_000).first?.samples.first == Sample(1000, 1))

                // Still full: recovery fails (its checkpoint cannot be written) and appends stay refused.
                store.recoverFromFaults()
                #expect(store.writeFault != nil)
                #expect(Self.family(store, "lookout_storage_errors_total", op: "wal_recovery") == 1)
                await #expect(throws: StorageError.self) { try await store.append(batch(m, [(3000, 3)])) }

                FileIO.faults.clear(dir + "/wal/")
                store.recoverFromFaults()
                #expect(store.writeFault == nil && Self.family(store, "lookout_storage_writable") == 1)
                _ = try await store.append(batch(m, [(4000, 4)]) + batch(series("new"), [(4000, 1)]))
            }
            // Reopened: everything acknowledged is there, before and after the fault.
            let reopened = try MetricStore(directory: dir, logger: quietLogger)
            defer { try? reopened.close() }
            let samples = try reopened.select([.equal("__name__", "m")], start: 0, end: 10_000).first?.samples ?? []
            #expect(samples.contains(Sample(1000, 1)) && samples.contains(Sample(4000, 4)))
            #expect(!samples.contains { $0.timestamp == 3000 }, "refused before it reached the head")
            #expect(try reopened.select([.equal("__name__", "new")], start: 0, end: 10_000).count == 1)
        }
    }

    @Test func readsAndAppendsDoNotDependOnIndexWrites() throws {
        try withTempDirectory { dir in
            let store = try MetricStore(directory: dir, logger: quietLogger)
            defer { try? store.close() }
            store.index.insertFault = { throw StorageError(.index, "database or disk is full") }
            let fresh = series("fresh", ["job": "a"])
            #expect(try store.appendSync(batch(fresh, [(1000, 1)])).appended == 1)
            #expect(try store.select([.equal("job", "a")], start: 0, end: 5000).map(\.labels) == [fresh])
            #expect(try store.series(matching: [[.equal("__name__", "fresh")]], start: 0, end: 5000) == [fresh])
            #expect(try store.index.seriesID(for: fresh) == nil)
            #expect((Self.family(store, "lookout_storage_errors_total", op: "index_write") ?? 0) >= 1)
            store.index.insertFault = nil
            store.recoverFromFaults()
            #expect(try store.index.seriesID(for: fresh) != nil)
        }
    }
}
