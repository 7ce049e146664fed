/// One `scrape_configs` entry, with Prometheus's key names and defaults. Durations are milliseconds.
public struct ScrapeConfig: Sendable, Equatable {
    public var jobName: String
    public var scrapeInterval: Int64
    public var scrapeTimeout: Int64
    public var metricsPath: String = "/metrics"
    public var scheme: String = "http"
    public var params: [String: [String]] = [:]
    public var honorLabels: Bool = false
    public var honorTimestamps: Bool = true
    /// 0 means no limit.
    public var sampleLimit: Int = 0
    /// 0 means no limit.
    public var labelLimit: Int = 0
    /// Longest label name in bytes; 0 means no limit.
    public var labelNameLengthLimit: Int = 0
    /// Longest label value in bytes; 0 means no limit.
    public var labelValueLengthLimit: Int = 0
    public var staticConfigs: [TargetGroup] = []
    /// Paths (globs allowed) of `file_sd_configs` files, re-read when they change.
    public var fileSDFiles: [String] = []

    public init(jobName: String, scrapeInterval: Int64 = 15_000, scrapeTimeout: Int64 = 10_000) {
        self.jobName = jobName
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
    }
}

/// A set of targets sharing labels, as in `static_configs` and file_sd files.
public struct TargetGroup: Sendable, Equatable, Codable {
    public var targets: [String]
    public var labels: [String: String]

    public init(targets: [String], labels: [String: String] = [:]) {
        self.targets = targets
        self.labels = labels
    }
}
