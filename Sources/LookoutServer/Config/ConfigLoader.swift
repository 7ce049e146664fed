import Foundation
import LookoutModel
import LookoutNotify
import LookoutRules
import LookoutScrape
import LookoutStorage
import LookoutYAML
import Yams

/// Reads and validates `lookout.yaml`. Every error names the file, line, column and key.
public enum ConfigLoader {
    static let topLevelKeys: Set<String> = [
        "server", "storage", "global", "scrape_configs", "rule_files", "slo_files", "alerting",
        "span_metrics", "logs", "query", "limits",
    ]

    /// Loads a file; relative paths inside it (token files, file_sd files) resolve against its folder.
    public static func load(file: String) throws(ConfigError) -> LookoutConfig {
        let text = try YAMLReader.contents(of: file, what: "config")
        let folder = (file as NSString).deletingLastPathComponent
        var config = try parse(text, file: file, baseDirectory: folder.isEmpty ? "." : folder)
        config.file = file
        return config
    }

    public static func parse(_ text: String, file: String = "<config>", baseDirectory: String = ".") throws(ConfigError) -> LookoutConfig {
        let reader = YAMLReader(file: file)
        let root = try reader.compose(text)
        var config = LookoutConfig()
        guard let root else { return config }
        var ruleFilesNode: Node?
        var sloFilesNode: Node?
        let sections = try reader.mapping(root, "the config file", allowed: topLevelKeys)
        // `global` first: scrape configs inherit from it.
        for (key, _, value) in sections where key == "global" {
            config.global = try global(value, reader)
        }
        for (key, _, value) in sections {
            switch key {
            case "server": config.server = try server(value, reader, baseDirectory: baseDirectory)
            case "storage": config.storage = try storage(value, reader)
            case "scrape_configs": config.scrapeConfigs = try scrapeConfigs(value, reader, global: config.global, baseDirectory: baseDirectory)
            case "query": config.query = try query(value, reader)
            case "rule_files": ruleFilesNode = value
            case "slo_files": sloFilesNode = value
            case "alerting": config.alerting = try AlertingConfigParser.parse(value, reader, baseDirectory: baseDirectory)
            case "span_metrics": config.spanMetrics = try spanMetrics(value, reader)
            case "logs": try logs(value, reader, into: &config.logs)
            case "limits": try limits(value, reader, into: &config.logs)
            default: break
            }
        }
        if let ruleFilesNode {
            config.ruleGroups = try ruleGroups(ruleFilesNode, reader, baseDirectory: baseDirectory,
                                               evaluationInterval: config.global.evaluationInterval)
        }
        if let sloFilesNode {
            let (files, missing) = RuleFileParser.expand(try reader.strings(sloFilesNode, "slo_files"), baseDirectory: baseDirectory)
            if let first = missing.first { throw reader.error(sloFilesNode, "SLO file \"\(first)\" does not exist") }
            for file in files {
                let spec = try SLOSpecParser.load(file: file, spanMetricsBuckets: config.spanMetrics.buckets)
                config.slos.append(spec)
                config.ruleGroups += try SLORuleGenerator.ruleGroups(spec, defaultInterval: config.global.evaluationInterval)
            }
        }
        return config
    }

    /// Every group of the files `rule_files` names (paths or globs, relative to the config's
    /// folder); a file that cannot be read or is invalid fails the whole config, with its line.
    static func ruleGroups(_ node: Node, _ reader: YAMLReader, baseDirectory: String, evaluationInterval: Int64) throws(ConfigError) -> [RuleGroup] {
        let patterns = try reader.strings(node, "rule_files")
        let (files, missing) = RuleFileParser.expand(patterns, baseDirectory: baseDirectory)
        if let first = missing.first { throw reader.error(node, "rule file \"\(first)\" does not exist") }
        var groups: [RuleGroup] = []
        for file in files {
            groups += try RuleFileParser.load(file: file, defaultInterval: evaluationInterval)
        }
        return groups
    }

