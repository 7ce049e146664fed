import LookoutModel
import Testing
@testable import LookoutQuery

/// Result shapes and limits of `QueryEngine`.
@Suite struct QueryEngineTests {
    static func querier(series: Int = 3, points: Int = 100, stepMs: Int64 = 15_000) -> InMemoryMetricQuerier {
        InMemoryMetricQuerier((0..<series).map { i in
            SeriesData(labels: ["__name__": "m", "i": String(i)],
                       samples: (0..<points).map { Sample(Int64($0) * stepMs, Double($0)) })
        })
    }

    @Test func instantShapes() throws {
        let engine = QueryEngine(querier: Self.querier())
        guard case .vector(let v) = try engine.instant("m", at: 100_000) else { Issue.record("not a vector"); return }
        #expect(v.count == 3)
        #expect(v.allSatisfy { $0.sample.timestamp == 100_000 && $0.sample.value == 6 })
        #expect(try engine.instant("1 + 1", at: 5_000) == .scalar(Sample(5_000, 2)))
        #expect(try engine.instant("\"x\"", at: 5_000) == .string("x", 5_000))
        guard case .matrix(let m) = try engine.instant("m{i=\"0\"}[30s]", at: 30_000) else { Issue.record("not a matrix"); return }
        #expect(m == [SeriesData(labels: ["__name__": "m", "i": "0"], samples: [Sample(0, 0), Sample(15_000, 1), Sample(30_000, 2)])])
    }

    @Test func rangeIsSortedMatrix() throws {
        let engine = QueryEngine(querier: Self.querier())
        guard case .matrix(let m) = try engine.range("m * 2", start: 0, end: 60_000, step: 30_000) else {
            Issue.record("not a matrix"); return
        }
        #expect(m.map(\.labels) == [["i": "0"], ["i": "1"], ["i": "2"]])
        #expect(m[0].samples == [Sample(0, 0), Sample(30_000, 4), Sample(60_000, 8)])
        guard case .matrix(let s) = try engine.range("time()", start: 0, end: 2_000, step: 1_000) else {
            Issue.record("not a matrix"); return
        }
        #expect(s == [SeriesData(labels: .empty, samples: [Sample(0, 0), Sample(1_000, 1), Sample(2_000, 2)])])
    }

    @Test func tooManySamples() {
        let engine = QueryEngine(querier: Self.querier(), options: QueryOptions(maxSamples: 50))
        #expect(throws: QueryError.execution("query processing would load too many samples into memory in query execution")) {
            try engine.instant("count_over_time(m[10m])", at: 1_000_000)
        }
        #expect(throws: QueryError.execution("query processing would load too many samples into memory in query execution")) {
            try engine.range("m", start: 0, end: 1_000_000, step: 15_000)
        }
        // Within the limit.
        #expect(throws: Never.self) { try engine.instant("count_over_time(m[2m])", at: 1_000_000) }
    }

    @Test func timeout() {
        let engine = QueryEngine(querier: Self.querier(points: 2_000), options: QueryOptions(timeout: 0))
        do {
            _ = try engine.range("max_over_time(m[1h:15s])", start: 0, end: 30_000_000, step: 15_000)
            Issue.record("no timeout")
        } catch {
            #expect(error.kind == .timeout)
            #expect(error.message.hasPrefix("query timed out in "))
        }
    }

    @Test func rangeLimits() {
        let engine = QueryEngine(querier: Self.querier())
        let tooMany = "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
        #expect(throws: QueryError.badData(tooMany)) { try engine.range("m", start: 0, end: 11_001, step: 1) }
        #expect(throws: Never.self) { try engine.range("vector(1)", start: 0, end: 11_000, step: 1) }
        for step: Int64 in [0, -1] {
            #expect(throws: QueryError.self) { try engine.range("m", start: 0, end: 10, step: step) }
        }
        #expect(throws: QueryError.self) { try engine.range("m", start: 10, end: 0, step: 1) }
    }

    @Test func parseErrorsAreBadData() {
        let engine = QueryEngine(querier: Self.querier())
        do {
            _ = try engine.instant("sum(m) +", at: 0)
            Issue.record("parsed")
        } catch {
            #expect(error.kind == .badData)
            #expect(error.message == "1:9: parse error: unexpected end of input")
        }
    }

    @Test func extremeTimesDoNotTrap() throws {
        let engine = QueryEngine(querier: Self.querier())
        for query in ["m @ 9000000000000000 offset -290000000y", "rate(m[290000000y] @ -9000000000000000)",
                      "m offset 290000000y", "timestamp(m @ -9000000000000000)", "count_over_time(m[1h:1m] @ 9000000000000000)"] {
            _ = try engine.instant(query, at: 1_000_000)
        }
        _ = try engine.range("m", start: Int64.max - 10, end: Int64.max, step: 7)
        #expect(throws: QueryError.self) { try engine.instant("m[999999999999999999999y]", at: 0) }
        #expect(throws: QueryError.self) { try engine.instant("m[9000000000y1w]", at: 0) }
        // Each unit fits but their sum overflows: the lexer rejects it rather than trapping.
        #expect(throws: QueryError.badData("1:3: parse error: bad number or duration syntax: \"292471208y36w\"")) {
            try engine.instant("m[292471208y36w]", at: 0)
        }
    }

    /// `%v`-formatted numbers in messages, as Prometheus 2.42's `fmt` prints them.
    @Test func overflowMessageFormatsLikeGo() {
        let engine = QueryEngine(querier: Self.querier())
        #expect(throws: QueryError.execution("Scalar value 1e+20 overflows int64")) {
            try engine.instant("topk(1e20, m)", at: 0)
        }
    }
}
