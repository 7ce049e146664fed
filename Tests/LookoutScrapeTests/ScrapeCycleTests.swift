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

    @Test func addsTargetLabelsAndScrapeTime() throws {
        var cycle = ScrapeCycle(target: Self.target())
        let output = try cycle.process(body: Self.body("a 1\nb{x=\"y\"} 2 1000\n"), contentType: "text/plain", at: 60_000)
        #expect(output.scraped == 2)
        #expect(output.samples.count == 2)
        #expect(output.samples[0].labels == ["__name__": "a", "job": "api", "instance": "127.0.0.1:9100", "env": "prod"])
        #expect(output.samples[0].sample == Sample(60_000, 1))
        #expect(output.samples[1].sample == Sample(1000, 2), "an explicit timestamp is honoured")
    }

    @Test func vanishedSeriesGetStaleMarkers() throws {
        var cycle = ScrapeCycle(target: Self.target())
        _ = try cycle.process(body: Self.body("a 1\nb 2\n"), contentType: nil, at: 15_000)
        let second = try cycle.process(body: Self.body("a 3\n"), contentType: nil, at: 30_000)
        let stale = second.samples.filter { StaleMarker.isStale($0.sample.value) }
        #expect(stale.count == 1)
        #expect(stale.first?.labels.name == "b")
        #expect(stale.first?.sample.timestamp == 30_000)
    }

    @Test func failedScrapeStoresNothingAndMarksEverythingStale() throws {
        var cycle = ScrapeCycle(target: Self.target())
        _ = try cycle.process(body: Self.body("a 1\nb 2\n"), contentType: nil, at: 15_000)
        #expect(throws: ScrapeCycle.Failure.self) {
            try cycle.process(body: Self.body("a 1\nb{ 2\n"), contentType: nil, at: 30_000)
        }
        let stale = cycle.markAllStale(at: 30_000)
        #expect(Set(stale.compactMap { $0.labels.name }) == ["a", "b"])
        #expect(stale.allSatisfy { StaleMarker.isStale($0.sample.value) })
        #expect(cycle.markAllStale(at: 45_000).isEmpty, "markers are written once")
    }

    @Test func sampleLimitFailsTheScrape() {
        var cycle = ScrapeCycle(target: Self.target(sampleLimit: 1))
        #expect(throws: ScrapeCycle.Failure.self) {
            try cycle.process(body: Self.body("a 1\nb 2\n"), contentType: nil, at: 0)
        }
    }

    @Test func labelLimitFailsTheScrape() {
        var cycle = ScrapeCycle(target: Self.target(labelLimit: 4))
        #expect(throws: ScrapeCycle.Failure.self) {
            try cycle.process(body: Self.body("a{x=\"1\"} 1\n"), contentType: nil, at: 0)
        }
    }

    @Test func clashingLabelsAreExportedUnlessHonoured() throws {
        var cycle = ScrapeCycle(target: Self.target())
        let out = try cycle.process(body: Self.body("a{job=\"inner\"} 1\n"), contentType: nil, at: 0)
        #expect(out.samples[0].labels["job"] == "api")
        #expect(out.samples[0].labels["exported_job"] == "inner")
        var honouring = ScrapeCycle(target: Self.target(honorLabels: true))
        let kept = try honouring.process(body: Self.body("a{job=\"inner\"} 1\n"), contentType: nil, at: 0)
        #expect(kept.samples[0].labels["job"] == "inner")
        #expect(kept.samples[0].labels["exported_job"] == nil)
    }

    @Test func openMetricsIsChosenByContentType() throws {
        var cycle = ScrapeCycle(target: Self.target())
        let body = Self.body("# TYPE a counter\na_total 1 1.5\n# EOF\n")
        let out = try cycle.process(body: body, contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8", at: 0)
        #expect(out.samples[0].sample == Sample(1500, 1), "OpenMetrics timestamps are seconds")
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
}
