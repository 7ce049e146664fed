import Foundation
import Logging
import LookoutFormats
import LookoutModel
import LookoutNotify
import LookoutRules
import LookoutScrape
import LookoutStorage
import LookoutYAML
import Synchronization

/// What the services and the HTTP layer share: the validated config, the metric store (by its
/// contract, `MetricStorage`) once its WAL is replayed, the scrape manager once scraping runs, and the registry of Lookout's own metrics.
public final class LookoutRuntime: Sendable {
    public let config: LookoutConfig
    public let logger: Logger
    public let metrics = SelfMetrics()
    /// Every component's families for `/metrics`.
    public let selfMetrics = SelfMetricsRegistry()
    /// Request body bytes the pipeline fast path holds, across all connections.
    let inflight: InflightBytes
    /// RED metrics and the service graph from every accepted span (`span_metrics:`).
    public let spanMetrics: SpanMetricsGenerator
    /// Running totals that make OTLP delta points cumulative.
    let otlpDeltas = OTLPDeltaAccumulator()
    /// The log push paths' shared tenant rate limits and append.
    let logIngest: LogIngest
    private let state = Mutex<(store: (any MetricStorage)?, scrape: ScrapeManager?, spans: (any SpanStorage)?,
                               exemplars: (any ExemplarStorage)?)>((nil, nil, nil, nil))

    public init(config: LookoutConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        inflight = InflightBytes(limit: config.server.maxInflightBytes)
        spanMetrics = SpanMetricsGenerator(options: config.spanMetrics, logger: logger)
        logIngest = LogIngest(config: config.logs)
        let started = Date().timeIntervalSince1970.rounded()
        selfMetrics.register("process") { [self] in
            [MetricFamily("lookout_build_info", .gauge, help: "Always 1; the version is in the label.", value: 1,
                          labels: ["version": BuildInfo.version]),
             MetricFamily("process_start_time_seconds", .gauge, help: "Start time of the process since the Unix epoch in seconds.",
                          value: started),
             MetricFamily("lookout_ready", .gauge, help: "1 once the WAL has been replayed and queries are served.",
                          value: store == nil ? 0 : 1)]
        }
        selfMetrics.register("http") { [metrics] in metrics.httpFamilies() }
        selfMetrics.register("span_metrics") { [spanMetrics] in spanMetrics.selfMetrics() }
    }

    /// Called once the WAL is replayed: from then on `/-/ready` answers 200.
    public func attach(store: any MetricStorage) {
        state.withLock { $0.store = store }
        selfMetrics.register("storage") { store.selfMetrics() }
    }

    /// Called with the metric store, once the WAL is replayed: OTLP traces and the trace APIs use it.
    public func attach(spans: any SpanStorage, metrics: @escaping @Sendable () -> [MetricFamily]) {
        state.withLock { $0.spans = spans }
        selfMetrics.register("spans", metrics)
    }

    public var spanStore: (any SpanStorage)? { state.withLock { $0.spans } }

    private let logState = Mutex<LogStore?>(nil)

    /// Called with the log store once the WAL is replayed.
    public func attach(logs: LogStore) {
        logState.withLock { $0 = logs }
        selfMetrics.register("logs") { logs.selfMetrics() }
    }

    public var logStore: LogStore? { logState.withLock { $0 } }

    /// Called with the exemplar store once the WAL is replayed.
    public func attach(exemplars: any ExemplarStorage, metrics: @escaping @Sendable () -> [MetricFamily]) {
        state.withLock { $0.exemplars = exemplars }
        selfMetrics.register("exemplars", metrics)
    }

    public var exemplars: (any ExemplarStorage)? { state.withLock { $0.exemplars } }

    func readySpanStore() throws(APIError) -> any SpanStorage {
        guard let spans = spanStore else { throw .unavailable("Lookout is starting: the WAL is still being replayed") }
        return spans
    }

    /// Called once scraping runs: `/api/v1/targets` and `/api/v1/metadata` read its registry.
    public func attach(scrapeManager: ScrapeManager) {
        state.withLock { $0.scrape = scrapeManager }
        selfMetrics.register("scrape") { scrapeManager.metrics.families() }
    }

