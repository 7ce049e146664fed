import LookoutModel
import Synchronization

/// Counters the scrape manager keeps about itself, for Lookout's own `/metrics`.
public final class ScrapeMetrics: Sendable {
    private struct Counts {
        var scrapes = 0
        var failures = 0
        var durationSum = 0.0
        var samplesAppended = 0
    }
    private let counts = Mutex(Counts())

    public init() {}

    func record(success: Bool, duration: Double, samples: Int) {
        counts.withLock {
            $0.scrapes += 1
            if !success { $0.failures += 1 }
            $0.durationSum += duration
            $0.samplesAppended += samples
        }
    }

    /// Totals since start: scrapes, failed scrapes, seconds spent scraping, samples appended.
    public var totals: (scrapes: Int, failures: Int, durationSeconds: Double, samples: Int) {
        counts.withLock { ($0.scrapes, $0.failures, $0.durationSum, $0.samplesAppended) }
    }

    /// The scrape families for `/metrics` (`SelfMetricsRegistry`).
    public func families() -> [MetricFamily] {
        let t = totals
        return [
            MetricFamily("lookout_scrapes_total", .counter, help: "Scrapes attempted.", value: Double(t.scrapes)),
            MetricFamily("lookout_scrapes_failed_total", .counter, help: "Scrapes that failed.", value: Double(t.failures)),
            MetricFamily("lookout_scrape_duration_seconds_total", .counter, help: "Seconds spent scraping.", value: t.durationSeconds),
            MetricFamily("lookout_scrape_samples_total", .counter, help: "Samples stored from scrapes.", value: Double(t.samples)),
        ]
    }
}
