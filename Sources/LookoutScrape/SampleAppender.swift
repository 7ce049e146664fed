import LookoutModel
import LookoutStorage

/// Where scraped samples go: the metric store, or a recorder in tests.
public protocol SampleAppender: Sendable {
    /// Appends one scrape's samples as one batch; returns once they are durable.
    func append(_ batch: [(labels: Labels, sample: Sample)]) async throws -> AppendResult
}

extension MetricStore: SampleAppender {}
