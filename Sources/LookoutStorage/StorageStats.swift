/// Counters and gauges describing a `MetricStore`, for its own `/metrics`.
public struct StorageStats: Sendable, Equatable {
    /// Series currently held in the in-memory head.
    public var headSeries: Int = 0
    /// Chunks (open and cut) currently held in the head.
    public var headChunks: Int = 0
    /// Samples stored since the store was opened (replay excluded).
    public var samplesAppended: Int = 0
    /// Samples rejected as out of order since open.
    public var outOfOrderRejected: Int = 0
    /// Samples rejected since open because their timestamp was more than a partition duration ahead of
    /// the wall clock (or beyond ±2^60 ms); included in `outOfOrderRejected`.
    public var outOfBoundsRejected: Int = 0
    /// Samples rejected as duplicates since open.
    public var duplicatesRejected: Int = 0
    /// WAL fsync calls since open.
    public var walFsyncs: Int = 0
    /// Seconds spent in WAL fsync since open.
    public var walFsyncSecondsTotal: Double = 0
    /// Bytes currently in WAL files (segments and checkpoint).
    public var walBytes: Int64 = 0
    /// WAL records replayed when the store was opened.
    public var walRecordsReplayed: Int = 0
    /// Partitions written to `metrics/` since open.
    public var partitionsWritten: Int = 0
    /// WAL checkpoints written since open.
    public var checkpoints: Int = 0
    /// Partitions deleted by retention since open.
    public var partitionsDeleted: Int = 0
    /// Samples decoded by queries since open, before thinning and limits.
    public var samplesRead: Int = 0
    /// Samples older than this (ms) are rejected: their partition is already on disk.
    public var minValidTime: Int64 = .min

    public init() {}
}
