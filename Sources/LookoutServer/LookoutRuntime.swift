import Logging
import LookoutModel
import LookoutScrape
import LookoutStorage
import Synchronization

/// What the HTTP layer serves from: the validated config, the store once its WAL is replayed,
/// the scrape registry and Lookout's own counters.
public final class LookoutRuntime: Sendable {
    public let config: LookoutConfig
    public let logger: Logger
    public let metrics = SelfMetrics()
    private let state = Mutex<(store: MetricStore?, scrape: ScrapeManager?)>((nil, nil))

    public init(config: LookoutConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// Called once the WAL is replayed: from then on `/-/ready` answers 200.
    public func attach(store: MetricStore, scrapeManager: ScrapeManager?) {
        state.withLock { $0 = (store, scrapeManager) }
    }

    public var store: MetricStore? { state.withLock { $0.store } }
    public var scrapeManager: ScrapeManager? { state.withLock { $0.scrape } }
    var scrapeRegistry: ScrapeRegistry? { scrapeManager?.registry }

    func readyStore() throws(APIError) -> MetricStore {
        guard let store else { throw .unavailable("Lookout is starting: the WAL is still being replayed") }
        return store
    }
}
