import LookoutModel
import Testing
@testable import LookoutQuery

/// Range queries' series-by-series shortcuts (`Evaluator.seriesMajor`, `Evaluator.memoizedRange`)
/// give exactly what evaluating every step in full gives: the same series, points and errors.
@Suite struct RangeFastPathTests {
    /// Counters with resets, a gap, a staleness marker, two metric names sharing labels once the
    /// name is dropped, and a series that starts late.
    static let querier: InMemoryMetricQuerier = {
        var series: [SeriesData] = []
        for i in 0..<3 {
            var samples: [Sample] = []
            for k in 0..<120 where !(i == 1 && (40..<55).contains(k)) {
                var v = Double(k * (i + 1))
                if i == 2 && k > 70 { v -= 150 } // a counter reset
                samples.append(Sample(Int64(k) * 15_000 + Int64(i) * 1_000, v))
                if i == 0 && k == 60 { samples.append(Sample(Int64(k) * 15_000 + 7_000, StaleMarker.value)) }
            }
            series.append(SeriesData(labels: ["__name__": "c", "i": String(i)], samples: samples))
        }
        series.append(SeriesData(labels: ["__name__": "d", "i": "0"],
                                 samples: (80..<120).map { Sample(Int64($0) * 15_000, Double($0 % 7)) }))
        series.append(SeriesData(labels: ["__name__": "e", "i": "0"],
                                 samples: (0..<30).map { Sample(Int64($0) * 15_000, Double($0)) }))
        return InMemoryMetricQuerier(series)
    }()

    static let expressions = [
        "c", "c offset 2m", "c{i!=\"1\"}", "{__name__=~\"c|d\"}", "nothing",
        "rate(c[1m])", "rate(c[5m] offset 1m)", "increase(c[2m])", "delta(c[45s])", "irate(c[1m])",
        "idelta(c[1m])", "deriv(c[3m])", "resets(c[5m])", "changes(c[5m])", "avg_over_time(c[2m])",
        "min_over_time(c[2m])", "max_over_time(c[2m])", "sum_over_time(c[2m])", "count_over_time(c[2m])",
        "last_over_time(c[1m])", "present_over_time(c[1m])", "stddev_over_time(c[2m])", "stdvar_over_time(c[2m])",
        "(rate((c[1m])))", "sum(rate(c[1m]))", "rate(c[1m]) / on(i) group_left increase(c[1m])",
        "rate({__name__=~\"d|e\"}[1m])", "rate({__name__=~\"c|d\"}[1m])",
        "max_over_time(rate(c[1m])[5m:30s])", "last_over_time({__name__=~\"c|d\"}[1m])",
        // Subqueries whose grid is filled series by series (`Evaluator.prefill`), and ones that are not.
        "max_over_time(c[5m:30s])", "sum_over_time(c offset 1m[3m:45s] offset 30s)", "changes(c[10m:1m])",
        "count_over_time(rate(c[1m])[5m:20s])", "last_over_time(c[1m:15s])", "min_over_time(c[4m:7s])",
        "max_over_time(rate({__name__=~\"c|d\"}[1m])[2m:30s])", "avg_over_time(last_over_time(c[1m])[6m:1m])",
        "rate(c[5m:1m]) + max_over_time(c[5m:1m])", "max_over_time(c[5m:30s] @ 600)", "sum_over_time(c[20m:1m])",
        "sum_over_time(vector(1)[5m:1m])", "rate((vector(2) or label_replace(vector(3), \"a\", \"b\", \"\", \"\"))[5m:30s])",
        "count_over_time(vector(pi())[3m:45s])", "sum_over_time(vector(time())[5m:1m])",
        "max_over_time(max_over_time(c[2m:30s])[5m:1m])", "min_over_time(rate(c[1m:15s])[4m:30s] offset 1m)",
        "sum_over_time(count_over_time(c offset 30s[1m:20s])[3m:45s])", "max_over_time(last_over_time(c[2m:1m])[4m:30s])",
        "count_over_time(max_over_time({__name__=~\"c|d\"}[1m:30s])[2m:30s])", "max_over_time(max_over_time(c[2m:30s] @ 300)[5m:1m])",
        "deriv(sum(c)[5m:30s])", "rate(sum by (i) (c)[5m:1m])", "max_over_time(avg without (i) (c)[3m:30s])",
        "changes(count(c)[10m:1m])", "min_over_time(stddev({__name__=~\"c|d\"})[4m:30s])",
        "sum_over_time(group by (__name__) ({__name__=~\"c|d|e\"})[2m:15s])", "max_over_time(min(c offset 1m)[5m:1m])",
        "max_over_time(max(c)[5m:1m]) - min_over_time(stdvar(c)[5m:1m])", "max_over_time(topk(1, c)[5m:1m])",
    ]

