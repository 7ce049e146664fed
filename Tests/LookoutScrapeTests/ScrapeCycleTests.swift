import LookoutModel
import Testing
@testable import LookoutScrape

@Suite struct ScrapeCycleTests {
    static func target(honorLabels: Bool = false, sampleLimit: Int = 0, labelLimit: Int = 0) -> ScrapeTarget {
        var config = ScrapeConfig(jobName: "api", scrapeInterval: 15_000, scrapeTimeout: 10_000)
        config.honorLabels = honorLabels
        config.sampleLimit = sampleLimit
        config.labelLimit = labelLimit
        return ScrapeTarget(address: "127.0.0.1:9100", group: TargetGroup(targets: ["127.0.0.1:9100"], labels: ["env": "prod"]), config: config)
    }

    static func body(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Scrapes `text` with `cycle` into `store`'s refs, returning the batch by labels.
    static func scrape(_ cycle: inout ScrapeCycle, _ text: String, contentType: String? = nil, at time: Int64,
                       into store: InMemoryMetricStore) throws -> (labels: [(labels: Labels, sample: Sample)], output: ScrapeCycle.Output) {
        let output = try cycle.process(body: body(text), contentType: contentType, at: time, appender: store)
        return (output.samples.map { (store.labels(of: $0.ref)!, $0.sample) }, output)
    }

    @Test func addsTargetLabelsAndScrapeTime() throws {
        var cycle = ScrapeCycle(target: Self.target())
        let store = InMemoryMetricStore()
        let (samples, output) = try Self.scrape(&cycle, "a 1\nb{x=\"y\"} 2 1000\n", contentType: "text/plain", at: 60_000, into: store)
        #expect(output.scraped == 2)
        #expect(output.seriesAdded == 2)
        #expect(samples.count == 2)
        #expect(samples[0].labels == ["__name__": "a", "job": "api", "instance": "127.0.0.1:9100", "env": "prod"])
        #expect(samples[0].sample == Sample(60_000, 1))
        #expect(samples[1].sample == Sample(1000, 2), "an explicit timestamp is honoured")
    }

    @Test func vanishedSeriesGetStaleMarkers() throws {
        var cycle = ScrapeCycle(target: Self.target())
        let store = InMemoryMetricStore()
        _ = try Self.scrape(&cycle, "a 1\nb 2\n", at: 15_000, into: store)
        let (second, _) = try Self.scrape(&cycle, "a 3\n", at: 30_000, into: store)
        let stale = second.filter { StaleMarker.isStale($0.sample.value) }
        #expect(stale.count == 1)
        #expect(stale.first?.labels.name == "b")
        #expect(stale.first?.sample.timestamp == 30_000)
        let (third, _) = try Self.scrape(&cycle, "a 4\n", at: 45_000, into: store)
        #expect(!third.contains { StaleMarker.isStale($0.sample.value) }, "a marker is written once")
    }

    @Test func failedScrapeStoresNothingAndMarksEverythingStale() throws {
        var cycle = ScrapeCycle(target: Self.target())
        let store = InMemoryMetricStore()
        _ = try Self.scrape(&cycle, "a 1\nb 2\n", at: 15_000, into: store)
        #expect(throws: ScrapeCycle.Failure.self) {
            try cycle.process(body: Self.body("a 1\nb{ 2\n"), contentType: nil, at: 30_000, appender: store)
        }
        let stale = cycle.markAllStale(at: 30_000)
        #expect(Set(stale.compactMap { store.labels(of: $0.ref)?.name }) == ["a", "b"])
        #expect(stale.allSatisfy { StaleMarker.isStale($0.sample.value) })
        #expect(cycle.markAllStale(at: 45_000).isEmpty, "markers are written once")
    }

