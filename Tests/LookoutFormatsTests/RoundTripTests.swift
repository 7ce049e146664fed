import LookoutFormats
import LookoutModel
import Testing

/// Render with `ExpositionWriter`, parse back, get the same samples and metadata.
@Suite struct RoundTripTests {
    private static let awkwardValues: [Double] = [
        0, -0.0, 1, -1, 0.1, 1e-300, .leastNonzeroMagnitude, 1.7976931348623157e308, 123456789012345, 1e15, 1e21,
        .pi, -2.5e-7, .infinity, -.infinity, .nan,
    ]

    private static func families() -> [(MetricMetadata, [ScrapedSample])] {
        let counter = MetricMetadata(family: "jobs_total", type: .counter, help: "Jobs \\ done\nacross \"all\" queues.")
        let gauge = MetricMetadata(family: "temperature", type: .gauge, help: "")
        let histogram = MetricMetadata(family: "latency_seconds", type: .histogram, help: "Latency.")
        let counterSamples = awkwardValues.enumerated().map { index, value in
            ScrapedSample(labels: ["__name__": "jobs_total", "queue": "q\(index)", "path": "C:\\dir \"x\"\nnext ü😀"],
                          value: value, timestamp: index % 2 == 0 ? nil : 1_700_000_000_000 + Int64(index))
        }
        let gaugeSamples = [ScrapedSample(labels: ["__name__": "temperature"], value: 21.5, timestamp: -5)]
        let histogramSamples = ["0.1", "1", "+Inf"].enumerated().map { index, le in
            ScrapedSample(labels: ["__name__": "latency_seconds_bucket", "le": le], value: Double(index + 1))
        } + [
            ScrapedSample(labels: ["__name__": "latency_seconds_sum"], value: 2.75),
            ScrapedSample(labels: ["__name__": "latency_seconds_count"], value: 3),
        ]
        return [(counter, counterSamples), (gauge, gaugeSamples), (histogram, histogramSamples)]
    }

    @Test func textRoundTrip() throws {
        let families = Self.families()
        let rendered = ExpositionWriter.render(families: families)
        let parsed = try ExpositionParser(format: .prometheusText).parse(rendered)
        #expect(parsed.samples == families.flatMap(\.1))
        #expect(parsed.metadata == families.map(\.0).map { meta in
            var copy = meta
            copy.help = meta.help
            return copy
        })
        #expect(rendered.contains("jobs_total{path=\"C:\\\\dir \\\"x\\\"\\nnext ü😀\",queue=\"q13\"} +Inf 1700000000013\n"))
        #expect(rendered.contains("# HELP jobs_total Jobs \\\\ done\\nacross \"all\" queues.\n"))
        #expect(rendered.contains("temperature 21.5 -5\n"))
    }

    @Test func openMetricsRoundTripWithExemplars() throws {
        var families = Self.families()
        families[0].0 = MetricMetadata(family: "jobs", type: .counter, help: "Jobs \"done\".")
        families[2].0.unit = "seconds"
        families[2].1[1].exemplar = Exemplar(labels: ["trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"], value: 0.42,
                                             timestamp: 1_700_000_000_123)
        families[2].1[2].exemplar = Exemplar(labels: ["span_id": "00f067aa0ba902b7"], value: 7)
        families[1].0.type = .unknown
        let rendered = ExpositionWriter.renderOpenMetrics(families: families)
        #expect(rendered.hasSuffix("\n# EOF\n"))
        #expect(rendered.contains(" # {trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"} 0.42 1700000000.123\n"))
        #expect(rendered.contains("temperature 21.5 -0.005\n"))
        let parsed = try ExpositionParser(format: .openMetrics).parse(rendered)
        #expect(parsed.samples == families.flatMap(\.1))
        #expect(parsed.metadata == families.map(\.0))
    }

    @Test func gaugeHistogramBecomesUntypedInText() throws {
        let meta = MetricMetadata(family: "queue", type: .gaugehistogram)
        let rendered = ExpositionWriter.render(families: [(meta, [ScrapedSample(labels: ["__name__": "queue"], value: 1)])])
        #expect(rendered == "# TYPE queue untyped\nqueue 1\n")
    }

    /// Every capture, grouped by family, rendered and parsed again, is unchanged.
    @Test(arguments: ["node_exporter.prom", "prometheus_self.prom", "python_client.prom"])
    func capturesSurviveTextRoundTrip(_ file: String) throws {
        let parser = ExpositionParser(format: .prometheusText)
        let original = try parser.parse(try TestData.exposition(file))
        let families = group(original)
        #expect(families.reduce(0) { $0 + $1.1.count } == original.samples.count)
        let again = try parser.parse(ExpositionWriter.render(families: families))
        #expect(again.samples == original.samples)
        #expect(again.metadata == original.metadata)
    }

    @Test func openMetricsCaptureSurvivesRoundTrip() throws {
        let parser = ExpositionParser(format: .openMetrics)
        let original = try parser.parse(try TestData.exposition("python_client.openmetrics.txt"))
        let families = group(original)
        let again = try parser.parse(ExpositionWriter.renderOpenMetrics(families: families))
        #expect(again.samples == original.samples)
        #expect(again.metadata == original.metadata)
    }

    /// Assigns each sample to the metadata of its name or of its name without a child suffix.
    private func group(_ exposition: Exposition) -> [(MetricMetadata, [ScrapedSample])] {
        var index: [String: Int] = [:]
        var families: [(MetricMetadata, [ScrapedSample])] = []
        for meta in exposition.metadata {
            index[meta.family] = families.count
            families.append((meta, []))
        }
        for sample in exposition.samples {
            let name = sample.labels.name!
            let candidates = [name] + ["_bucket", "_sum", "_count", "_total", "_created", "_info"]
                .filter { name.hasSuffix($0) }.map { String(name.dropLast($0.count)) }
            guard let family = candidates.lazy.compactMap({ index[$0] }).first else {
                Issue.record("no family for \(name)")
                continue
            }
            families[family].1.append(sample)
        }
        return families
    }
}
