import LookoutModel
import Testing
@testable import LookoutQuery

/// TraceQL's subset: what Grafana's query builder writes parses and selects the right spans;
/// what Lookout does not support is an error naming the part and its column.
@Suite struct TraceQLTests {
    static let trace = TraceSearchTests.store

    func matched(_ q: String, trace: UInt64) throws -> [String]? {
        let spans = try Self.trace.spans(of: TraceID(high: 0, low: trace))
        return TraceQLEvaluator(try TraceQL.parse(q)).matches(spans)?.map(\.name)
    }

    @Test func grafanasQueryBuilderShapes() throws {
        #expect(try matched(#"{resource.service.name="db" && name="SELECT" && status=error && duration>0ms}"#, trace: 4) == ["SELECT"])
        #expect(try matched(#"{resource.service.name="db"}"#, trace: 3) == nil, "odd traces have no db span")
        #expect(try matched(#"{ span.http.response.status_code >= 500 }"#, trace: 4) == ["SELECT"])
        #expect(try matched(#"{ .http.response.status_code = 200 && duration > 30ms }"#, trace: 4) == ["GET"])
        #expect(try matched(#"{ name =~ "SEL.*" }"#, trace: 2) == ["SELECT"])
        #expect(try matched(#"{ name =~ "SEL" }"#, trace: 2) == nil, "regexes are anchored")
        #expect(try matched(#"{ name !~ "SEL.*" }"#, trace: 2) == ["GET"])
        #expect(try matched("{}", trace: 2)?.count == 2)
        #expect(try matched(#"{ rootServiceName = "shop" && kind = internal }"#, trace: 2)?.count == 2)
        #expect(try matched(#"{ traceDuration > 15ms } && { status = error }"#, trace: 2)?.count == 2)
        #expect(try matched(#"{ traceDuration > 25ms } && { status = error }"#, trace: 2) == nil)
        #expect(try matched(#"{ status = error } || { name = "nope" }"#, trace: 2) == ["SELECT"])
        #expect(try matched(#"({ name = "GET" } || { name = "SELECT" }) | count() > 1"#, trace: 2)?.count == 2)
        #expect(try matched(#"{ } | count() > 2"#, trace: 2) == nil)
        #expect(try matched(#"{ } | avg(duration) > 10ms"#, trace: 4) == ["GET", "SELECT"], "(40 + 1) / 2 ms")
        #expect(try matched(#"{ (name = "GET" || name = "SELECT") && status != error }"#, trace: 4) == ["GET"])
        #expect(try matched(#"{ span.missing = "x" }"#, trace: 4) == nil)
    }

    @Test func theIndexIsNarrowedByAServiceTheQueryRequires() throws {
        #expect(TraceQLEvaluator(try TraceQL.parse(#"{ resource.service.name = "db" && duration > 1ms }"#)).service == "db")
        #expect(TraceQLEvaluator(try TraceQL.parse(#"{ resource.service.name = "db" || duration > 1ms }"#)).service == nil)
    }

    @Test func unsupportedAndMalformedQueriesNameThePartAndColumn() {
        func error(_ q: String) -> TraceQLError? {
            do { _ = try TraceQL.parse(q); return nil } catch { return error }
        }
        #expect(error("{ name = \"a\" } >> { name = \"b\" }")?.message.contains("structural operators") == true)
        #expect(error("{ name = \"a\" } | rate()")?.column == 18)
        #expect(error("{ name = \"a\" } | rate()")?.message.hasPrefix("unsupported pipeline stage") == true)
        #expect(error("{ foo = 1 }")?.message.hasPrefix("unsupported field \"foo\"") == true)
        #expect(error("{ foo = 1 }")?.column == 3)
        #expect(error("{ name = \"a\" ")?.message.contains("expected && , || or }") == true)
        #expect(error("{ status = 1 }")?.message == "status compares with = or != to error, ok or unset")
        #expect(error("{ duration > \"x\" }")?.message == "durations compare to a duration such as 100ms")
        #expect(error("{ name =~ \"(\" }")?.message.hasPrefix("invalid regex") == true)
        #expect(error("{ name = \"unterminated }")?.message == "unterminated string")
        #expect(error(String(repeating: "(", count: 100) + "{}")?.message.contains("nests deeper") == true)
        #expect(error("{ name = \"a\" } extra")?.message.hasPrefix("unexpected") == true)
    }
}