    static func server(_ node: Node, _ reader: YAMLReader, baseDirectory: String) throws(ConfigError) -> ServerConfig {
        var server = ServerConfig()
        for (key, _, value) in try reader.mapping(node, "server", allowed: ["listen", "max_body_bytes", "max_inflight_bytes", "auth"]) {
            switch key {
            case "listen":
                server.listen = try reader.string(value, key)
                guard ListenAddress(server.listen) != nil else {
                    throw reader.error(value, "listen must be HOST:PORT, got \"\(server.listen)\"")
                }
            case "max_body_bytes": server.maxBodyBytes = try reader.byteSize(value, key)
            case "max_inflight_bytes": server.maxInflightBytes = try reader.byteSize(value, key)
            default:
                for (authKey, _, authValue) in try reader.mapping(value, "server.auth", allowed: ["tokens"]) {
                    for item in try reader.sequence(authValue, authKey) {
                        server.tokens.append(try token(item, reader, baseDirectory: baseDirectory))
                    }
                }
            }
        }
        return server
    }

    static func token(_ node: Node, _ reader: YAMLReader, baseDirectory: String) throws(ConfigError) -> AuthToken {
        var secret: String?
        var role: AuthToken.Role?
        var tenant: String?
        for (key, _, value) in try reader.mapping(node, "server.auth.tokens", allowed: ["token_file", "role", "tenant"]) {
            switch key {
            case "token_file": secret = try reader.secretFile(value, key, baseDirectory: baseDirectory)
            case "role":
                let text = try reader.string(value, key)
                guard let parsed = AuthToken.Role(rawValue: text) else {
                    throw reader.error(value, "role must be ingest, query or admin, got \"\(text)\"")
                }
                role = parsed
            default: tenant = try reader.string(value, key)
            }
        }
        guard let secret else { throw reader.error(node, "a token needs token_file") }
        guard let role else { throw reader.error(node, "a token needs role (ingest, query or admin)") }
        return AuthToken(token: secret, role: role, tenant: tenant)
    }

