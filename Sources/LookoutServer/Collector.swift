import Logging
import LookoutModel
import LookoutScrape
import LookoutStorage
import ServiceLifecycle

/// The collector's background work as one `Service`: opens the data directory with its stores
/// (replaying the WAL), then scrapes and enforces retention until shutdown, then stops scraping,
/// writes due partitions and closes the data directory (a final checkpoint).
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
        logger.info("opening storage", metadata: ["storage.path": "\(config.storage.path)"])
        let data = try DataDirectory(path: config.storage.path, wal: WALOptions(fsync: config.storage.fsync), logger: logger)
        let store = try MetricStore(data: data, options: StorageOptions(retention: config.storage.retention), logger: logger)
        try data.open(progress: progress)
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
        try data.close()
        logger.info("storage closed")
    }
}
