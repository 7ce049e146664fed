import LookoutModel
import ServiceLifecycle

/// Deletes partitions, span blocks and log blocks past `storage.retention` once a minute, from when the store is open until
/// graceful shutdown.
public struct RetentionService: Service {
    let runtime: LookoutRuntime
    static let interval = Duration.seconds(60)

    public init(runtime: LookoutRuntime) {
        self.runtime = runtime
    }

    public func run() async throws {
        let logger = runtime.logger
        await cancelWhenGracefulShutdown {
            guard let store = await runtime.waitForStore() else { return }
            while !Task.isCancelled {
                do {
                    try store.enforceRetention(now: WallClock.nowMilliseconds())
                    try runtime.spanStore?.enforceRetention(now: WallClock.nowMilliseconds())
                    try runtime.logStore?.enforceRetention(now: WallClock.nowMilliseconds())
                } catch {
                    logger.error("retention failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }
}
