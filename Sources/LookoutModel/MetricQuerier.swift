/// What the query engine reads metrics through. `LookoutStorage.MetricStore` implements it on
/// disk; tests implement it in memory. Times are milliseconds, ranges inclusive at both ends.
public protocol MetricQuerier: Sendable {
    /// Series matching every matcher, with their samples in `[start, end]`, sorted by labels.
    /// Series with no sample in the range are left out.
    func select(_ matchers: [LabelMatcher], start: Int64, end: Int64) throws -> [SeriesData]

    /// `select` within `hints`: without the samples its grid does not see, stopping with a
    /// `SelectLimitError` as soon as the sample limit or the deadline is passed. A store that
    /// reads from disk enforces both while reading; the default applies them afterwards.
    func select(_ matchers: [LabelMatcher], start: Int64, end: Int64, hints: SelectHints) throws -> [SeriesData]

    /// Label sets of series matching any of the matcher lists (all series when empty) that have
    /// samples in `[start, end]`.
    func series(matching: [[LabelMatcher]], start: Int64, end: Int64) throws -> [Labels]

    /// Sorted label names of the series `series(matching:start:end:)` returns.
    func labelNames(matching: [[LabelMatcher]], start: Int64, end: Int64) throws -> [String]

    /// Sorted distinct values of one label among those series.
    func labelValues(_ name: String, matching: [[LabelMatcher]], start: Int64, end: Int64) throws -> [String]
}

extension MetricQuerier {
    public func select(_ matchers: [LabelMatcher], start: Int64, end: Int64, hints: SelectHints) throws -> [SeriesData] {
        var held = 0
        var out: [SeriesData] = []
        for var series in try select(matchers, start: start, end: end) {
            try hints.checkDeadline()
            if let grid = hints.grid { series.samples = grid.thin(series.samples) }
            guard !series.samples.isEmpty else { continue }
            held += series.samples.count
            if held > hints.sampleLimit { throw SelectLimitError.tooManySamples }
            out.append(series)
        }
        return out
    }

    public func labelNames(matching: [[LabelMatcher]], start: Int64, end: Int64) throws -> [String] {
        let all = try series(matching: matching, start: start, end: end)
        return Set(all.flatMap { $0.pairs.map(\.name) }).sorted()
    }

    public func labelValues(_ name: String, matching: [[LabelMatcher]], start: Int64, end: Int64) throws -> [String] {
        let all = try series(matching: matching, start: start, end: end)
        return Set(all.compactMap { $0[name] }).sorted()
    }
}

/// A `MetricQuerier` over series held in memory: for tests, and for small in-process data.
public struct InMemoryMetricQuerier: MetricQuerier {
    public var allSeries: [SeriesData]

    public init(_ series: [SeriesData]) {
        self.allSeries = series.sorted { $0.labels < $1.labels }
    }

    public func select(_ matchers: [LabelMatcher], start: Int64, end: Int64) throws -> [SeriesData] {
        allSeries.compactMap { series in
            guard matchers.matches(series.labels) else { return nil }
            let samples = series.samples.filter { $0.timestamp >= start && $0.timestamp <= end }
            return samples.isEmpty ? nil : SeriesData(labels: series.labels, samples: samples)
        }
    }

    public func series(matching: [[LabelMatcher]], start: Int64, end: Int64) throws -> [Labels] {
        allSeries.filter { series in
            (matching.isEmpty || matching.contains { $0.matches(series.labels) })
                && series.samples.contains { $0.timestamp >= start && $0.timestamp <= end }
        }.map(\.labels)
    }
}