    /// Steps shorter than, equal to and longer than the windows; 77 s leaves gaps between the
    /// windows of `[1m:15s]` that are still filled whole (`Evaluator.fillsWholeGrid`).
    static let windows: [(Int64, Int64, Int64)] = [
        (0, 1_800_000, 15_000), (100_000, 1_700_000, 7_000), (-60_000, 2_000_000, 300_000), (30_000, 1_790_000, 77_000),
    ]

    @Test(arguments: expressions) func sameAsFullEvaluation(_ expr: String) throws {
        let engine = QueryEngine(querier: Self.querier)
        let parsed = try PromQLParser.parse(expr)
        for (start, end, step) in Self.windows {
            let fast = Result { () throws(QueryError) in try engine.range(parsed, start: start, end: end, step: step, fastPaths: true) }
            let full = Result { () throws(QueryError) in try engine.range(parsed, start: start, end: end, step: step, fastPaths: false) }
            #expect(fast == full, "\(expr) from \(start) to \(end) by \(step)")
        }
    }

    @Test(arguments: ["c", "rate(c[1m])", "sum(rate(c[2m]))", "count_over_time(c[5m])"]) func sameSampleLimit(_ expr: String) throws {
        let parsed = try PromQLParser.parse(expr)
        for limit in [0, 1, 3, 10, 50, 100, 200, 300, 400, 600, 1_000, 2_000, 5_000] {
            let engine = QueryEngine(querier: Self.querier, options: QueryOptions(maxSamples: limit))
            let fast = Result { () throws(QueryError) in try engine.range(parsed, start: 0, end: 1_800_000, step: 15_000, fastPaths: true) }
            let full = Result { () throws(QueryError) in try engine.range(parsed, start: 0, end: 1_800_000, step: 15_000, fastPaths: false) }
            #expect(fast == full, "\(expr) with max_samples \(limit)")
        }
    }
}

/// Subquery memos are shared only by subqueries that print the same.
@Suite struct SubqueryMemoTests {
    @Test func signedZeroAndNaNLiteralsKeepTheirOwnMemo() throws {
        let engine = QueryEngine(querier: RangeFastPathTests.querier)
        let expr = "max_over_time((c * 0)[2m:30s]) or label_replace(max_over_time((c * -0)[2m:30s]), \"neg\", \"1\", \"\", \"\")"
            + " or label_replace(sum_over_time(vector(NaN)[1m:30s]), \"n\", \"1\", \"\", \"\")"
        let fast = try engine.range(PromQLParser.parse(expr), start: 0, end: 600_000, step: 60_000)
        var expected: [SeriesData] = []
        for t in stride(from: Int64(0), through: 600_000, by: 60_000) {
            guard case .vector(let v) = try engine.instant(expr, at: t) else { Issue.record("not a vector"); return }
            for s in v {
                if let i = expected.firstIndex(where: { $0.labels == s.labels }) {
                    expected[i].samples.append(s.sample)
                } else {
                    expected.append(SeriesData(labels: s.labels, samples: [s.sample]))
                }
            }
        }
        #expect(fast == .matrix(expected.sorted { $0.labels < $1.labels }))
        guard case .matrix(let m) = fast else { return }
        #expect(m.contains { $0.labels["neg"] == "1" && $0.samples.allSatisfy { $0.value.sign == .minus } })
    }
}
