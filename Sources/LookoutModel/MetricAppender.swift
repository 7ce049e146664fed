/// How metric samples get into a store — the write side of `MetricQuerier`, as Prometheus's
/// `Appender`: a series is named by its labels the first time (`seriesRef(for:)`), then by its ref,
/// so a caller that caches refs (a scrape loop, OTLP ingest, span metrics, recording rules) costs
/// the store no label hashing per sample. `LookoutStorage.MetricStore` implements it;
/// `InMemoryMetricStore` is the fake for tests.
public protocol MetricAppender: Sendable {
    /// The ref of the series with `labels`, creating the series if needed.
    func seriesRef(for labels: Labels) throws -> SeriesRef

    /// Appends one batch by ref. With `waitUntilDurable`, returns once the batch is durable per the
    /// store's fsync mode (a push is acknowledged only then); without, once it is applied and
    /// queued for the WAL (a scrape, which no client waits for). Out-of-order, duplicate and
    /// out-of-bounds samples are counted in the result, not thrown.
    func append(refs batch: [(ref: SeriesRef, sample: Sample)], waitUntilDurable: Bool) async throws -> AppendResult

    /// Appends one batch by labels, creating series as needed; returns once it is durable.
    func append(_ batch: [(labels: Labels, sample: Sample)]) async throws -> AppendResult
}
