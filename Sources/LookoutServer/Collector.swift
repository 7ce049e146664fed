import Logging
import LookoutModel
import LookoutScrape
import LookoutStorage
import ServiceLifecycle

/// The collector's background work as one `Service`: opens the store (replaying the WAL), then
/// scrapes and enforces retention until shutdown, then stops scraping, flushes and closes the store.
public struct Collector: Service {
    let runtime: LookoutRuntime
    let progress: (@Sendable (Int64, Int64) -> Void)?

    public init(runtime: LookoutRuntime, progress: (@Sendable (Int64, Int64) -> Void)? = nil) {
        self.runtime = runtime
        self.progress = progress
    }

    public func run() async throws {
        let config = runtime.config
        let logger = runtime.logger
        let options = StorageOptions(retention: config.storage.retention, fsync: config.storage.fsync)
        logger.info("opening storage", metadata: ["storage.path": "\(config.storage.path)"])
        let store = try MetricStore(directory: config.storage.path, options: options, logger: logger, progress: progress)
        logger.info("storage ready", metadata: [
            "storage.head_series": "\(store.stats.headSeries)",
            "storage.wal_records_replayed": "\(store.stats.walRecordsReplayed)",
        ])
        let scrape = ScrapeManager(configs: config.scrapeConfigs, appender: store, logger: logger)
        runtime.attach(store: store, scrapeManager: scrape)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await scrape.run() } catch {
                    logger.error("scrape manager stopped", metadata: ["error": "\(error)"])
                }
            }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    while !Task.isCancelled {
                        do { try store.enforceRetention(now: WallClock.nowMilliseconds()) } catch {
                            logger.error("retention failed", metadata: ["error": "\(error)"])
                        }
                        try? await Task.sleep(for: .seconds(60))
                    }
                }
            }
            await group.waitForAll()
        }
        logger.info("flushing and closing storage")
        try store.close()
        logger.info("storage closed")
    }
}
