import FuzzSupport
import LookoutFormats

/// The OTLP trace decoders on arbitrary bytes, as protobuf and as JSON. Besides not crashing: what
/// decodes, written back as OTLP/JSON, decodes again to the same spans (by trace and span id),
/// and no span is both kept and counted as rejected.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: count))
    for encoding in [OTLPEncoding.protobuf, .json] {
        guard let decoded = try? OTLPTraceRequest.decode(body, encoding: encoding) else { continue }
        precondition(decoded.rejectedSpans == 0 || !decoded.errorMessage.isEmpty, "a rejection without a reason")
        let again = try? OTLPTraceRequest.decode(OTLPTraceEncoder.tracesJSON(decoded.spans), encoding: .json)
        precondition(again?.rejectedSpans == 0, "spans written back were rejected: \(again?.errorMessage ?? "undecodable")")
        let ids = { (r: OTLPTraceRequest?) in Set((r?.spans ?? []).map { "\($0.traceID)/\($0.spanID)" }) }
        precondition(ids(again) == ids(decoded) && again?.spans.count == decoded.spans.count, "OTLP/JSON round trip lost spans")
    }
    return 0
}

@_cdecl("FuzzOTLP_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}
