#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import LookoutModel
import Synchronization

/// The metric store: the head of recent samples, sealed partitions under `metrics/`, and the metric
/// tables of the data directory's index. Thread-safe.
///
/// It lives in a `DataDirectory` as the WAL participant for record types 1–15: `index.sqlite`
/// (`metric_series`, postings, chunk locations, `docs/format/index.md`), `wal/` (`docs/format/wal.md`),
/// and its own `metrics/<partitionStartMs>/chunks-000001` (sealed partitions, `docs/format/segments.md`).
///
/// The head keeps, per series, an open XOR chunk (`docs/format/chunks.md`) and the chunks cut since the
/// last written partition; a background pass (after async appends, every 10 s) re-encodes cut chunks
/// in the smallest codec to keep the head small. Call `close()` before dropping a store.
///
/// Durability rules:
/// 1. An append is applied to the head and its WAL record enqueued under one lock, so WAL order is
///    apply order; it returns only once that record is durable per the data directory's `WALOptions.fsync`.
/// 2. Out-of-order and duplicate samples are not logged, so replay sees exactly the accepted samples.
/// 3. A partition is written only once its window plus the grace period is over, judged by the newest
///    head sample but never past the wall clock (`StorageOptions.clock`); from then on samples older than
///    its end are rejected (`StorageStats.minValidTime`), so a written partition never changes. Samples
///    more than one partition duration ahead of the wall clock are rejected as out of bounds, so one
///    sample in the wrong unit cannot close the current partitions.
/// 4. Partition file first (fsynced, renamed), then its index rows and `metrics.flushed_until` in one
///    SQLite transaction, then a checkpoint of the whole data directory, then old WAL segments are
///    deleted. A crash between any two steps replays the WAL again; samples below
///    `metrics.flushed_until` are dropped during replay.
/// 5. On open a torn WAL tail is cut and everything before it replayed; corruption before the tail is
///    an error (`StorageError.Code.corruption`) naming the file and offset.
/// 6. After a WAL write or fsync fails, every append fails (without touching the head) until the store is
///    reopened; no append is acknowledged unless its record was written (and fsynced per mode).
///
/// Thread-safety: the head (`byLabels`, `byRef`, `MemSeries` contents, counters) is guarded by
/// `headLock`; the WAL and the index have their own locks, which may be taken while holding `headLock`
/// but never the other way round (retention holds `headLock` while deleting index rows, so no append
/// revives a series under an id being deleted). `flushLock` lets one thread at a time write partitions.
public final class MetricStore: MetricQuerier, MetricAppender, WALParticipant, @unchecked Sendable {
    /// The data directory (`metrics/` lives under it).
    public let directory: String
    public let options: StorageOptions
    let logger: Logger
    let data: DataDirectory
    /// Whether `close()` also closes `data` (the store opened it itself).
    private let ownsData: Bool
    let index: SeriesIndex
    var wal: WriteAheadLog { data.wal }

    let headLock = NSLock()
    var byLabels = HeadSeriesSet()
    var byRef = HeadSeriesByRef()
    private var unindexed: [(ref: UInt64, labels: Labels)] = []
    private var nextRef: UInt64 = 1
    private var minValidTime: Int64 = .min
    private var maxT: Int64 = .min
    private var headPartitions: Set<Int64> = []
    private var counters = StorageStats()
    private var closed = false
    private let flushLock = NSLock()
    /// Partition writes under way: each holds the series index for its whole row insert.
    private let partitionWrites = Atomic<Int>(0)
    private var flushScheduled = false
    private var symbols = LabelSymbols()
    private var lastCompaction: UInt64 = DispatchTime.now().uptimeNanoseconds
    /// Whether the index may hold series that are not in the head (then a new label set must be
    /// looked up there to reuse its id). False for a fresh store until the first partition is written.
    private var indexHasOtherSeries = true
    /// What WAL replay rebuilds, until `didReplay` installs it.
    private var replay: ReplayState?
    private var replayStarted = Date()
    /// Test hook: called by `enforceRetention(now:)`, holding `headLock`, just before it deletes index rows.
    var retentionWillDelete: (() -> Void)?

    /// Creates the metric store of a data directory and registers it there; the store is usable once
    /// `data.open()` has replayed the WAL. Creates `metrics/`.
    public convenience init(data: DataDirectory, options: StorageOptions = .init(), logger: Logger) throws {
        try self.init(data: data, options: options, logger: logger, ownsData: false)
    }

