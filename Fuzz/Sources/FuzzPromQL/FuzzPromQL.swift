import LookoutQuery

/// The PromQL parser on arbitrary text. An expression that parses must print to text that parses
/// to the same printout (printing is a fixed point).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: count), as: UTF8.self) else { return 0 }
    guard let expr = try? PromQLParser.parse(text) else { return 0 }
    let printed = expr.description
    guard let again = try? PromQLParser.parse(printed) else {
        preconditionFailure("printout does not parse: \(printed)")
    }
    precondition(again.description == printed, "printing is not a fixed point: \(printed)")
    return 0
}

/// libFuzzer's driver, from the `-sanitize=fuzzer` runtime.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

/// SwiftPM links an executable's entry point under this name; it hands over to libFuzzer.
@_cdecl("FuzzPromQL_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, count in fuzz(data, count) }
}
