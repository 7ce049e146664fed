import Dispatch
import Logging
import LookoutModel
import LookoutStorage
import ServiceLifecycle

/// Opens the data directory and its stores (replaying the WAL, with `progress`), attaches them to
/// the runtime, and on graceful shutdown, after the services listed after it have stopped, writes
/// due partitions and closes the data directory (a final checkpoint).
public struct StorageService: Service {
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
        let spans = try TraceStore(data: data, options: TraceStoreOptions(retention: config.storage.retention), logger: logger)
        let exemplars = try ExemplarStore(data: data)
        var logOptions = config.logs.store
        logOptions.retention = config.storage.retention
        let logs = try LogStore(data: data, options: logOptions, logger: logger)
        do {
            try data.open(progress: progress)
        } catch var error as StorageError where error.code == .corruption {
            error.message += "; run `lookout repair --data \(config.storage.path)` to cut the damaged records (it keeps a copy and prints what is lost)"
            throw error
        }
        logger.info("storage ready", metadata: [
            "storage.head_series": "\(store.stats.headSeries)",
            "storage.wal_records_replayed": "\(store.stats.walRecordsReplayed)",
        ])
        runtime.attach(spans: spans, metrics: spans.selfMetrics)
        runtime.attach(exemplars: exemplars, metrics: exemplars.selfMetrics)
        runtime.attach(logs: logs)
        runtime.attach(notifications: NotifierStore(data: data))
        runtime.attach(store: store)
        // Faults heal by themselves once the disk takes writes again (`recoverFromFaults`).
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: .seconds(1)) } catch { break }
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().async {
                        store.recoverFromFaults()
                        spans.maintain()
                        logs.maintain()
                        done.resume()
                    }
                }
            }
        }
        logger.info("flushing and closing storage")
        // Every store is closed and the directory checkpointed even when one fails: what a store
        // could not write (a block on a full disk) is still in the WAL, and the checkpoint keeps it.
        var firstError: (any Error)?
        do { try store.close() } catch { firstError = error }
        do { try spans.close() } catch {
            logger.error("sealing the span head at close failed; its spans stay in the WAL", metadata: ["error": "\(error)"])
            firstError = firstError ?? error
        }
        do { try logs.close() } catch {
            logger.error("sealing the log head at close failed; its lines stay in the WAL", metadata: ["error": "\(error)"])
            firstError = firstError ?? error
        }
        do { try data.close() } catch { firstError = firstError ?? error }
        if let firstError { throw firstError }
        logger.info("storage closed")
    }
}
