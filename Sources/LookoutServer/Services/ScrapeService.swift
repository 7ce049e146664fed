import LookoutScrape
import ServiceLifecycle

/// Scrapes the configured targets into the metric store once it is open, until graceful shutdown,
/// when every loop writes its stale markers.
public struct ScrapeService: Service {
    let runtime: LookoutRuntime

    public init(runtime: LookoutRuntime) {
        self.runtime = runtime
    }

    public func run() async throws {
        guard let store = await cancelWhenGracefulShutdown({ await runtime.waitForStore() }) else { return }
        let manager = ScrapeManager(configs: runtime.config.scrapeConfigs, appender: store, exemplars: runtime.exemplars,
                                    logger: runtime.logger)
        runtime.attach(scrapeManager: manager)
        try await manager.run()
    }
}