    private init(data: DataDirectory, options: StorageOptions, logger: Logger, ownsData: Bool) throws {
        guard options.partitionDuration > 0, options.samplesPerChunk > 0 else {
            throw StorageError(.invalidArgument, "partitionDuration and samplesPerChunk must be positive")
        }
        self.directory = data.path
        self.options = options
        self.logger = logger
        self.data = data
        self.ownsData = ownsData
        do {
            try FileManager.default.createDirectory(atPath: data.path + "/metrics", withIntermediateDirectories: true)
        } catch {
            throw StorageError(.io, "cannot create the metrics directory: \(error)", file: data.path)
        }
        index = SeriesIndex(database: data.index)
        minValidTime = try index.flushedUntil() ?? .min
        var state = ReplayState()
        state.partitionDuration = options.partitionDuration
        state.samplesPerChunk = options.samplesPerChunk
        replay = state
        try data.register(self)
    }

    /// Opens or creates a data directory holding only metrics under `directory` (index.sqlite, wal/,
    /// metrics/), cuts a torn WAL tail by CRC and replays the WAL into the head; `close()` closes the
    /// directory too. `progress` is called during replay with (done, total) bytes.
    public convenience init(directory: String, options: StorageOptions = .init(), logger: Logger,
                            progress: (@Sendable (Int64, Int64) -> Void)? = nil) throws {
        let data = try DataDirectory(path: directory, wal: options.wal, logger: logger)
        do {
            try self.init(data: data, options: options, logger: logger, ownsData: true)
        } catch {
            data.abandon()
            throw error
        }
        do {
            try data.open(progress: progress)
        } catch {
            headLock.lock()
            closed = true
            headLock.unlock()
            data.abandon()
            throw error
        }
    }

    // MARK: WAL participant

    public var walName: String { "metrics" }
    public var walRecordTypes: ClosedRange<UInt8> { 1...15 }

    public func replayRecord(type: UInt8, payload: [UInt8]) throws -> Bool {
        guard var state = replay else { return true }
        replay = nil // apply in place, without copying the state
        defer { replay = state }
        return Self.apply(type: type, payload: payload, to: &state, minValidTime: minValidTime)
    }

    public func didReplay(recordsReplayed: Int) throws {
        guard var state = replay else { return }
        replay = nil
        state.records = recordsReplayed
        try installReplayed(state)
        logger.info("metric store opened", metadata: [
            "storage.path": "\(directory)", "storage.head_series": "\(byLabels.count)",
            "storage.wal_records_replayed": "\(counters.walRecordsReplayed)",
            "storage.replay_seconds": "\(Date().timeIntervalSince(replayStarted))",
        ])
    }

    public func didOpen() throws {
        try maybeFlush()
    }

    /// Installs the head rebuilt by WAL replay and indexes its new series.
    private func installReplayed(_ state: ReplayState) throws {
        for s in state.series {
            byLabels.insert(s)
            byRef[s.ref] = s
            if let o = s.open { maxT = max(maxT, o.lastT); headPartitions.insert(s.openPartition) }
            for c in s.chunks { maxT = max(maxT, c.maxT); headPartitions.insert(c.partition) }
        }
        for (ref, s) in state.aliases { byRef[ref] = s }
        symbols = state.symbols
        unindexed = state.series.map { ($0.ref, $0.labels) }
        nextRef = max(state.maxRef, try index.maxSeriesID()) + 1
        counters.walRecordsReplayed = state.records
        try indexPending()
        indexHasOtherSeries = try index.seriesCount() > byLabels.count
    }

