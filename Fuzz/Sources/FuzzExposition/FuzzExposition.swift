import FuzzSupport
import LookoutFormats

/// The exposition parser on arbitrary bytes, in both formats. Besides not crashing, parsing with a
/// `SeriesBytesCache` must agree with the plain parse (same samples, same error), on a cold cache
/// and on one that already knows the body's series. With limits, a parse either agrees with the
/// plain one (when every sample keeps them) or stops with a limit error (when one does not).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    let body = Array(UnsafeBufferPointer(start: data, count: count))
    for format in [ExpositionFormat.prometheusText, .openMetrics] {
        let parser = ExpositionParser(format: format)
        let plain = Result { () throws(ExpositionError) in try parser.parse(body) }
        checkLimits(parser, body, plain: plain)
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

private let limits = ExpositionLimits(sampleLimit: 5, labelLimit: 3, labelNameLengthLimit: 8, labelValueLengthLimit: 8)

private func keepsLimits(_ samples: [ScrapedSample]) -> Bool {
    samples.count <= limits.sampleLimit && samples.allSatisfy { s in
        s.labels.count <= limits.labelLimit
            && s.labels.pairs.allSatisfy { $0.name.utf8.count <= limits.labelNameLengthLimit && $0.value.utf8.count <= limits.labelValueLengthLimit }
    }
}

private func checkLimits(_ parser: ExpositionParser, _ body: [UInt8], plain: Result<Exposition, ExpositionError>) {
    let limited = Result { () throws(ExpositionError) in try parser.parse(body, limits: limits) }
    switch (plain, limited) {
    case (.success(let p), .success(let l)):
        precondition(keepsLimits(p.samples) && p.samples.count == l.samples.count, "limited parse accepted a breach")
    case (.success(let p), .failure(let l)):
        precondition(l.limitExceeded && !keepsLimits(p.samples), "limited parse refused a body within its limits: \(l)")
    case (.failure(let p), .failure(let l)):
        precondition(l.limitExceeded || "\(p)" == "\(l)", "limited parse: error differs")
    case (.failure, .success):
        preconditionFailure("limited parse accepted a malformed body")
    }
}

@_cdecl("FuzzExposition_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}
