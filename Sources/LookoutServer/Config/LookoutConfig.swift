import LookoutNotify
import LookoutQuery
import LookoutRules
import LookoutScrape
import LookoutStorage

/// The whole `config/lookout.yaml`, after validation. Sections Lookout does not act on yet are
/// validated for known keys and kept out of this struct.
public struct LookoutConfig: Sendable {
    public var server = ServerConfig()
    public var storage = StorageConfig()
    public var global = GlobalConfig()
    public var scrapeConfigs: [ScrapeConfig] = []
    public var query = QueryConfig()
    public var spanMetrics = SpanMetricsOptions()
    public var logs = LogsConfig()
    /// `alerting:`: routes, receivers, inhibit rules and time intervals.
    public var alerting = AlertingConfig()
    /// The groups of every `rule_files` file, parsed and validated.
    public var ruleGroups: [RuleGroup] = []
    /// The specs of every `slo_files` file; their rules are in `ruleGroups`.
    public var slos: [SLOSpec] = []
    /// The file this config was loaded from, which a reload reads again.
    public var file: String?

    public init() {}
}

/// `logs:` and the log limits of `limits:` — which fields become stream labels, the line size cap,
/// and the log store's limits.
public struct LogsConfig: Sendable {
    public var streamLabels = ["service", "level"]
    public var maxLineBytes = 256 * 1024
    public var store = LogStoreOptions()
    /// Per-tenant ingestion rate and burst in bytes of lines (`limits.ingestion_rate_mb`,
    /// `ingestion_burst_mb`; Loki's defaults, 4 and 6 MB); pushes past them are answered 429.
    public var ingestionRateBytes: Double = 4 * 1_048_576
    public var ingestionBurstBytes: Double = 6 * 1_048_576
    /// What one LogQL query may read and hold (`limits:` `max_query_lines`, `max_query_series`).
    public var queryLimits = LogQueryEngine.Limits()
    public init() {}
}

/// `server:` — the single listener, request limits and bearer-token auth.
public struct ServerConfig: Sendable {
    public var listen = "127.0.0.1:4318"
    public var maxBodyBytes = 16 << 20
    /// Request body bytes held at once across all connections by the pipeline fast path; beyond
    /// it requests are answered 503 with `Retry-After`.
    public var maxInflightBytes = 64 << 20
    public var tokens: [AuthToken] = []
    public init() {}
}

/// One accepted bearer token and what it may do.
public struct AuthToken: Sendable, Equatable {
    /// What a token may do: push data, query, or both.
    public enum Role: String, Sendable, CaseIterable { case ingest, query, admin }
    public var token: String
    public var role: Role
    public var tenant: String?

    public init(token: String, role: Role, tenant: String? = nil) {
        self.token = token
        self.role = role
        self.tenant = tenant
    }
}

/// `storage:` — where data lives, how long, and how hard to fsync.
public struct StorageConfig: Sendable {
    public var path = "./data"
    public var retention: Int64 = 15 * 86_400_000
    public var fsync: FsyncMode = .batch
    public init() {}
}

/// `global:` — defaults for every scrape config.
public struct GlobalConfig: Sendable {
    public var scrapeInterval: Int64 = 15_000
    public var scrapeTimeout: Int64 = 10_000
    public var externalLabels: [String: String] = [:]
    /// How often rule groups without their own `interval` are evaluated (Prometheus's default, 1m).
    public var evaluationInterval: Int64 = 60_000
    public init() {}
}

/// `query:` — PromQL limits.
public struct QueryConfig: Sendable {
    public var maxSamples = 50_000_000
    public var timeout: Int64 = 120_000
    public var lookbackDelta: Int64 = 300_000
    public init() {}
}