    // MARK: Append

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
    private func apply<Element>(_ batch: [Element],
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
    private func acknowledge(_ applied: (result: AppendResult, seq: UInt64?)) async throws -> AppendResult {
        try indexPending()
        if let seq = applied.seq { try await wal.waitDurable(seq) }
        flushInBackgroundIfDue()
        return applied.result
    }

    /// `acknowledge(_:)` for the synchronous variants: fsyncs and writes due partitions on this thread.
    private func acknowledgeSync(_ applied: (result: AppendResult, seq: UInt64?)) throws -> AppendResult {
        try indexPending()
        if let seq = applied.seq { try wal.flush(fsync: true, upTo: seq) }
        try maybeFlush()
        flushInBackgroundIfDue() // head compaction
        return applied.result
    }

    /// The head series with `labels`, created (and counted in `pass`) if needed.
    private func seriesLocked(labels: Labels, _ pass: inout AppendPass) throws -> MemSeries {
        if let s = byLabels[labels] { return s }
        let series = try createSeriesLocked(labels, ref: nil)
        pass.newSeries.append((series.ref, labels))
        pass.result.seriesAdded += 1
        return series
    }

    /// The head series with id `ref`; one dropped from the head after its partitions were written is
    /// brought back under its id.
    private func seriesLocked(ref: SeriesRef, _ pass: inout AppendPass) throws -> MemSeries {
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
    private func futureLimit() -> Int64 {
        let (limit, overflow) = options.clock().addingReportingOverflow(options.partitionDuration)
        return overflow ? MetricStore.maxTimestamp : min(limit, MetricStore.maxTimestamp)
    }

    /// What one append call accumulates while holding the head lock.
    private struct AppendPass {
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
    private func appendLocked(_ series: MemSeries, _ sample: Sample, _ pass: inout AppendPass) {
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
    private func finishLocked(_ pass: inout AppendPass) throws -> UInt64? {
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
    /// which no client waits for) it returns once the batch is applied and queued: the WAL writes
    /// it at once and fsyncs it within `WriteAheadLog.unwaitedSyncInterval`.
    public func append(refs batch: [(ref: SeriesRef, sample: Sample)], waitUntilDurable: Bool = true) async throws -> AppendResult {
        let applied = try apply(batch) { item, pass in (try seriesLocked(ref: item.ref, &pass), item.sample) }
        if waitUntilDurable { return try await acknowledge(applied) }
        try indexPending()
        flushInBackgroundIfDue()
        return applied.result
    }

    /// `appendSync(_:)` by series ref: skips hashing label sets.
    public func appendSync(refs batch: [(ref: SeriesRef, sample: Sample)]) throws -> AppendResult {
        try acknowledgeSync(apply(batch) { item, pass in (try seriesLocked(ref: item.ref, &pass), item.sample) })
    }

    /// Creates a head series, reusing the id of an on-disk series with the same labels.
    private func createSeriesLocked(_ labels: Labels, ref known: UInt64?) throws -> MemSeries {
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

    // MARK: Stats

    /// Counters and gauges for the store's own metrics.
    public var stats: StorageStats {
        headLock.lock()
        var s = counters
        s.headSeries = byLabels.count
        s.headChunks = byLabels.values.reduce(0) { $0 + $1.chunks.count + ($1.open == nil ? 0 : 1) }
        s.minValidTime = minValidTime
        headLock.unlock()
        (s.walFsyncs, s.walFsyncSecondsTotal) = data.walFsyncStats
        s.walBytes = data.walBytes
        return s
    }

    // MARK: Partitions

    /// Whether a partition is being written, holding the series index for its row insert: a
    /// caller that must not wait (an event loop) can do its reads elsewhere meanwhile.
    public var isWritingPartition: Bool { partitionWrites.load(ordering: .relaxed) > 0 }

    /// Writes due partitions and compacts the head on a background thread (at most one such thread at a
    /// time), so an async append does not block a cooperative thread on file, SQLite or zlib work.
    private func flushInBackgroundIfDue() {
        let now = DispatchTime.now().uptimeNanoseconds
        headLock.lock()
        let compactionDue = now &- lastCompaction >= MetricStore.compactionIntervalNanos
        headLock.unlock()
        guard compactionDue || duePartition() != nil else { return }
        headLock.lock()
        let start = !flushScheduled
        flushScheduled = true
        headLock.unlock()
        guard start else { return }
        Thread.detachNewThread { [self] in
            do { try maybeFlush() } catch {
                logger.error("writing partition failed", metadata: ["storage.error": "\(error)"])
            }
            compactHead()
            headLock.lock()
            flushScheduled = false
            headLock.unlock()
        }
    }

    static let compactionIntervalNanos: UInt64 = 10_000_000_000

    /// Merges each series' cut head chunks of one partition into one chunk in the smallest codec
    /// (`ChunkCodec.smallest`), to keep the head small: one buffer per series and partition, and
    /// decimal-looking values shrink 3–8×. Queries, checkpoints and partition writes decode any codec.
    func compactHead() {
        headLock.lock()
        lastCompaction = DispatchTime.now().uptimeNanoseconds
        var work: [(series: MemSeries, partition: Int64, chunks: [HeadChunk])] = []
        for s in byLabels.values where !s.chunks.isEmpty {
            var i = 0
            while i < s.chunks.count {
                var j = i + 1
                while j < s.chunks.count && s.chunks[j].partition == s.chunks[i].partition { j += 1 }
                if j - i > 1 || (s.chunks[i].codec == .xor && !s.chunks[i].compacted) {
                    work.append((s, s.chunks[i].partition, Array(s.chunks[i..<j])))
                }
                i = j
            }
        }
        headLock.unlock()
        var start = 0
        while start < work.count {
            let slice = work[start..<min(work.count, start + 4096)]
            start += 4096
            var results: [(series: MemSeries, partition: Int64, old: [Int64], chunk: HeadChunk)] = []
            for w in slice {
                guard let merged = try? Self.merge(w.chunks), merged.count == 1 else { continue }
                let (codec, data) = ChunkCodec.smallest(xor: merged[0].bytes)
                var chunk = w.chunks[0]
                if codec != .xor || w.chunks.count > 1 {
                    chunk = HeadChunk(partition: w.partition, minT: merged[0].minT, maxT: merged[0].maxT,
                                      bytes: data.withUnsafeBufferPointer { Array($0) }, codec: codec)
                }
                // A lone XOR chunk that stays XOR is marked too, so it is not tried again.
                chunk.compacted = true
                results.append((w.series, w.partition, w.chunks.map(\.minT), chunk))
            }
            headLock.lock()
            for r in results {
                let s = r.series
                // Replace only if the partition's chunks are still the ones compacted.
                guard let first = s.chunks.firstIndex(where: { $0.partition == r.partition }),
                      s.chunks.filter({ $0.partition == r.partition }).map(\.minT) == r.old else { continue }
                s.chunks.removeAll { $0.partition == r.partition }
                s.chunks.insert(r.chunk, at: first)
                s.trimChunkList()
            }
            headLock.unlock()
        }
    }

    /// Waits until no background partition write is scheduled (tests use it before simulating a crash).
    func waitForBackgroundWork() {
        while true {
            headLock.lock()
            let busy = flushScheduled
            headLock.unlock()
            if !busy { return }
            usleep(1000)
        }
    }

    /// The oldest head partition whose window plus grace is over, judged by the newest head sample but
    /// never by a time past the wall clock: a far-future sample already in the head (from before
    /// `futureLimit()`, or replayed) must not make current partitions due and reject later samples.
    private func duePartition() -> Int64? {
        let now = options.clock()
        headLock.lock()
        defer { headLock.unlock() }
        guard let p = headPartitions.min() else { return nil }
        return p + options.partitionDuration + options.effectiveGrace <= min(maxT, now) ? p : nil
    }

    /// Writes every partition whose window plus grace is over.
    func maybeFlush() throws {
        guard flushLock.try() else { return }
        defer { flushLock.unlock() }
        headLock.lock()
        let isClosed = closed
        headLock.unlock()
        if isClosed { return }
        while let p = duePartition() {
            try writePartition(p)
        }
    }

    /// Writes partition `p` from the head to `metrics/<p>/chunks-000001`, indexes it, drops it from the
    /// head and checkpoints the WAL.
    private func writePartition(_ p: Int64) throws {
        partitionWrites.add(1, ordering: .relaxed)
        defer { partitionWrites.subtract(1, ordering: .relaxed) }
        let end = p + options.partitionDuration
        var collected: [(ref: UInt64, labels: Labels, chunks: [HeadChunk])] = []
        headLock.lock()
        minValidTime = max(minValidTime, end)
        for s in byLabels.values {
            if s.open != nil && s.openPartition == p { s.cut() }
            let cs = s.chunks.filter { $0.partition == p }
            if !cs.isEmpty { collected.append((s.ref, s.labels, cs)) }
        }
        headPartitions.remove(p)
        headLock.unlock()
        do {
            try writeCollected(p, collected)
        } catch {
            // The chunks are still in the head (and the WAL): retry with the next append.
            headLock.lock()
            headPartitions.insert(p)
            headLock.unlock()
            throw error
        }
    }

    private func writeCollected(_ p: Int64, _ collected: [(ref: UInt64, labels: Labels, chunks: [HeadChunk])]) throws {
        let end = p + options.partitionDuration
        var collected = collected
        collected.sort { $0.ref < $1.ref }
        var entries: [PartitionFile.Entry] = []
        entries.reserveCapacity(collected.count)
        for (ref, _, chunks) in collected {
            for merged in try Self.merge(chunks) {
                entries.append(PartitionFile.Entry(seriesID: ref, minT: merged.minT, maxT: merged.maxT, xorChunk: merged.bytes))
            }
        }
        let relative = PartitionFile.relativePath(partition: p, file: 1)
        let (bytes, records) = PartitionFile.build(entries, compress: options.compressSegments)
        if !entries.isEmpty {
            try PartitionFile.write(bytes, to: directory + "/" + relative)
        }
        var rows: [ChunkLocation] = []
        rows.reserveCapacity(entries.count)
        for (e, r) in zip(entries, records) {
            rows.append(ChunkLocation(seriesID: e.seriesID, partition: p, file: 1, offset: r.offset,
                                      length: r.length, minT: e.minT, maxT: e.maxT))
        }
        try index.commitPartition(series: collected.map { ($0.ref, $0.labels) }, chunks: rows, flushedUntil: end)

        headLock.lock()
        var dropped = 0
        for s in Array(byLabels.values) {
            s.chunks.removeAll { $0.partition <= p }
            s.trimChunkList()
            if s.chunks.isEmpty && s.open == nil {
                byLabels.remove(s)
                dropped += 1
            }
        }
        if dropped > 0 {
            // The series just dropped are the ones with no chunks left (no label hashing here).
            byRef.removeAll { $0.open == nil && $0.chunks.isEmpty }
            indexHasOtherSeries = true
        }
        counters.partitionsWritten += 1
        headLock.unlock()
        logger.info("partition written", metadata: [
            "storage.partition": "\(p)", "storage.series": "\(collected.count)",
            "storage.bytes": "\(bytes.count)", "storage.head_series_dropped": "\(dropped)",
        ])
        try data.checkpoint()
    }

    /// Re-encodes a series' chunks of one partition as few chunks as possible (≤ 65,535 samples each).
    static func merge(_ chunks: [HeadChunk]) throws -> [HeadChunk] {
        if chunks.count == 1 && chunks[0].codec == .xor { return chunks }
        var out: [HeadChunk] = []
        var enc = XORChunkEncoder()
        func finish() {
            guard enc.count > 0 else { return }
            out.append(HeadChunk(partition: chunks[0].partition, minT: enc.firstT, maxT: enc.lastT, bytes: enc.bytes))
            enc = XORChunkEncoder()
        }
        for c in chunks {
            do {
                try c.codec.decode(c.bytes) { t, v in
                    if enc.isFull { finish() }
                    enc.append(t, v)
                }
            } catch {
                throw StorageError(.corruption, "head chunk does not decode: \(error.message)")
            }
        }
        finish()
        return out
    }

    /// Writes every head series and chunk as WAL records for a checkpoint of the data directory
    /// (`WALParticipant`); with `final` (at close) every chunk is stored in its smallest codec.
    public func checkpointRecords(into records: inout [UInt8], final: Bool) throws {
        headLock.lock()
        let snapshot = byLabels.values.map { ($0.ref, $0.labels, $0.allChunks) }
        counters.checkpoints += 1
        headLock.unlock()
        var batch: [(ref: UInt64, labels: Labels)] = []
        for (ref, labels, _) in snapshot {
            batch.append((ref, labels))
            if batch.count == 1000 {
                WALRecord.encodeSeries(&records, batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { WALRecord.encodeSeries(&records, batch) }
        for (ref, _, chunks) in snapshot {
            for c in chunks {
                if final && c.codec == .xor {
                    let (codec, bytes) = ChunkCodec.smallest(xor: c.bytes)
                    WALRecord.encodeChunk(&records, ref: ref, codec: codec, chunk: bytes)
                } else {
                    WALRecord.encodeChunk(&records, ref: ref, codec: c.codec, chunk: c.bytes)
                }
            }
        }
    }

    // MARK: Retention

    /// Deletes whole partitions that ended before `now - retention` (segment files and index rows).
    public func enforceRetention(now: Int64) throws {
        let (cutoff, overflow) = now.subtractingReportingOverflow(options.retention)
        if overflow { return }
        let metrics = directory + "/metrics"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: metrics)) ?? []
        let old = names.compactMap(Int64.init).filter { $0 + options.partitionDuration <= cutoff }.sorted()
        guard !old.isEmpty else { return }
        // headLock is held across the deletion: otherwise an append could revive a series that is not
        // in `keep` under its on-disk id (`createSeriesLocked`) and lose its row and postings here.
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
            try? FileManager.default.removeItem(atPath: metrics + "/\(p)")
        }
        try? FileIO.fsyncDirectory(metrics)
        headLock.lock()
        counters.partitionsDeleted += old.count
        headLock.unlock()
        logger.info("retention deleted partitions", metadata: ["storage.partitions": "\(old)"])
    }

    // MARK: Close

    /// Writes due partitions and stops accepting appends; a store that opened its own data directory
    /// (`init(directory:)`) also closes it, which checkpoints the WAL. Idempotent.
    public func close() throws {
        headLock.lock()
        if closed {
            headLock.unlock()
            return
        }
        closed = true
        headLock.unlock()
        flushLock.lock()
        var firstError: (any Error)?
        do {
            while let p = duePartition() { try writePartition(p) }
        } catch {
            firstError = error
        }
        flushLock.unlock()
        if ownsData {
            do { try data.close() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }
}
