import FuzzSupport
import LookoutRules

/// Rule files, SLO specs and alert templates on arbitrary input: the first byte chooses which. Each
/// is accepted or refused with a located error, a template renders or fails, and nothing crashes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    guard count > 0, let text = String(validating: UnsafeBufferPointer(start: data + 1, count: count - 1), as: UTF8.self) else { return 0 }
    switch data[0] % 3 {
    case 0:
        _ = try? RuleFileParser.parse(text, file: "fuzz.yaml", defaultInterval: 60_000)
    case 1:
        if let spec = try? SLOSpecParser.parse(text, file: "fuzz.yaml", spanMetricsBuckets: [0.1, 0.5]) {
            _ = try? SLORuleGenerator.ruleGroups(spec, defaultInterval: 60_000)
        }
    default:
        if let template = try? AlertTemplate(text) {
            _ = try? template.render(TemplateData(labels: ["job": "api", "instance": "a:1"], externalLabels: ["c": "x"], value: 0.25),
                                     query: { _ in [] })
        }
    }
    return 0
}

@_cdecl("FuzzRules_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, count in fuzz(data, count) }
}
