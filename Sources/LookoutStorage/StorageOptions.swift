#if canImport(Glibc)
import Glibc
#endif

/// Tunables of a `MetricStore`; `wal` is used when the store opens a data directory of its own
/// (`MetricStore(directory:)`), otherwise the data directory's `WALOptions` apply.
public struct StorageOptions: Sendable {
    /// How long partitions are kept, in milliseconds (whole partitions are deleted).
    public var retention: Int64 = 15 * 86_400_000
    /// The WAL of a data directory the store opens itself.
    public var wal = WALOptions()
    /// Width of a time partition under `metrics/`, in milliseconds.
    public var partitionDuration: Int64 = 2 * 3_600_000
    /// A partition is written to disk once the newest head sample, and the wall clock, are this far past
    /// its end (ms).
    /// Defaults to half the partition duration when nil. Samples older than the written partitions are
    /// rejected as out of order.
    public var partitionGrace: Int64? = nil
    /// Samples per head chunk before it is cut (Prometheus uses 120).
    public var samplesPerChunk: Int = 120
    /// Re-encode sealed chunks with zlib when written to a partition, when that is smaller.
    public var compressSegments: Bool = true
    /// Wall-clock milliseconds since the epoch. Appends more than `partitionDuration` ahead of it are
    /// rejected, and partitions are never judged due past it. Tests replace it.
    var clock: @Sendable () -> Int64 = StorageOptions.wallClock

    public init(retention: Int64 = 15 * 86_400_000, fsync: FsyncMode = .batch,
                partitionDuration: Int64 = 2 * 3_600_000, partitionGrace: Int64? = nil,
                walSegmentBytes: Int64 = 64 << 20, samplesPerChunk: Int = 120,
                compressSegments: Bool = true) {
        self.retention = retention
        self.wal = WALOptions(fsync: fsync, segmentBytes: walSegmentBytes)
        self.partitionDuration = partitionDuration
        self.partitionGrace = partitionGrace
        self.samplesPerChunk = samplesPerChunk
        self.compressSegments = compressSegments
    }

    /// The system's real-time clock in milliseconds.
    static let wallClock: @Sendable () -> Int64 = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// The effective grace period in milliseconds.
    var effectiveGrace: Int64 { partitionGrace ?? partitionDuration / 2 }
}
