import LookoutModel
import Testing
@testable import LookoutQuery

/// The hints the evaluator passes to `select`: thinning by its grid never changes an answer, and
/// the sample limit it derives refuses what Prometheus refuses and keeps what it keeps.
@Suite struct SelectHintsTests {
    /// The same data, read without hints: what every answer is compared with.
    struct Unhinted: MetricQuerier {
        let inner: InMemoryMetricQuerier
        func select(_ matchers: [LabelMatcher], start: Int64, end: Int64) throws -> [SeriesData] {
            try inner.select(matchers, start: start, end: end)
        }
        func select(_ matchers: [LabelMatcher], start: Int64, end: Int64, hints: SelectHints) throws -> [SeriesData] {
            try inner.select(matchers, start: start, end: end)
        }
        func series(matching: [[LabelMatcher]], start: Int64, end: Int64) throws -> [Labels] {
            try inner.series(matching: matching, start: start, end: end)
        }
    }

    /// Four series sampled every second for an hour, one with a gap and a staleness marker.
    static let data = InMemoryMetricQuerier((0..<4).map { i in
        SeriesData(labels: ["__name__": "m", "i": String(i)], samples: (0..<3_600).compactMap { k -> Sample? in
            if i == 1 && (1_000..<1_400).contains(k) { return nil }
            return Sample(Int64(k) * 1_000, i == 2 && k == 2_000 ? StaleMarker.value : Double(k * (i + 1)))
        })
    })

    static let queries = [
        "m", "m offset 90s", "m @ 1800", "rate(m[30s])", "rate(m[5m] offset 1m)", "count_over_time(m[10s])",
        "m + on(i) rate(m[1m])", "max_over_time(m[2m:30s])", "timestamp(m)", "sum(m) by (i)", "absent(m{i=\"9\"})",
        "changes(m[20s]) + m", "m[1m] @ 600",
    ]

    @Test(arguments: queries) func thinningNeverChangesAnAnswer(_ query: String) throws {
        let hinted = QueryEngine(querier: Self.data), plain = QueryEngine(querier: Unhinted(inner: Self.data))
        for t: Int64 in [0, 700_000, 1_234_567, 2_000_000, 3_599_000] where !query.hasPrefix("m[") {
            #expect(try hinted.instant(query, at: t) == plain.instant(query, at: t), "\(query) at \(t)")
        }
        if query.contains("[1m] @") {
            #expect(try hinted.instant(query, at: 1_000_000) == plain.instant(query, at: 1_000_000))
            return
        }
        for (start, end, step): (Int64, Int64, Int64) in [(0, 3_600_000, 60_000), (500_000, 2_500_000, 7_000), (0, 3_600_000, 1_000)] {
            #expect(try hinted.range(query, start: start, end: end, step: step)
                    == plain.range(query, start: start, end: end, step: step), "\(query) step \(step)")
        }
    }

    @Test func anInstantSelectorCountsOneSamplePerSeries() throws {
        // Prometheus counts one sample per series for `m`, however dense the lookback window is.
        let engine = QueryEngine(querier: Self.data, options: QueryOptions(maxSamples: 4))
        guard case .vector(let v) = try engine.instant("m", at: 3_000_000) else { Issue.record("not a vector"); return }
        #expect(v.count == 4)
    }

    @Test func aWideRangeIsRefusedWhileReading() throws {
        let engine = QueryEngine(querier: Self.data, options: QueryOptions(maxSamples: 1_000))
        #expect(throws: Evaluator.tooManySamples) { try engine.instant("count(count_over_time(m[1h]))", at: 3_600_000) }
        // 61 steps may hold 1,000 samples each: 4 series × 31 samples per window fit.
        #expect(throws: Never.self) { try engine.range("count_over_time(m[30s])", start: 0, end: 3_600_000, step: 60_000) }
    }
}
