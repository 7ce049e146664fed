import FuzzSupport
import LookoutModel
import LookoutQuery

/// The LogQL parser on arbitrary text. Besides not crashing: an error's column lies inside the
/// query (or just past its end), and a parsed query runs on a line without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    do {
        let query = try LogQLParser.parse(text)
        let record = LogRecord(labels: ["service": "api"], timestampNs: 1, line: #"{"a":1} b=2 timeout"#, fields: [LogField("c", "3")])
        _ = query.apply(record)
    } catch {
        precondition(error.column >= 1 && error.column <= text.count + 1, "column \(error.column) outside \(text.count) characters")
    }
    return 0
}

@_cdecl("FuzzLogQL_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}
