import ArgumentParser
import Foundation
import Logging
import LookoutFormats
import LookoutModel
import LookoutStorage

/// `lookout import FILE --data DIR`: backfill an exposition file with timestamps, like
/// `promtool tsdb create-blocks-from openmetrics`.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Backfill an OpenMetrics or Prometheus text file with timestamps into a data directory.")

    enum Format: String, ExpressibleByArgument { case openmetrics, prometheus }

    @Argument(help: "The file to import.")
    var file: String

    @Option(help: "Data directory to write into.")
    var data: String

    @Option(help: "openmetrics (default) or prometheus.")
    var format: Format = .openmetrics

    func run() throws {
        let started = Date()
        guard let body = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        let parser = ExpositionParser(format: format == .openmetrics ? .openMetrics : .prometheusText)
        let exposition: Exposition
        do {
            exposition = try parser.parse(Array(body))
        } catch {
            FileHandle.standardError.write(Data("\(file):\(error)\n".utf8))
            throw ExitCode(1)
        }
        // Time order across series lets the store seal partitions as it goes.
        var samples: [(labels: Labels, sample: Sample)] = []
        samples.reserveCapacity(exposition.samples.count)
        for (index, scraped) in exposition.samples.enumerated() {
            guard let timestamp = scraped.timestamp else {
                FileHandle.standardError.write(Data("\(file): sample \(index + 1) (\(scraped.labels)) has no timestamp; import needs one on every sample\n".utf8))
                throw ExitCode(1)
            }
            samples.append((scraped.labels, Sample(timestamp, scraped.value)))
        }
        samples.sort { $0.sample.timestamp < $1.sample.timestamp }

        var logger = Logger(label: "lookout.import")
        logger.logLevel = .warning
        let store = try MetricStore(directory: data, options: StorageOptions(retention: Int64.max / 4), logger: logger)
        var bar = ProgressBar(label: "importing", total: Int64(samples.count))
        var totals = AppendResult()
        let batchSize = 10_000
        var offset = 0
        while offset < samples.count {
            let end = min(offset + batchSize, samples.count)
            let result = try store.appendSync(Array(samples[offset..<end]))
            totals.appended += result.appended
            totals.outOfOrder += result.outOfOrder
            totals.duplicates += result.duplicates
            totals.seriesAdded += result.seriesAdded
            offset = end
            bar.update(Int64(offset))
        }
        try store.close()
        bar.finish()
        let seconds = Date().timeIntervalSince(started)
        var summary = "imported \(totals.seriesAdded) series, \(totals.appended) samples in \(String(format: "%.2f", seconds)) s"
        if totals.outOfOrder + totals.duplicates > 0 {
            summary += " (rejected: \(totals.outOfOrder) out of order, \(totals.duplicates) duplicates)"
        }
        print(summary)
    }
}
