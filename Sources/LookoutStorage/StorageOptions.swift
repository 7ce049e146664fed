#if canImport(Glibc)
import Glibc
#endif

/// When an append's WAL record is fsynced before the append returns.
public enum FsyncMode: Sendable, Equatable {
    /// Group commit: concurrent appends share one fsync; an append returns once its record is durable.
    case batch
    /// Every append writes and fsyncs its own record before returning.
    case always
    /// Appends return after `write(2)`; a background timer fsyncs every `milliseconds`.
    case interval(milliseconds: Int64)
}

/// Tunables of a `MetricStore`.
public struct StorageOptions: Sendable {
    /// How long partitions are kept, in milliseconds (whole partitions are deleted).
    public var retention: Int64 = 15 * 86_400_000
    /// Durability of an acknowledged append.
    public var fsync: FsyncMode = .batch
    /// Width of a time partition under `metrics/`, in milliseconds.
    public var partitionDuration: Int64 = 2 * 3_600_000
    /// A partition is written to disk once the newest head sample, and the wall clock, are this far past
    /// its end (ms).
    /// Defaults to half the partition duration when nil. Samples older than the written partitions are
    /// rejected as out of order.
    public var partitionGrace: Int64? = nil
    /// Size at which a WAL segment file is closed and a new one started.
    public var walSegmentBytes: Int64 = 64 << 20
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
        self.fsync = fsync
        self.partitionDuration = partitionDuration
        self.partitionGrace = partitionGrace
        self.walSegmentBytes = walSegmentBytes
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