    private let rulesState = Mutex<(manager: RuleManager?, lastReloadOK: Bool, lastReloadAt: Double)>((nil, true, 0))

    /// Called once rule evaluation runs: `/api/v1/rules`, `/api/v1/alerts` and reloads use it.
    public func attach(rules: RuleManager) {
        rulesState.withLock { $0.manager = rules; $0.lastReloadAt = Date().timeIntervalSince1970 }
        selfMetrics.register("rules") { [self] in
            let (ok, at) = rulesState.withLock { ($0.lastReloadOK, $0.lastReloadAt) }
            return rules.selfMetrics() + [
                MetricFamily("lookout_config_last_reload_successful", .gauge, help: "Whether the last configuration reload attempt was successful.",
                             value: ok ? 1 : 0),
                MetricFamily("lookout_config_last_reload_success_timestamp_seconds", .gauge,
                             help: "Timestamp of the last successful configuration reload.", value: at),
            ]
        }
    }

    private let notifyState = Mutex<(storage: (any NotificationStorage)?, dispatcher: Dispatcher?, worker: DeliveryWorker?)>((nil, nil, nil))

    /// Called with the notifier's durable state once the data directory is open.
    public func attach(notifications: any NotificationStorage) {
        notifyState.withLock { $0.storage = notifications }
    }

    /// Called once the notifier runs: the Alertmanager API and reloads use it.
    public func attach(dispatcher: Dispatcher, worker: DeliveryWorker) {
        notifyState.withLock { $0.dispatcher = dispatcher; $0.worker = worker }
        selfMetrics.register("notifier") { worker.selfMetrics(now: WallClock.nowMilliseconds()) }
    }

    public var notificationStorage: (any NotificationStorage)? { notifyState.withLock { $0.storage } }
    public var dispatcher: Dispatcher? { notifyState.withLock { $0.dispatcher } }

    /// Where alerting rules send alerts: the notifier of `alerting:`.
    public var alertSink: (any AlertSink)? { DispatcherSink(runtime: self) }

    private let sloState = Mutex<[SLOSpec]?>(nil)

    /// The SLO specs now evaluated: the config's, or the last reload's.
    public var slos: [SLOSpec] { sloState.withLock { $0 } ?? config.slos }

    public var ruleManager: RuleManager? { rulesState.withLock { $0.manager } }

    /// Reads the config file again and swaps in its rules; on any error the running rules stay
    /// and the error is returned (and logged, and shown by `lookout_config_last_reload_successful`).
    /// Sections other than `rule_files` and `alerting` take effect on a restart.
    @discardableResult
    public func reload() -> ConfigError? {
        guard let file = config.file else {
            return ConfigError(file: "<none>", line: 0, column: 0, message: "Lookout was started without a config file; nothing to reload")
        }
        do throws(ConfigError) {
            let fresh = try ConfigLoader.load(file: file)
            ruleManager?.update(groups: fresh.ruleGroups)
            sloState.withLock { $0 = fresh.slos }
            dispatcher?.update(config: fresh.alerting, now: WallClock.nowMilliseconds())
            rulesState.withLock { $0.lastReloadOK = true; $0.lastReloadAt = Date().timeIntervalSince1970 }
            logger.info("config reloaded", metadata: ["file": "\(file)", "rule_groups": "\(fresh.ruleGroups.count)"])
            return nil
        } catch {
            rulesState.withLock { $0.lastReloadOK = false }
            logger.error("config reload failed; the running rules stay", metadata: ["file": "\(file)", "error": "\(error)"])
            return error
        }
    }

    public var store: (any MetricStorage)? { state.withLock { $0.store } }
    public var scrapeManager: ScrapeManager? { state.withLock { $0.scrape } }
    var scrapeRegistry: ScrapeRegistry? { scrapeManager?.registry }

    /// The store once attached; nil if the task is cancelled first.
    func waitForStore() async -> (any MetricStorage)? {
        while !Task.isCancelled {
            if let store { return store }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    func readyStore() throws(APIError) -> any MetricStorage {
        guard let store else { throw .unavailable("Lookout is starting: the WAL is still being replayed") }
        return store
    }
}
