import Foundation
import LookoutModel
import LookoutQuery
import Testing

/// Engine-only latency on synthetic data (1000 series, 1 day at 15 s), when `PROMQL_BENCH` is set;
/// run with `swift test -c release --filter PromQLBenchmarkTests`.
@Suite struct PromQLBenchmarkTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PROMQL_BENCH"] != nil, "set PROMQL_BENCH to run"))
    func rangeQueries() throws {
        let querier = InMemoryMetricQuerier((0..<1000).map { i in
            SeriesData(labels: ["__name__": "m", "i": String(i), "job": String(i % 5)],
                       samples: (0..<5760).map { Sample(Int64($0) * 15_000, Double($0)) })
        })
        let engine = QueryEngine(querier: querier)
        for query in ["m", "rate(m[5m])", "sum by (job) (rate(m[5m]))", "max_over_time(m[1h:1m])",
                      "m / on(i, job) m", "histogram_quantile(0.9, sum by (le) (rate(m[5m])))", "topk(5, m)"] {
            let clock = ContinuousClock()
            let began = clock.now
            _ = try engine.range(query, start: 3_600_000, end: 86_000_000, step: 60_000)
            print("BENCH \(query): \(clock.now - began)")
        }
    }
}
