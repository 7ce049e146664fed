import LookoutModel
import Testing
@testable import LookoutQuery

/// Trace search over the in-memory fake: conditions meet on one span, `total` counts every
/// match, and durations can bound the span or the whole trace.
@Suite struct TraceSearchTests {
    static let t0: UInt64 = 1_700_000_000_000_000_000

    static func span(_ trace: UInt64, _ id: UInt64, parent: UInt64 = 0, service: String = "shop", name: String = "GET",
                     offset: UInt64 = 0, ms: UInt64, status: Int = 200) -> Span {
        Span(traceID: TraceID(high: 0, low: trace), spanID: SpanID(id), parentSpanID: SpanID(parent), name: name,
             startUnixNano: t0 + trace * 1_000_000_000 + offset, endUnixNano: t0 + trace * 1_000_000_000 + offset + ms * 1_000_000,
             attributes: [Attribute("http.response.status_code", .int(Int64(status)))],
             status: SpanStatus(code: status >= 500 ? .error : .unset),
             resource: SpanResource(attributes: [Attribute("service.name", .string(service))]))
    }

    /// Ten traces; trace i has a root of i×10 ms and, for even i, a 500-status child of 1 ms.
    static let store = InMemorySpanStore((1...10).flatMap { i -> [Span] in
        [span(i, i * 10, ms: i * 10)] + (i % 2 == 0 ? [span(i, i * 10 + 1, parent: i * 10, service: "db", name: "SELECT", ms: 1, status: 500)] : [])
    })

    func search(_ edit: (inout TraceSearchRequest) -> Void) throws -> TraceSearch.Result {
        var r = TraceSearchRequest()
        edit(&r)
        return try TraceSearch(querier: Self.store).run(r)
    }

    @Test func totalCountsEveryMatchEvenWhenLimitCutsTheList() throws {
        let result = try search { $0.service = "shop"; $0.limit = 3 }
        #expect(result.total == 10)
        #expect(result.traces.map(\.traceID.low) == [10, 9, 8], "newest first")
    }

    @Test func tagsAndMinDurationCombineOnOneSpan() throws {
        // The 500s are 1 ms spans: no span is both a 500 and at least 5 ms long.
        #expect(try search { $0.tags = [("http.response.status_code", "500")]; $0.minDurationNano = 5_000_000 }.total == 0)
        #expect(try search { $0.tags = [("http.response.status_code", "500")] }.total == 5)
        #expect(try search { $0.tags = [("error", "true")]; $0.service = "db" }.total == 5)
        #expect(try search { $0.service = "shop"; $0.minDurationNano = 50_000_000 }.traces.map(\.traceID.low) == [10, 9, 8, 7, 6, 5])
        #expect(try search { $0.service = "shop"; $0.maxDurationNano = 20_000_000 }.total == 2)
    }

    @Test func aDurationCanBoundTheWholeTrace() throws {
        // Only the db spans (1 ms) are searched, but their traces last i×10 ms.
        let span = try search { $0.service = "db"; $0.minDurationNano = 50_000_000 }
        #expect(span.total == 0)
        let trace = try search { $0.service = "db"; $0.minDurationNano = 50_000_000; $0.durationScope = .trace }
        #expect(trace.traces.map(\.traceID.low) == [10, 8, 6])
        #expect(trace.traces[0].matched.map(\.name) == ["SELECT"] && trace.traces[0].rootServiceName == "shop")
    }

    @Test func theTimeRangeBoundsTheSearch() throws {
        let result = try search { $0.startUnixNano = Self.t0 + 3_000_000_000; $0.endUnixNano = Self.t0 + 5_500_000_000 }
        #expect(result.traces.map(\.traceID.low) == [5, 4, 3])
    }

    @Test func serviceGraphEdgesCrossServices() throws {
        let edges = try ServiceGraph.edges(Self.store, startUnixNano: 0, endUnixNano: .max)
        #expect(edges == [ServiceGraph.Edge(client: "shop", server: "db", calls: 5, failed: 5)])
    }

    @Test func goDurations() {
        #expect(GoDuration.nanoseconds("1.5s") == 1_500_000_000)
        #expect(GoDuration.nanoseconds("1h30m") == 5_400_000_000_000)
        #expect(GoDuration.nanoseconds("250us") == 250_000)
        #expect(GoDuration.nanoseconds("0") == 0)
        #expect(GoDuration.nanoseconds("5") == nil && GoDuration.nanoseconds("-1s") == nil && GoDuration.nanoseconds("") == nil)
    }
}
