import AsyncHTTPClient
import Foundation
import Logging
import LookoutModel
import NIOPosix
import ServiceLifecycle

/// Runs one scrape loop per target of every scrape config, and keeps the target set in step with
/// `file_sd_configs` files (re-read when they change). A `Service`: on graceful shutdown it stops
/// every loop, which writes its stale markers, then returns.
public final class ScrapeManager: Service, Sendable {
    public let registry = ScrapeRegistry()
    public let metrics = ScrapeMetrics()
    let configs: [ScrapeConfig]
    let appender: any MetricAppender
    let exemplars: (any ExemplarStorage)?
    let logger: Logger
    let client: HTTPClient
    /// Scraping's own event loop and parse threads: queries on the server's event loops and
    /// the cooperative pool cannot starve scrapes, nor scrapes them.
    let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let parsePool = NIOThreadPool(numberOfThreads: 2)
    /// How often file_sd files are checked for changes.
    let refreshInterval: Duration

    public init(configs: [ScrapeConfig], appender: any MetricAppender, exemplars: (any ExemplarStorage)? = nil, logger: Logger,
                refreshInterval: Duration = .seconds(5)) {
        self.configs = configs
        self.appender = appender
        self.exemplars = exemplars
        self.logger = logger
        self.refreshInterval = refreshInterval
        var configuration = HTTPClient.Configuration(decompression: .enabled(limit: .ratio(100)))
        configuration.timeout = .init(connect: .seconds(5))
        self.client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
        parsePool.start()
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.superviseTargets() }
        try? await client.shutdown()
        try? await parsePool.shutdownGracefully()
        try? await eventLoopGroup.shutdownGracefully()
    }

    /// Starts and stops loops as the target set changes, until cancelled.
    func superviseTargets() async {
        var running: [ScrapeTarget: Task<Void, Never>] = [:]
        var fileSD = FileSDReader()
        while !Task.isCancelled {
            let targets = currentTargets(&fileSD)
            registry.setTargets(targets)
            let wanted = Set(targets)
            for (target, task) in running where !wanted.contains(target) {
                task.cancel()
                running[target] = nil
                logger.info("target removed", metadata: ["scrape.target": "\(target.url)", "scrape.job": "\(target.job)"])
            }
            for target in targets where running[target] == nil {
                let loop = ScrapeLoop(target: target, client: client, parsePool: parsePool, appender: appender, exemplars: exemplars, registry: registry,
                                      metrics: metrics, logger: logger)
                running[target] = Task { await loop.run() }
                logger.info("target added", metadata: ["scrape.target": "\(target.url)", "scrape.job": "\(target.job)"])
            }
            if (try? await Task.sleep(for: refreshInterval)) == nil { break }
        }
        for task in running.values { task.cancel() }
        for task in running.values { await task.value }
    }

    func currentTargets(_ fileSD: inout FileSDReader) -> [ScrapeTarget] {
        var targets: [ScrapeTarget] = []
        var seen = Set<ScrapeTarget>()
        for config in configs {
            var groups = config.staticConfigs
            for pattern in config.fileSDFiles {
                groups += fileSD.groups(pattern: pattern, logger: logger)
            }
            for group in groups {
                for address in group.targets {
                    let target = ScrapeTarget(address: address, group: group, config: config)
                    if seen.insert(target).inserted { targets.append(target) }
                }
            }
        }
        return targets
    }
}
