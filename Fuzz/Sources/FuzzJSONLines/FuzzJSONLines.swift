import FuzzSupport
import LookoutFormats

/// The JSON-lines receiver on arbitrary bytes, as JSON lines and as a JSON body. Besides not
/// crashing: every non-blank line is either a record or a refusal naming it, never both or neither.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: count))
    var options = JSONLinesRequest.Options()
    options.maxLineBytes = 4096
    let lines = JSONLinesRequest.decode(body, json: false, options: options, nowNs: 1)
    var nonBlank = 0
    for line in body.split(separator: 0x0A, omittingEmptySubsequences: false) {
        if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { nonBlank += 1 }
    }
    precondition(lines.records.count + lines.errors.count == nonBlank, "a line was neither kept nor refused")
    precondition(lines.errors.allSatisfy { $0.line >= 1 && $0.line <= nonBlank + 1000 && !$0.message.isEmpty })
    _ = JSONLinesRequest.decode(body, json: true, options: options, nowNs: 1)
    return 0
}

@_cdecl("FuzzJSONLines_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}
