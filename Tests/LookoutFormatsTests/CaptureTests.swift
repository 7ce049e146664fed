import Foundation
import LookoutFormats
import LookoutModel
import Testing

/// Real captures from `Tests/Fixtures/exposition` parse, with spot checks of values and metadata.
@Suite struct CaptureTests {
    /// Lines that are neither comments nor blank: one sample each in the text format.
    private func sampleLineCount(_ bytes: [UInt8]) -> Int {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
    }

    private func sample(_ exposition: Exposition, _ name: String, _ labels: [String: String] = [:]) -> ScrapedSample? {
        var all = labels
        all[Labels.metricName] = name
        let wanted = Labels(all)
        return exposition.samples.first { $0.labels == wanted }
    }

    @Test func nodeExporter() throws {
        let bytes = try TestData.exposition("node_exporter.prom")
        let exposition = try ExpositionParser(format: .prometheusText).parse(bytes)
        #expect(exposition.samples.count == 507)
        #expect(exposition.samples.count == sampleLineCount(bytes))
        #expect(exposition.metadata.count == 283)
        #expect(exposition.samples.allSatisfy { $0.timestamp == nil && $0.exemplar == nil })

        // Empty label values are dropped, as Prometheus does.
        let os = try #require(sample(exposition, "node_os_info", [
            "id": "debian", "name": "Debian GNU/Linux", "pretty_name": "Debian GNU/Linux 12 (bookworm)",
            "version": "12 (bookworm)", "version_codename": "bookworm", "version_id": "12",
        ]))
        #expect(os.value == 1)
        #expect(os.labels["id_like"] == nil)
        let uname = try #require(exposition.samples.first { $0.labels.name == "node_uname_info" })
        #expect(uname.labels["version"] == "#1 SMP PREEMPT_DYNAMIC @0")
        #expect(uname.labels["domainname"] == "(none)")
        #expect(sample(exposition, "node_os_version", ["id": "debian", "name": "Debian GNU/Linux"])?.value == 12)

        let goInfo = try #require(exposition.metadata.first { $0.family == "go_info" })
        #expect(goInfo.type == .gauge)
        #expect(goInfo.help == "Information about the Go environment.")
        let diskInfo = try #require(exposition.metadata.first { $0.family == "node_disk_info" })
        #expect(diskInfo.help == "Info of /sys/block/<block_device>.")
        #expect(exposition.metadata.first?.family == "go_gc_duration_seconds")
        #expect(exposition.metadata.first?.type == .summary)
    }

    @Test func nodeExporterSpotValues() throws {
        let bytes = try TestData.exposition("node_exporter.prom")
        let text = String(decoding: bytes, as: UTF8.self)
        let exposition = try ExpositionParser(format: .prometheusText).parse(bytes)
        // Every sample line's value, re-read with Double(String), equals the parsed value.
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.count == exposition.samples.count)
        for (line, sample) in zip(lines, exposition.samples) {
            let fields = line.split(separator: " ")
            let expected = Double(String(fields[fields.count - 1]))!
            #expect(sample.value.bitPattern == expected.bitPattern, "\(line)")
            let name = line.prefix { $0 != "{" && $0 != " " }
            #expect(sample.labels.name == String(name))
        }
    }

    @Test func prometheusSelf() throws {
        let bytes = try TestData.exposition("prometheus_self.prom")
        let exposition = try ExpositionParser(format: .prometheusText).parse(bytes)
        #expect(exposition.samples.count == sampleLineCount(bytes))
        #expect(exposition.samples.count == 324)
        #expect(exposition.metadata.count == 168)
        let query = try #require(sample(exposition, "prometheus_engine_query_duration_seconds",
                                        ["slice": "inner_eval", "quantile": "0.5"]))
        #expect(query.value.isNaN)
        let meta = try #require(exposition.metadata.first { $0.family == "prometheus_engine_query_duration_seconds" })
        #expect(meta.type == .summary)
        #expect(exposition.metadata.contains { $0.type == .histogram })
    }

    @Test func pythonClientText() throws {
        let exposition = try ExpositionParser(format: .prometheusText).parse(try TestData.exposition("python_client.prom"))
        #expect(exposition.samples.count == 72)
        #expect(exposition.metadata.map(\.family) == [
            "http_requests_total", "http_requests_created", "http_request_duration_seconds",
            "http_request_duration_seconds_created", "http_requests_in_flight", "queue_wait_seconds",
            "queue_wait_seconds_created", "build_info",
        ])
        #expect(exposition.metadata[2] == MetricMetadata(family: "http_request_duration_seconds", type: .histogram,
                                                          help: "HTTP request latency."))
        let bucket = sample(exposition, "http_request_duration_seconds_bucket",
                            ["le": "+Inf", "route": "/cart", "service": "checkout"])
        #expect(bucket?.value == 500)
    }

    @Test func pythonClientOpenMetrics() throws {
        let exposition = try ExpositionParser(format: .openMetrics)
            .parse(try TestData.exposition("python_client.openmetrics.txt"))
        #expect(exposition.samples.count == 72)
        #expect(exposition.metadata == [
            MetricMetadata(family: "http_requests", type: .counter, help: "HTTP requests served."),
            MetricMetadata(family: "http_request_duration_seconds", type: .histogram, help: "HTTP request latency."),
            MetricMetadata(family: "http_requests_in_flight", type: .gauge, help: "Requests being served."),
            MetricMetadata(family: "queue_wait_seconds", type: .summary, help: "Time jobs wait in queue."),
            MetricMetadata(family: "build", type: .info, help: "Build information."),
        ])
        // `_created` stays an ordinary sample.
        let created = try #require(sample(exposition, "http_requests_created",
                                          ["code": "404", "method": "POST", "route": "/checkout", "service": "checkout"]))
        #expect(created.value == 1.7954798735372064e+09)
        // Exemplars: labels, value and timestamp rounded to the ms.
        let bucket = try #require(sample(exposition, "http_request_duration_seconds_bucket",
                                         ["le": "0.005", "route": "/checkout", "service": "checkout"]))
        #expect(bucket.value == 27)
        #expect(bucket.exemplar == Exemplar(labels: ["trace_id": "c6e362db0d4da084f0f88227f8722666"],
                                            value: 0.0029503219727470553, timestamp: 1_795_479_873_541))
        let plain = try #require(sample(exposition, "http_request_duration_seconds_bucket",
                                        ["le": "+Inf", "route": "/checkout", "service": "checkout"]))
        #expect(plain.exemplar == nil)
        #expect(exposition.samples.filter { $0.exemplar != nil }.count == 22)
        #expect(sample(exposition, "build_info", ["branch": "main", "revision": "9f1c2e", "version": "1.4.2"])?.value == 1)
    }

    @Test func textAndOpenMetricsAgree() throws {
        let text = try ExpositionParser(format: .prometheusText).parse(try TestData.exposition("python_client.prom"))
        let om = try ExpositionParser(format: .openMetrics).parse(try TestData.exposition("python_client.openmetrics.txt"))
        let textValues = Dictionary(uniqueKeysWithValues: text.samples.map { ($0.labels, $0.value) })
        let omValues = Dictionary(uniqueKeysWithValues: om.samples.map { ($0.labels, $0.value) })
        #expect(textValues.count == 72)
        #expect(Set(textValues.keys) == Set(omValues.keys))
        for (labels, value) in textValues {
            #expect(omValues[labels] == value, "\(labels)")
        }
    }
}
