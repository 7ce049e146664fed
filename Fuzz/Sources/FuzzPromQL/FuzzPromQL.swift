import FuzzSupport
import LookoutQuery

/// The PromQL parser on arbitrary text. An expression that parses must print to text that parses
/// again. (Not always to the same printout: as Prometheus, the printer writes an infinite literal
/// as `+Inf`, which reads back as a unary plus, binding looser than `^`: `Inf ^ f` prints as
/// `+Inf ^ f`, which is `+(Inf ^ f)`.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: count), as: UTF8.self) else { return 0 }
    guard let expr = try? PromQLParser.parse(text) else { return 0 }
    let printed = expr.description
    precondition((try? PromQLParser.parse(printed)) != nil, "printout does not parse: \(printed)")
    return 0
}

@_cdecl("FuzzPromQL_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}
