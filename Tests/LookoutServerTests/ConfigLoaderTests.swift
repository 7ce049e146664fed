import Testing
@testable import LookoutServer
import LookoutStorage

@Suite struct ConfigLoaderTests {
    @Test func fullConfigLoads() throws {
        let config = try ConfigLoader.parse("""
        server: {listen: 0.0.0.0:9000, max_body_bytes: 1MiB}
        storage: {path: /tmp/x, retention: 2d, fsync: always}
        global: {scrape_interval: 30s, external_labels: {region: eu}}
        scrape_configs:
          - job_name: node
            scrape_interval: 10s
            metrics_path: /m
            params: {format: [prometheus]}
            honor_labels: true
            sample_limit: 100
            label_limit: 20
            label_name_length_limit: 30
            label_value_length_limit: 40
            static_configs: [{targets: ["127.0.0.1:9100"], labels: {env: prod}}]
            file_sd_configs: [{files: [targets/*.json]}]
          - job_name: other
            static_configs: [{targets: ["127.0.0.1:9200"]}]
        query: {max_samples: 1000, timeout: 30s}
        """, baseDirectory: "/etc/lookout")
        #expect(config.server.listen == "0.0.0.0:9000")
        #expect(config.server.maxBodyBytes == 1 << 20)
        #expect(config.storage.retention == 2 * 86_400_000)
        #expect(config.storage.fsync == .always)
        #expect(config.scrapeConfigs.count == 2)
        let node = config.scrapeConfigs[0]
        #expect(node.scrapeInterval == 10_000)
        #expect(node.scrapeTimeout == 10_000, "the timeout is capped by a shorter interval")
        #expect(node.metricsPath == "/m")
        #expect(node.params == ["format": ["prometheus"]])
        #expect(node.honorLabels && node.sampleLimit == 100 && node.labelLimit == 20)
        #expect(node.labelNameLengthLimit == 30 && node.labelValueLengthLimit == 40)
        #expect(node.staticConfigs.first?.labels == ["env": "prod"])
        #expect(node.fileSDFiles == ["/etc/lookout/targets/*.json"], "relative to the config file's folder")
        #expect(config.scrapeConfigs[1].scrapeInterval == 30_000, "inherits global")
        #expect(config.query.maxSamples == 1000)
    }

    @Test func emptyScrapeConfigsIsValid() throws {
        let config = try ConfigLoader.parse("scrape_configs: []\n")
        #expect(config.scrapeConfigs.isEmpty)
    }

    /// Each case: YAML, then the expected `line:col` and a fragment of the message.
    static let broken: [(String, String, String)] = [
        ("server:\n  listn: 1.2.3.4:5\n", "2:3", "unknown key \"listn\" in server"),
        ("global:\n  scrape_interval: 15x\n", "2:20", "invalid duration \"15x\""),
        ("scrape_configs:\n  - job_name: a\n  - job_name: a\n", "3:15", "multiple scrape configs with job name \"a\""),
        ("scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n", "4:21", "scrape timeout greater than scrape interval"),
        ("scrape_configs:\n  - job_name: a\n    static_configs: [{targets: [nohost]}]\n", "3:33", "target must be HOST:PORT"),
        ("storage: {fsync: sometimes}\n", "1:18", "fsync must be batch, always or interval"),
        ("bogus: 1\n", "1:1", "unknown key \"bogus\""),
        ("scrape_configs:\n  - scrape_interval: 5s\n", "2:5", "missing job_name"),
        ("server: {max_body_bytes: lots}\n", "1:26", "invalid size"),
        ("server: {max_body_bytes: 99999999999GiB}\n", "1:26", "invalid size"),
        ("global: {scrape_interval: 292471208y36w}\n", "1:27", "invalid duration"),
        ("server:\n  listen: [\n", "3:1", "invalid YAML"),
    ]

    @Test(arguments: 0..<broken.count) func brokenConfigsNameTheLine(_ index: Int) {
        let (yaml, position, fragment) = Self.broken[index]
        do {
            _ = try ConfigLoader.parse(yaml, file: "lookout.yaml")
            Issue.record("expected an error for case \(index)")
        } catch {
            #expect(error.description.hasPrefix("lookout.yaml:\(position): "), "case \(index): \(error.description)")
            #expect(error.description.contains(fragment), "case \(index): \(error.description)")
        }
    }

    @Test func shippedDefaultConfigIsValid() throws {
        let path = #filePath.components(separatedBy: "/Tests/")[0] + "/config/lookout.yaml"
        let config = try ConfigLoader.load(file: path)
        #expect(config.scrapeConfigs.map(\.jobName) == ["lookout"])
    }
}

@Suite struct ListenAddressTests {
    @Test func parsesAndKnowsLoopback() {
        #expect(ListenAddress("127.0.0.1:4318")?.isLoopback == true)
        #expect(ListenAddress("127.8.9.10:1")?.isLoopback == true)
        #expect(ListenAddress("[::1]:4318")?.isLoopback == true)
        #expect(ListenAddress("localhost:80")?.isLoopback == true)
        #expect(ListenAddress("127.evil.example:80")?.isLoopback == false)
        #expect(ListenAddress("0.0.0.0:4318")?.isLoopback == false)
        // Literals as inet_pton reads them: a leading zero makes a hostname, which resolves to nothing.
        #expect(ListenAddress("127.0.0.08:4318")?.isLoopback == false)
        #expect(ListenAddress("[::2]:4318")?.isLoopback == false)
        #expect(ListenAddress("[::ffff:10.0.0.1]:4318")?.isLoopback == false)
        #expect(ListenAddress("no-such-host.invalid:4318")?.isLoopback == false)
        #expect(ListenAddress("nohost") == nil)
        #expect(ListenAddress("h:99999") == nil)
    }
}
