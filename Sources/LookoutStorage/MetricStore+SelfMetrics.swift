import LookoutModel

extension MetricStore {
    /// The store's families for `/metrics` (`SelfMetricsRegistry`).
    public func selfMetrics() -> [MetricFamily] {
        let stats = stats
        return [
            MetricFamily("lookout_head_series", .gauge, help: "Series in the in-memory head.", value: Double(stats.headSeries)),
            MetricFamily("lookout_head_chunks", .gauge, help: "Chunks in the in-memory head.", value: Double(stats.headChunks)),
            MetricFamily("lookout_samples_appended_total", .counter, help: "Samples stored (stale markers included).",
                         value: Double(stats.samplesAppended)),
            MetricFamily("lookout_samples_out_of_order_total", .counter, help: "Samples rejected as older than their series' newest sample.",
                         value: Double(stats.outOfOrderRejected)),
            MetricFamily("lookout_samples_out_of_bounds_total", .counter,
                         help: "Samples rejected for lying more than a partition ahead of the clock (also counted as out of order).",
                         value: Double(stats.outOfBoundsRejected)),
            MetricFamily("lookout_samples_duplicate_total", .counter, help: "Samples rejected for a timestamp already holding another value.",
                         value: Double(stats.duplicatesRejected)),
            MetricFamily("lookout_query_samples_read_total", .counter, help: "Samples decoded from chunks by queries.",
                         value: Double(stats.samplesRead)),
            MetricFamily("lookout_wal_fsyncs_total", .counter, help: "fsync calls on the WAL.", value: Double(stats.walFsyncs)),
            MetricFamily("lookout_wal_fsync_seconds_total", .counter, help: "Seconds spent in WAL fsync.", value: stats.walFsyncSecondsTotal),
            MetricFamily("lookout_wal_bytes", .gauge, help: "Bytes in WAL segment files.", value: Double(stats.walBytes)),
            MetricFamily("lookout_wal_records_replayed_total", .counter, help: "WAL records replayed at start.",
                         value: Double(stats.walRecordsReplayed)),
            MetricFamily("lookout_wal_checkpoints_total", .counter, help: "WAL checkpoints written by the metric store.",
                         value: Double(stats.checkpoints)),
            MetricFamily("lookout_partitions_written_total", .counter, help: "Time partitions sealed to segment files.",
                         value: Double(stats.partitionsWritten)),
            MetricFamily("lookout_partitions_deleted_total", .counter, help: "Time partitions deleted by retention.",
                         value: Double(stats.partitionsDeleted)),
        ] + data.health.families()
    }
}
