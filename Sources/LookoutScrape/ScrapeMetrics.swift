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
}
