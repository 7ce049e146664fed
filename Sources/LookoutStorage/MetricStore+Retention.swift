#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LookoutModel

/// Retention: whole partitions older than `StorageOptions.retention` are deleted.
extension MetricStore {
    /// Deletes whole partitions that ended before `now - retention` (segment files and index rows);
    /// a failure is counted as a storage error.
    public func enforceRetention(now: Int64) throws {
        do { try deleteExpiredPartitions(now: now) } catch {
            data.health.record(.retention)
            throw error
        }
    }

    private func deleteExpiredPartitions(now: Int64) throws {
        let (cutoff, overflow) = now.subtractingReportingOverflow(options.retention)
        if overflow { return }
        let metrics = directory + "/metrics"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: metrics)) ?? []
        let old = names.compactMap(Int64.init).filter { $0 + options.partitionDuration <= cutoff }.sorted()
        guard !old.isEmpty else { return }
        // headLock is held across the deletion: otherwise an append could revive a series that is not
        // in `keep` under its on-disk id (`createSeriesLocked`) and lose its row and postings here.
        longLockHolds.add(1, ordering: .relaxed)
        defer { longLockHolds.subtract(1, ordering: .relaxed) }
        headLock.lock()
        do {
            retentionWillDelete?()
            try index.deletePartitions(old, keep: Set(byRef.keys))
        } catch {
            headLock.unlock()
            throw error
        }
        headLock.unlock()
        for p in old {
            try? FileIO.removeTree(metrics + "/\(p)")
        }
        try? FileIO.fsyncDirectory(metrics)
        headLock.lock()
        counters.partitionsDeleted += old.count
        headLock.unlock()
        logger.info("retention deleted partitions", metadata: ["storage.partitions": "\(old)"])
    }
}
