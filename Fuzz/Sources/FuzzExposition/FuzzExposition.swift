import FuzzSupport
import LookoutFormats

/// The exposition parser on arbitrary bytes, in both formats. Besides not crashing, parsing with a
/// `SeriesBytesCache` must agree with the plain parse (same samples, same error), on a cold cache
/// and on one that already knows the body's series.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: count))
    for format in [ExpositionFormat.prometheusText, .openMetrics] {
        let parser = ExpositionParser(format: format)
        let plain = Result { () throws(ExpositionError) in try parser.parse(body) }
        var cache = SeriesBytesCache()
        for _ in 0..<2 {
            let cached = Result { () throws(ExpositionError) in try parser.parse(body, cache: &cache) }
            switch (plain, cached) {
            case (.success(let p), .success(let c)):
                precondition(p.samples.count == c.samples.count, "cached parse: sample count differs")
                for (a, b) in zip(p.samples, c.samples) {
                    precondition(a.labels == cache.labels[Int(b.slot)], "cached parse: labels differ")
                    precondition(a.value.bitPattern == b.value.bitPattern && a.timestamp == b.timestamp, "cached parse: value differs")
                }
            case (.failure(let p), .failure(let c)):
                precondition("\(p)" == "\(c)", "cached parse: error differs")
            default:
                preconditionFailure("cached parse: one parse failed, the other did not")
            }
        }
    }
    return 0
}

@_cdecl("FuzzExposition_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}
