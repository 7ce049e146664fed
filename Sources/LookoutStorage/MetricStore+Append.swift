#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LookoutModel

/// Appends: by labels or by ref, applied to the head and queued for the WAL under `headLock`.
extension MetricStore {
    /// Appends one batch (one scrape or one push); returns once the batch's WAL record is durable per
    /// `options.fsync`. Out-of-order samples and duplicates (same timestamp, different value) are
    /// counted, not errors; the same timestamp and value again is silently ignored. Samples more than
    /// one partition duration ahead of the wall clock are rejected as out of bounds.
    public func append(_ batch: [(labels: Labels, sample: Sample)]) async throws -> AppendResult {
        try await acknowledge(apply(batch) { item, pass in (try seriesLocked(labels: item.labels, &pass), item.sample) })
    }

    /// Synchronous variant for import and benchmarks: fsyncs once at the end of each call.
    public func appendSync(_ batch: [(labels: Labels, sample: Sample)]) throws -> AppendResult {
        try acknowledgeSync(apply(batch) { item, pass in (try seriesLocked(labels: item.labels, &pass), item.sample) })
    }

    /// The one append path: resolves each element to its head series (creating it if needed) and
    /// sample, applies the samples to the head and enqueues their WAL records, all under `headLock`.
    /// Fails without touching the head when the WAL has already failed (nothing could be made durable).
    func apply<Element>(_ batch: [Element],
                                _ resolve: (Element, inout AppendPass) throws -> (MemSeries, Sample)) throws
        -> (result: AppendResult, seq: UInt64?) {
        var pass = AppendPass(capacity: batch.count, maxTime: futureLimit())
        headLock.lock()
        defer { headLock.unlock() }
        guard !closed else { throw StorageError(.closed, "the metric store is closed", file: directory) }
        try wal.checkWritable()
        do {
            for element in batch {
                let (series, sample) = try resolve(element, &pass)
                appendLocked(series, sample, &pass)
            }
        } catch {
            _ = try? finishLocked(&pass) // what reached the head must reach the WAL
            throw error
        }
        let seq = try finishLocked(&pass)
        return (pass.result, seq)
    }

    /// Waits until an applied batch is durable, then schedules background partition writes.
    func acknowledge(_ applied: (result: AppendResult, seq: UInt64?)) async throws -> AppendResult {
        indexPendingOrRetryLater()
        if let seq = applied.seq { try await wal.waitDurable(seq) }
        startBackgroundWorkIfDue()
        return applied.result
    }

    /// `acknowledge(_:)` for the synchronous variants: fsyncs and writes due partitions on this thread.
    func acknowledgeSync(_ applied: (result: AppendResult, seq: UInt64?)) throws -> AppendResult {
        indexPendingOrRetryLater()
        if let seq = applied.seq { try wal.flush(fsync: true, upTo: seq) }
        try writeDuePartitions()
        startBackgroundWorkIfDue() // head compaction
        return applied.result
    }

    /// The head series with `labels`, created (and counted in `pass`) if needed.
    func seriesLocked(labels: Labels, _ pass: inout AppendPass) throws -> MemSeries {
        if let s = byLabels[labels] { return s }
        let series = try createSeriesLocked(labels, ref: nil)
        pass.newSeries.append((series.ref, labels))
        pass.result.seriesAdded += 1
        return series
    }

    /// The head series with id `ref`; one dropped from the head after its partitions were written is
    /// brought back under its id.
    func seriesLocked(ref: SeriesRef, _ pass: inout AppendPass) throws -> MemSeries {
        if let s = byRef[ref.id] { return s }
        guard let labels = try index.labels(ref.id) else {
            throw StorageError(.invalidArgument, "unknown series ref \(ref.id) (deleted by retention?)")
        }
        let series = try createSeriesLocked(labels, ref: ref.id)
        pass.newSeries.append((series.ref, labels))
        return series
    }

    /// Timestamps beyond ±2^60 ms (±36 million years) are rejected as out of bounds (counted as out of
    /// order), so partition arithmetic never overflows.
    static let maxTimestamp: Int64 = 1 << 60

    /// The newest timestamp an append may carry now: one partition duration past the wall clock
    /// (`StorageOptions.clock`), so a sample in the wrong unit (µs for ms) cannot make every partition
    /// due. The past is not bounded here (`lookout import` backfills years of data).
    func futureLimit() -> Int64 {
        let (limit, overflow) = options.clock().addingReportingOverflow(options.partitionDuration)
        return overflow ? MetricStore.maxTimestamp : min(limit, MetricStore.maxTimestamp)
    }

    /// What one append call accumulates while holding the head lock.
    struct AppendPass {
        var result = AppendResult()
        var newSeries: [(ref: UInt64, labels: Labels)] = []
        var accepted: [(ref: UInt64, t: Int64, v: Double)] = []
        /// Samples newer than this are out of bounds (`futureLimit()` when the pass started).
        let maxTime: Int64
        init(capacity: Int, maxTime: Int64) {
            self.maxTime = maxTime
            accepted.reserveCapacity(capacity)
        }
    }

