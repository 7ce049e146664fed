import FuzzSupport
import LookoutServer

/// The config loader on arbitrary YAML: it accepts or refuses with a `file:line:col` error, and
/// never crashes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    guard let text = String(validating: UnsafeBufferPointer(start: data, count: count), as: UTF8.self) else { return 0 }
    _ = try? ConfigLoader.parse(text, file: "fuzz.yaml", baseDirectory: "/nonexistent")
    return 0
}

@_cdecl("FuzzConfig_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}
