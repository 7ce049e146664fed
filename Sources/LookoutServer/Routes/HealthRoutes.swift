import Foundation
import Hummingbird
import LookoutFormats
import LookoutModel

/// `/-/healthy`, `/-/ready` and `/metrics`: probes and Lookout's own metrics.
struct HealthRoutes {
    let runtime: LookoutRuntime

    var endpoints: [APIEndpoint] {
        [
            APIEndpoint(methods: [.get, .head], path: "/-/healthy", role: .open,
                        handler: .plain { Self.text("Lookout is Healthy.\n") }),
            APIEndpoint(methods: [.get, .head], path: "/-/ready", role: .open, handler: .plain {
                runtime.store == nil
                    ? Self.text("Lookout is not ready: replaying the WAL.\n", status: .serviceUnavailable)
                    : Self.text("Lookout is Ready.\n")
            }),
            APIEndpoint(methods: [.get], path: "/metrics", role: .open, handler: .plain {
                APIReply(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                         body: ByteBuffer(string: render()))
            }),
        ]
    }

    static func text(_ body: String, status: HTTPResponse.Status = .ok) -> APIReply {
        APIReply(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ByteBuffer(string: body))
    }

    /// Every self-metric family in Prometheus text format.
    func render() -> String {
        var families: [(MetricMetadata, [ScrapedSample])] = []
        func family(_ name: String, _ type: MetricType, _ help: String, _ value: Double, labels: Labels = .empty) {
            let sample = ScrapedSample(labels: labels.setting(Labels.metricName, to: name), value: value)
            families.append((MetricMetadata(family: name, type: type, help: help), [sample]))
        }
        family("lookout_build_info", .gauge, "Always 1; the version is in the label.", 1, labels: ["version": BuildInfo.version])
        family("process_start_time_seconds", .gauge, "Start time of the process since the Unix epoch in seconds.",
               runtime.metrics.started.timeIntervalSince1970.rounded())
        family("lookout_ready", .gauge, "1 once the WAL has been replayed and queries are served.", runtime.store == nil ? 0 : 1)
        if let stats = runtime.store?.stats {
            family("lookout_head_series", .gauge, "Series in the in-memory head.", Double(stats.headSeries))
            family("lookout_head_chunks", .gauge, "Chunks in the in-memory head.", Double(stats.headChunks))
            family("lookout_samples_appended_total", .counter, "Samples stored (stale markers included).", Double(stats.samplesAppended))
            family("lookout_samples_out_of_order_total", .counter, "Samples rejected as older than their series' newest sample.", Double(stats.outOfOrderRejected))
            family("lookout_samples_out_of_bounds_total", .counter, "Samples rejected for lying more than a partition ahead of the clock (also counted as out of order).", Double(stats.outOfBoundsRejected))
            family("lookout_samples_duplicate_total", .counter, "Samples rejected for a timestamp already holding another value.", Double(stats.duplicatesRejected))
            family("lookout_wal_fsyncs_total", .counter, "fsync calls on the WAL.", Double(stats.walFsyncs))
            family("lookout_wal_fsync_seconds_total", .counter, "Seconds spent in WAL fsync.", stats.walFsyncSecondsTotal)
            family("lookout_wal_bytes", .gauge, "Bytes in WAL segment files.", Double(stats.walBytes))
            family("lookout_wal_records_replayed_total", .counter, "WAL records replayed at start.", Double(stats.walRecordsReplayed))
            family("lookout_partitions_written_total", .counter, "Time partitions sealed to segment files.", Double(stats.partitionsWritten))
            family("lookout_partitions_deleted_total", .counter, "Time partitions deleted by retention.", Double(stats.partitionsDeleted))
        }
        if let scrape = runtime.scrapeManager?.metrics.totals {
            family("lookout_scrapes_total", .counter, "Scrapes attempted.", Double(scrape.scrapes))
            family("lookout_scrapes_failed_total", .counter, "Scrapes that failed.", Double(scrape.failures))
            family("lookout_scrape_duration_seconds_total", .counter, "Seconds spent scraping.", scrape.durationSeconds)
            family("lookout_scrape_samples_total", .counter, "Samples stored from scrapes.", Double(scrape.samples))
        }
        families += runtime.metrics.httpFamilies()
        return ExpositionWriter.render(families: families)
    }
}
