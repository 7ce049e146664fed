import LookoutModel
import Testing
import Foundation
@testable import LookoutQuery

@Suite struct ZZTmpBench {
    @Test func bench() throws {
        let q = InMemoryMetricQuerier((0..<100).map { i in
            SeriesData(labels: ["__name__": "m", "i": String(i), "job": String(i % 5)],
                       samples: (0..<5760).map { Sample(Int64($0) * 15_000, Double($0)) })
        })
        let engine = QueryEngine(querier: q)
        for query in ["rate(m[5m])", "sum by (job) (rate(m[5m]))", "m", "max_over_time(m[1h:1m])", "m / on(i, job) m"] {
            let c = ContinuousClock.now
            _ = try engine.range(query, start: 3_600_000, end: 86_000_000, step: 60_000)
            print("BENCH \(query): \(ContinuousClock.now - c)")
        }
    }
}
