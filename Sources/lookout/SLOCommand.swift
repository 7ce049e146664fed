import ArgumentParser
import Foundation
import LookoutRules

/// `lookout slo generate FILE…`: print the rules SLO specs expand to, as a Prometheus rule file.
struct SLOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "slo", abstract: "Work with SLO specs (Sloth's prometheus/v1 format).",
                                                    subcommands: [SLOGenerate.self])
}

struct SLOGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate",
                                                    abstract: "Print the recording and alerting rules of SLO specs as a rule file.")

    @Argument(help: "SLO spec files.")
    var files: [String]

    @Option(help: "Span metrics latency buckets in seconds, comma-separated (for red latency SLIs; default as span_metrics.buckets).")
    var buckets: String?

    func run() throws {
        let buckets = buckets.map { $0.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } }
            ?? SpanMetricsOptions().buckets
        do {
            let specs = try files.map { try SLOSpecParser.load(file: $0, spanMetricsBuckets: buckets) }
            print(SLORuleGenerator.ruleFile(specs), terminator: "")
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
