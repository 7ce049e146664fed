import AsyncHTTPClient
import LookoutModel
import LookoutNotify
import LookoutRules
import ServiceLifecycle

/// Runs the notifier once the data directory is open: the dispatcher's timers every second and
/// the outbox delivery, until graceful shutdown (what is still in the outbox is sent after the
/// next start).
public struct NotifierService: Service {
    let runtime: LookoutRuntime

    public init(runtime: LookoutRuntime) {
        self.runtime = runtime
    }

    public func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        await cancelWhenGracefulShutdown {
            guard await runtime.waitForStore() != nil, let storage = runtime.notificationStorage else { return }
            let dispatcher: Dispatcher
            do {
                dispatcher = try Dispatcher(config: runtime.config.alerting, storage: storage,
                                            externalURL: "http://" + runtime.config.server.listen, logger: runtime.logger)
            } catch {
                runtime.logger.error("cannot start the notifier", metadata: ["error": "\(error)"])
                return
            }
            let worker = DeliveryWorker(dispatcher: dispatcher, transport: HTTPTransport(client: client), logger: runtime.logger)
            runtime.attach(dispatcher: dispatcher, worker: worker)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await worker.run() }
                group.addTask {
                    while !Task.isCancelled {
                        dispatcher.tick(now: WallClock.nowMilliseconds())
                        try? await Task.sleep(for: .seconds(1))
                    }
                }
            }
        }
        try await client.shutdown()
    }
}

/// Hands the rules' alerts to the notifier, as Prometheus posts them to Alertmanager.
struct DispatcherSink: AlertSink {
    let runtime: LookoutRuntime

    func send(_ alerts: [AlertNotification]) async {
        guard let dispatcher = runtime.dispatcher else { return }
        let now = WallClock.nowMilliseconds()
        dispatcher.receive(alerts.map {
            NotifierAlert(labels: $0.labels, annotations: $0.annotations, startsAt: $0.startsAt, endsAt: $0.endsAt,
                          updatedAt: now, generatorURL: $0.generatorURL)
        }, now: now)
    }
}
