import FuzzSupport
import LookoutModel
import LookoutQuery

/// The LogQL parser on arbitrary text, log and metric queries. Besides not crashing: an error's
/// column lies inside the query (or just past its end), and a parsed query runs on a few lines
/// (a metric query through the engine, at one time) without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    let record = LogRecord(labels: ["service": "api"], timestampNs: 1_000_000_000, line: #"{"a":1} b=2 timeout"#, fields: [LogField("c", "3")])
    do {
        switch try LogQLExpression.parse(text) {
        case .logs(let query): _ = query.apply(record)
        case .metric(let query):
            _ = try? LogQueryEngine(store: InMemoryLogStore([record])).instant(query, atNs: 60_000_000_000)
        }
    } catch {
        precondition(error.column >= 1 && error.column <= text.count + 1, "column \(error.column) outside \(text.count) characters")
    }
    return 0
}

@_cdecl("FuzzLogQL_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}
