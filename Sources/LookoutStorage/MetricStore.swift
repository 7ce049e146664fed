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
/// It lives in a `DataDirectory` as the WAL participant for record types 1–7: `index.sqlite`
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
/// revives a series under an id being deleted). `partitionWriteLock` lets one thread at a time write partitions.
public final class MetricStore: MetricStorage, WALParticipant, @unchecked Sendable {
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
    var unindexed: [(ref: UInt64, labels: Labels)] = []
    var nextRef: UInt64 = 1
    var minValidTime: Int64 = .min
    var maxT: Int64 = .min
    var headPartitions: Set<Int64> = []
    var counters = StorageStats()
    var closed = false
    let partitionWriteLock = NSLock()
    /// Partition writes and retention deletions under way: each holds a lock queries take (the
    /// series index, or the head) for longer than an event loop may wait.
    let longLockHolds = Atomic<Int>(0)
    /// Samples decoded by queries since open (before thinning), kept outside `headLock`.
    let samplesRead = Atomic<Int>(0)
    var backgroundWorkScheduled = false
    var symbols = LabelSymbols()
    var lastCompaction: UInt64 = DispatchTime.now().uptimeNanoseconds
    /// Whether the index may hold series that are not in the head (then a new label set must be
    /// looked up there to reuse its id). False for a fresh store until the first partition is written.
    var indexHasOtherSeries = true
    /// What WAL replay rebuilds, until `didReplay` installs it.
    var replay: ReplayState?
    var replayStarted = Date()
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

    // MARK: Stats

    /// Counters and gauges for the store's own metrics.
    public var stats: StorageStats {
        headLock.lock()
        var s = counters
        s.headSeries = byLabels.count
        s.headChunks = byLabels.values.reduce(0) { $0 + $1.chunks.count + ($1.open == nil ? 0 : 1) }
        s.minValidTime = minValidTime
        headLock.unlock()
        s.samplesRead = samplesRead.load(ordering: .relaxed)
        (s.walFsyncs, s.walFsyncSecondsTotal) = data.walFsyncStats
        s.walBytes = data.walBytes
        return s
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
        partitionWriteLock.lock()
        var firstError: (any Error)?
        do {
            while let p = duePartition() { try writePartition(p) }
        } catch {
            firstError = error
        }
        partitionWriteLock.unlock()
        if ownsData {
            do { try data.close() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }
}