    static func storage(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> StorageConfig {
        var storage = StorageConfig()
        for (key, _, value) in try reader.mapping(node, "storage", allowed: ["path", "retention", "fsync"]) {
            switch key {
            case "path": storage.path = try reader.string(value, key)
            case "retention": storage.retention = try reader.duration(value, key)
            default:
                let text = try reader.string(value, key)
                switch text {
                case "batch": storage.fsync = .batch
                case "always": storage.fsync = .always
                case "interval": storage.fsync = .interval(milliseconds: 1_000)
                default: throw reader.error(value, "fsync must be batch, always or interval, got \"\(text)\"")
                }
            }
        }
        return storage
    }

    static func global(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> GlobalConfig {
        var global = GlobalConfig()
        let allowed: Set<String> = ["scrape_interval", "scrape_timeout", "external_labels", "evaluation_interval"]
        var timeoutNode: Node?
        for (key, _, value) in try reader.mapping(node, "global", allowed: allowed) {
            switch key {
            case "scrape_interval": global.scrapeInterval = try reader.duration(value, key)
            case "scrape_timeout": global.scrapeTimeout = try reader.duration(value, key); timeoutNode = value
            case "external_labels": global.externalLabels = try reader.stringMap(value, key)
            default: global.evaluationInterval = try reader.duration(value, key)
            }
        }
        if timeoutNode == nil { global.scrapeTimeout = min(global.scrapeTimeout, global.scrapeInterval) }
        if global.scrapeTimeout > global.scrapeInterval {
            throw reader.error(timeoutNode, "global scrape_timeout is greater than scrape_interval")
        }
        return global
    }

    static let scrapeKeys: Set<String> = [
        "job_name", "scrape_interval", "scrape_timeout", "metrics_path", "scheme", "params", "honor_labels",
        "honor_timestamps", "sample_limit", "label_limit", "label_name_length_limit", "label_value_length_limit",
        "static_configs", "file_sd_configs",
    ]

    static func scrapeConfigs(_ node: Node, _ reader: YAMLReader, global: GlobalConfig,
                              baseDirectory: String) throws(ConfigError) -> [ScrapeConfig] {
        var configs: [ScrapeConfig] = []
        var jobs = Set<String>()
        for item in try reader.sequence(node, "scrape_configs") {
            let entries = try reader.mapping(item, "scrape_configs", allowed: scrapeKeys)
            guard let jobEntry = entries.first(where: { $0.key == "job_name" }) else {
                throw reader.error(item, "scrape config is missing job_name")
            }
            let job = try reader.string(jobEntry.value, "job_name")
            guard !job.isEmpty else { throw reader.error(jobEntry.value, "job_name must not be empty") }
            guard jobs.insert(job).inserted else {
                throw reader.error(jobEntry.value, "found multiple scrape configs with job name \"\(job)\"")
            }
            var config = ScrapeConfig(jobName: job, scrapeInterval: global.scrapeInterval, scrapeTimeout: global.scrapeTimeout)
            var timeoutNode: Node?
            var intervalSet = false
            for (key, _, value) in entries {
                switch key {
                case "scrape_interval": config.scrapeInterval = try reader.duration(value, key); intervalSet = true
                case "scrape_timeout": config.scrapeTimeout = try reader.duration(value, key); timeoutNode = value
                case "metrics_path":
                    config.metricsPath = try reader.string(value, key)
                    guard config.metricsPath.hasPrefix("/") else { throw reader.error(value, "metrics_path must start with /") }
                case "scheme":
                    config.scheme = try reader.string(value, key)
                    guard ["http", "https"].contains(config.scheme) else {
                        throw reader.error(value, "scheme must be http or https, got \"\(config.scheme)\"")
                    }
                case "params":
                    guard case .mapping(let mapping) = value else { throw reader.error(value, "params must be a mapping") }
                    for (k, v) in mapping {
                        guard let name = k.string else { throw reader.error(k, "params keys must be strings") }
                        config.params[name] = try reader.strings(v, "params.\(name)")
                    }
                case "honor_labels": config.honorLabels = try reader.bool(value, key)
                case "honor_timestamps": config.honorTimestamps = try reader.bool(value, key)
                case "sample_limit": config.sampleLimit = try reader.int(value, key)
                case "label_limit": config.labelLimit = try reader.int(value, key)
                case "label_name_length_limit": config.labelNameLengthLimit = try reader.int(value, key)
                case "label_value_length_limit": config.labelValueLengthLimit = try reader.int(value, key)
                case "static_configs":
                    for group in try reader.sequence(value, key) {
                        config.staticConfigs.append(try targetGroup(group, reader))
                    }
                case "file_sd_configs":
                    for sd in try reader.sequence(value, key) {
                        for (sdKey, _, sdValue) in try reader.mapping(sd, "file_sd_configs", allowed: ["files", "refresh_interval"]) {
                            if sdKey == "files" {
                                config.fileSDFiles += try reader.strings(sdValue, sdKey).map { resolve($0, against: baseDirectory) }
                            } else {
                                _ = try reader.duration(sdValue, sdKey)
                            }
                        }
                    }
                default: break
                }
            }
            if timeoutNode == nil && intervalSet { config.scrapeTimeout = min(global.scrapeTimeout, config.scrapeInterval) }
            if config.scrapeTimeout > config.scrapeInterval {
                throw reader.error(timeoutNode ?? jobEntry.value,
                                   "scrape timeout greater than scrape interval for scrape config with job name \"\(job)\"")
            }
            configs.append(config)
        }
        return configs
    }

    static func targetGroup(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> TargetGroup {
        var group = TargetGroup(targets: [])
        for (key, _, value) in try reader.mapping(node, "static_configs", allowed: ["targets", "labels"]) {
            if key == "targets" {
                for target in try reader.sequence(value, key) {
                    let text = try reader.string(target, key)
                    guard ListenAddress(text) != nil else {
                        throw reader.error(target, "target must be HOST:PORT, got \"\(text)\"")
                    }
                    group.targets.append(text)
                }
            } else {
                group.labels = try reader.stringMap(value, key)
                for name in group.labels.keys where !LabelName.isValid(name) {
                    throw reader.error(value, "invalid label name \"\(name)\"")
                }
            }
        }
        return group
    }

    static func query(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> QueryConfig {
        var query = QueryConfig()
        for (key, _, value) in try reader.mapping(node, "query", allowed: ["max_samples", "timeout", "lookback_delta"]) {
            switch key {
            case "max_samples": query.maxSamples = try reader.int(value, key)
            case "timeout": query.timeout = try reader.duration(value, key)
            default: query.lookbackDelta = try reader.duration(value, key)
            }
        }
        return query
    }

    static func spanMetrics(_ node: Node, _ reader: YAMLReader) throws(ConfigError) -> SpanMetricsOptions {
        var options = SpanMetricsOptions()
        for (key, _, value) in try reader.mapping(node, "span_metrics", allowed: ["interval", "buckets", "dimensions", "max_series"]) {
            switch key {
            case "interval":
                options.intervalMilliseconds = try reader.duration(value, key)
                guard options.intervalMilliseconds >= 1000 else { throw reader.error(value, "span_metrics.interval must be at least 1s") }
            case "buckets":
                var bounds: [Double] = []
                for item in try reader.sequence(value, key) {
                    guard let text = item.string, let b = Double(text), b.isFinite, b > 0 else {
                        throw reader.error(item, "span_metrics.buckets must be positive numbers of seconds")
                    }
                    bounds.append(b)
                }
                guard !bounds.isEmpty, zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw reader.error(value, "span_metrics.buckets must be a non-empty, increasing list")
                }
                options.buckets = bounds
            case "dimensions": options.dimensions = try reader.strings(value, key)
            default: options.maxSeries = try reader.int(value, key)
            }
        }
        return options
    }

    static func logs(_ node: Node, _ reader: YAMLReader, into logs: inout LogsConfig) throws(ConfigError) {
        for (key, _, value) in try reader.mapping(node, "logs", allowed: ["stream_labels", "max_line_bytes", "max_out_of_order"]) {
            switch key {
            case "stream_labels":
                logs.streamLabels = try reader.strings(value, key)
                for name in logs.streamLabels where !LabelName.isValid(name) {
                    throw reader.error(value, "logs.stream_labels: \"\(name)\" is not a valid label name")
                }
            case "max_line_bytes":
                logs.maxLineBytes = try reader.int(value, key)
                guard logs.maxLineBytes > 0 else { throw reader.error(value, "logs.max_line_bytes must be positive") }
            default:
                logs.store.maxOutOfOrderNs = try reader.duration(value, key) * 1_000_000
            }
        }
    }

    static func limits(_ node: Node, _ reader: YAMLReader, into logs: inout LogsConfig) throws(ConfigError) {
        let allowed: Set<String> = ["ingestion_rate_mb", "ingestion_burst_mb", "max_label_names_per_series", "max_active_streams",
                                    "max_label_name_length", "max_label_value_length"]
        for (key, _, value) in try reader.mapping(node, "limits", allowed: allowed) {
            switch key {
            case "max_label_names_per_series": logs.store.maxLabelsPerStream = try reader.int(value, key)
            case "max_active_streams": logs.store.maxActiveStreams = try reader.int(value, key)
            case "max_label_name_length": logs.store.maxLabelNameLength = try reader.int(value, key)
            case "max_label_value_length": logs.store.maxLabelValueLength = try reader.int(value, key)
            case "ingestion_rate_mb", "ingestion_burst_mb":
                let mb = try reader.double(value, key)
                guard mb > 0 else { throw reader.error(value, "limits.\(key) must be positive") }
                if key == "ingestion_rate_mb" { logs.ingestionRateBytes = mb * 1_048_576 } else { logs.ingestionBurstBytes = mb * 1_048_576 }
            default: break
            }
        }
    }

    static func resolve(_ path: String, against base: String) -> String {
        path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
    }
}