    @Test func sampleLimitFailsTheScrape() {
        var cycle = ScrapeCycle(target: Self.target(sampleLimit: 1))
        #expect(throws: ScrapeCycle.Failure.self) {
            try cycle.process(body: Self.body("a 1\nb 2\n"), contentType: nil, at: 0, appender: InMemoryMetricStore())
        }
    }

    @Test func labelLimitFailsTheScrapeAndCreatesNoSeries() throws {
        var cycle = ScrapeCycle(target: Self.target(labelLimit: 4))
        let store = InMemoryMetricStore()
        #expect(throws: ScrapeCycle.Failure.self) {
            try cycle.process(body: Self.body("ok 1\na{x=\"1\"} 1\n"), contentType: nil, at: 0, appender: store)
        }
        #expect(store.labels(of: SeriesRef(id: 1)) == nil, "no series created by a failed scrape")
        // The limit is checked again on the next scrape, whose lines the cache now knows.
        #expect(throws: ScrapeCycle.Failure.self) {
            try cycle.process(body: Self.body("ok 2\na{x=\"1\"} 2\n"), contentType: nil, at: 15_000, appender: store)
        }
        let (samples, _) = try Self.scrape(&cycle, "ok 3\n", at: 30_000, into: store)
        #expect(samples.map(\.labels.name) == ["ok"])
    }

    @Test func labelLengthLimitsNameTheLabel() {
        var target = Self.target()
        target.config.labelNameLengthLimit = 8
        target.config.labelValueLengthLimit = 3
        var cycle = ScrapeCycle(target: target)
        let store = InMemoryMetricStore()
        func failure(_ body: String) -> String {
            do {
                _ = try cycle.process(body: Self.body(body), contentType: nil, at: 0, appender: store)
                return "accepted"
            } catch { return error.message }
        }
        #expect(failure("a{toolongname=\"1\"} 1\n").hasPrefix("label_name_length_limit exceeded: label name \"toolongname\" is 11 bytes long, limit 8 (at 1:3)"))
        #expect(failure("a{x=\"1234\"} 1\n").hasPrefix("label_value_length_limit exceeded: value of label \"x\" is 4 bytes long, limit 3 (at 1:5)"))
        // Target labels are checked too: this target's `env` value is longer than 3 bytes.
        #expect(failure("a{x=\"1\"} 1\n") == "label_value_length_limit exceeded (metric: a, label name: env, value: prod, length: 4, limit: 3)")
        #expect(store.labels(of: SeriesRef(id: 1)) == nil, "no series created by a failed scrape")
    }

    @Test func clashingLabelsAreExportedUnlessHonoured() throws {
        var cycle = ScrapeCycle(target: Self.target())
        let store = InMemoryMetricStore()
        let (out, _) = try Self.scrape(&cycle, "a{job=\"inner\"} 1\n", at: 0, into: store)
        #expect(out[0].labels["job"] == "api")
        #expect(out[0].labels["exported_job"] == "inner")
        var honouring = ScrapeCycle(target: Self.target(honorLabels: true))
        let (kept, _) = try Self.scrape(&honouring, "a{job=\"inner\"} 1\n", at: 0, into: store)
        #expect(kept[0].labels["job"] == "inner")
        #expect(kept[0].labels["exported_job"] == nil)
    }

    @Test func openMetricsIsChosenByContentType() throws {
        var cycle = ScrapeCycle(target: Self.target())
        let (out, _) = try Self.scrape(&cycle, "# TYPE a counter\na_total 1 1.5\n# EOF\n",
                                       contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8",
                                       at: 0, into: InMemoryMetricStore())
        #expect(out[0].sample == Sample(1500, 1), "OpenMetrics timestamps are seconds")
    }

    /// The scrape cache: a line seen before reuses its series (no new ref), whatever its value.
    @Test func repeatedLinesReuseTheirSeries() throws {
        var cycle = ScrapeCycle(target: Self.target())
        let store = InMemoryMetricStore()
        let text = { (v: Int) in "a{x=\"q\\\"}\",y=\"2\"} \(v)\nb \(v)\n" } // a value holding \" and }
        let (first, out1) = try Self.scrape(&cycle, text(1), at: 15_000, into: store)
        let (second, out2) = try Self.scrape(&cycle, text(2), at: 30_000, into: store)
        #expect(out1.seriesAdded == 2 && out2.seriesAdded == 0)
        #expect(first.map(\.labels) == second.map(\.labels))
        #expect(second[0].labels["x"] == "q\"}")
        #expect(second.map(\.sample) == [Sample(30_000, 2), Sample(30_000, 2)])
        #expect(store.labels(of: SeriesRef(id: 2)) != nil && store.labels(of: SeriesRef(id: 3)) == nil,
                "two series created, none on the second scrape")
    }

    /// Two spellings of one label set share a series: the one that goes away does not mark it stale.
    @Test func twoSpellingsOfOneSeriesShareItsStaleness() throws {
        var cycle = ScrapeCycle(target: Self.target())
        let store = InMemoryMetricStore()
        _ = try Self.scrape(&cycle, "a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 1\n", at: 15_000, into: store)
        let (second, _) = try Self.scrape(&cycle, "a{y=\"2\",x=\"1\"} 2\n", at: 30_000, into: store)
        #expect(second.count == 1 && !StaleMarker.isStale(second[0].sample.value))
        let (third, _) = try Self.scrape(&cycle, "b 1\n", at: 45_000, into: store)
        #expect(third.filter { StaleMarker.isStale($0.sample.value) }.map(\.labels.name) == ["a"])
    }

    /// A target whose series churn keeps a cache in proportion to what it serves now, and the
    /// series it drops still get their stale markers.
    @Test func churningSeriesKeepTheCacheBounded() throws {
        var cycle = ScrapeCycle(target: Self.target())
        let store = InMemoryMetricStore()
        for round in 0..<40 {
            let text = (0..<100).map { "churn{round=\"\(round)\",i=\"\($0)\"} 1\n" }.joined() + "steady 1\n"
            let (samples, _) = try Self.scrape(&cycle, text, at: Int64(round) * 15_000, into: store)
            let stale = samples.filter { StaleMarker.isStale($0.sample.value) }
            #expect(stale.count == (round == 0 ? 0 : 100), "round \(round)")
            #expect(stale.allSatisfy { $0.labels["round"] == "\(round - 1)" })
        }
        #expect(cycle.cachedSeries < 1024 + 2 * 101 + 101)
    }

    @Test func reportSeries() {
        let cycle = ScrapeCycle(target: Self.target())
        let report = cycle.report(up: true, duration: 0.5, scraped: 3, postRelabeling: 3, seriesAdded: 2, at: 1000)
        let byName = Dictionary(uniqueKeysWithValues: report.map { ($0.labels.name!, $0.sample.value) })
        #expect(byName == ["up": 1, "scrape_duration_seconds": 0.5, "scrape_samples_scraped": 3,
                           "scrape_samples_post_metric_relabeling": 3, "scrape_series_added": 2])
        #expect(report.allSatisfy { $0.labels["job"] == "api" && $0.labels["instance"] == "127.0.0.1:9100" })
    }

    @Test func ticksKeepAStableOffset() {
        #expect(ScrapeLoop.nextTick(after: 100_000, interval: 15_000, offset: 2_000) == 107_000)
        #expect(ScrapeLoop.nextTick(after: 107_000, interval: 15_000, offset: 2_000) == 107_000)
        #expect(ScrapeLoop.nextTick(after: 107_001, interval: 15_000, offset: 2_000) == 122_000)
        let target = Self.target()
        #expect(target.offset == Self.target().offset)
        #expect((0..<15_000).contains(target.offset))
    }

    @Test func targetURLCarriesParams() {
        var config = ScrapeConfig(jobName: "fed")
        config.metricsPath = "/federate"
        config.params = ["match[]": ["{job=\"a\"}"]]
        let target = ScrapeTarget(address: "h:9090", group: TargetGroup(targets: ["h:9090"]), config: config)
        #expect(target.url == "http://h:9090/federate?match%5B%5D=%7Bjob%3D%22a%22%7D")
    }

    @Test func openMetricsExemplarsComeOutWithTheirSeriesLabels() throws {
        var cycle = ScrapeCycle(target: Self.target())
        let store = InMemoryMetricStore()
        let text = """
            # TYPE rpc_seconds histogram
            rpc_seconds_bucket{le="0.1"} 3 # {trace_id="c6e362db0d4da084f0f88227f8722666"} 0.05 1700000000.5
            rpc_seconds_bucket{le="+Inf"} 4 # {trace_id="6edbbe9453089e3f11bb4cbe2fffb94b"} 0.3
            rpc_seconds_count 4
            rpc_seconds_sum 0.6
            # EOF

            """
        for time in [15_000, 30_000] as [Int64] { // the second scrape takes the cached path
            let (_, output) = try Self.scrape(&cycle, text, contentType: "application/openmetrics-text; version=1.0.0", at: time, into: store)
            #expect(output.exemplars.count == 2)
            let first = try #require(output.exemplars.first)
            #expect(first.series == ["__name__": "rpc_seconds_bucket", "le": "0.1", "job": "api", "instance": "127.0.0.1:9100", "env": "prod"])
            #expect(first.labels == ["trace_id": "c6e362db0d4da084f0f88227f8722666"] && first.value == 0.05)
            #expect(first.timestampMs == 1_700_000_000_500)
            #expect(output.exemplars[1].timestampMs == time, "no timestamp: the scrape's")
        }
    }
}
