import FuzzSupport
import LookoutModel
import LookoutQuery

/// The TraceQL parser on arbitrary text: it answers a query or an error with a column inside the
/// text, and an evaluator built from any parsed query runs on a small trace without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    do {
        let query = try TraceQL.parse(text)
        _ = TraceQLEvaluator(query).matches(trace)
    } catch {
        precondition(error.column >= 1 && error.column <= text.utf8.count + 1, "error column \(error.column) outside the query")
    }
    return 0
}

private let trace: [Span] = [
    Span(traceID: TraceID(high: 1, low: 2), spanID: SpanID(1), name: "GET /", kind: .server, startUnixNano: 1_000, endUnixNano: 9_000,
         attributes: [Attribute("http.response.status_code", .int(500)), Attribute("ratio", .double(0.5)), Attribute("ok", .bool(false))],
         status: SpanStatus(code: .error, message: "boom"),
         resource: SpanResource(attributes: [Attribute("service.name", .string("shop"))])),
    Span(traceID: TraceID(high: 1, low: 2), spanID: SpanID(2), parentSpanID: SpanID(1), name: "SELECT", kind: .client,
         startUnixNano: 2_000, endUnixNano: 3_000, resource: SpanResource(attributes: [Attribute("service.name", .string("db"))])),
]

@_cdecl("FuzzTraceQL_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}