    @inline(__always)
    func appendLocked(_ series: MemSeries, _ sample: Sample, _ pass: inout AppendPass) {
        let t = sample.timestamp
        if t > pass.maxTime || t < -MetricStore.maxTimestamp {
            pass.result.outOfOrder += 1
            pass.result.outOfBounds += 1
            return
        }
        if t < minValidTime {
            pass.result.outOfOrder += 1
            return
        }
        switch series.append(t, sample.value, partitionDuration: options.partitionDuration,
                             samplesPerChunk: options.samplesPerChunk, newPartition: { headPartitions.insert($0) }) {
        case .appended:
            pass.accepted.append((series.ref, t, sample.value))
            if t > maxT { maxT = t }
        case .outOfOrder: pass.result.outOfOrder += 1
        case .duplicate: pass.result.duplicates += 1
        case .ignored: break
        }
    }

    /// Updates counters and enqueues the WAL records (series first, then samples); returns the sequence
    /// number to wait for, or nil when nothing was logged. Throws when the WAL has failed.
    func finishLocked(_ pass: inout AppendPass) throws -> UInt64? {
        pass.result.appended = pass.accepted.count
        counters.samplesAppended += pass.result.appended
        counters.outOfOrderRejected += pass.result.outOfOrder
        counters.duplicatesRejected += pass.result.duplicates
        counters.outOfBoundsRejected += pass.result.outOfBounds
        guard !pass.newSeries.isEmpty || !pass.accepted.isEmpty else { return nil }
        var records: [UInt8] = []
        records.reserveCapacity(pass.accepted.count * 14 + 64)
        if !pass.newSeries.isEmpty { WALRecord.encodeSeries(&records, pass.newSeries) }
        if !pass.accepted.isEmpty { WALRecord.encodeSamples(&records, pass.accepted) }
        return try wal.enqueue(records)
    }

    // MARK: Fast path by series ref

    /// The ref of the series with `labels`, creating the series if needed (its WAL record is written with
    /// the next append). Refs stay valid for the life of the store's data; cache them per target.
    public func seriesRef(for labels: Labels) throws -> SeriesRef {
        headLock.lock()
        defer { headLock.unlock() }
        guard !closed else { throw StorageError(.closed, "the metric store is closed", file: directory) }
        if let s = byLabels[labels] { return SeriesRef(id: s.ref) }
        try wal.checkWritable()
        let s = try createSeriesLocked(labels, ref: nil)
        var records: [UInt8] = []
        WALRecord.encodeSeries(&records, [(s.ref, labels)])
        _ = try wal.enqueue(records)
        return SeriesRef(id: s.ref)
    }

    /// `append(_:)` by series ref: skips hashing label sets. Without `waitUntilDurable` (a scrape,
    /// which no client waits for) and with `fsync: batch`, it returns once the batch is applied and
    /// queued: the WAL writes it at once and fsyncs it within `WriteAheadLog.unwaitedSyncInterval`.
    public func append(refs batch: [(ref: SeriesRef, sample: Sample)], waitUntilDurable: Bool = true) async throws -> AppendResult {
        let applied = try apply(batch) { item, pass in (try seriesLocked(ref: item.ref, &pass), item.sample) }
        // Only group commit has a writer thread that writes unwaited records at once; with
        // `always` and `interval` every append goes the acknowledged way.
        if waitUntilDurable || data.walOptions.fsync != .batch { return try await acknowledge(applied) }
        indexPendingOrRetryLater()
        startBackgroundWorkIfDue()
        return applied.result
    }

    /// `appendSync(_:)` by series ref: skips hashing label sets.
    public func appendSync(refs batch: [(ref: SeriesRef, sample: Sample)]) throws -> AppendResult {
        try acknowledgeSync(apply(batch) { item, pass in (try seriesLocked(ref: item.ref, &pass), item.sample) })
    }

    /// Creates a head series, reusing the id of an on-disk series with the same labels.
    func createSeriesLocked(_ labels: Labels, ref known: UInt64?) throws -> MemSeries {
        let ref: UInt64
        if let known {
            ref = known
        } else if indexHasOtherSeries, let existing = try index.seriesID(for: labels) {
            ref = existing
        } else {
            ref = nextRef
            nextRef += 1
            unindexed.append((ref, labels))
        }
        let s = MemSeries(ref: ref, labels: labels, symbols: symbols)
        byLabels.insert(s)
        byRef[ref] = s
        return s
    }

    /// `indexPending()`, counting a failure instead of throwing it: the series are durable in the
    /// WAL and served from the head, and the rows are written by a later call (the next append,
    /// query or `recoverFromFaults()`).
    func indexPendingOrRetryLater() {
        do { try indexPending() } catch {
            data.health.record(.indexWrite)
            logger.warning("indexing new series failed; retrying later", metadata: ["storage.error": "\(error)"])
        }
    }

    /// Retries what a storage fault left undone: index rows of new series, and the WAL after a
    /// failed write (`DataDirectory.recoverWAL`). The storage service calls it every second.
    public func recoverFromFaults() {
        headLock.lock()
        let pending = !unindexed.isEmpty
        headLock.unlock()
        if pending { indexPendingOrRetryLater() }
        do { try data.recoverWAL() } catch {
            logger.warning("WAL still not writable", metadata: ["storage.error": "\(error)"])
        }
    }

    /// Why appends fail now, or nil while storage is writable.
    public var writeFault: String? { data.writeFault }

    /// Writes rows for head series not yet in SQLite.
    func indexPending() throws {
        headLock.lock()
        let pending = unindexed
        unindexed.removeAll()
        headLock.unlock()
        guard !pending.isEmpty else { return }
        do {
            try index.insertSeries(pending)
        } catch {
            headLock.lock()
            unindexed.append(contentsOf: pending)
            headLock.unlock()
            throw error
        }
    }
}
