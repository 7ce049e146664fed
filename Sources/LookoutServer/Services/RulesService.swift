import Dispatch
import Foundation
import LookoutModel
import LookoutQuery
import LookoutRules
import ServiceLifecycle

/// Evaluates the config's rule groups against the metric store once it is ready, and reloads the
/// config on SIGHUP (as `POST /-/reload` does).
public struct RulesService: Service {
    let runtime: LookoutRuntime

    public init(runtime: LookoutRuntime) {
        self.runtime = runtime
    }

    public func run() async throws {
        let config = runtime.config
        signal(SIGHUP, SIG_IGN)
        let signals = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        signals.setEventHandler { [runtime] in runtime.reload() }
        signals.resume()
        defer { signals.cancel() }
        await cancelWhenGracefulShutdown {
            guard let store = await runtime.waitForStore() else { return }
            let options = QueryOptions(lookbackDelta: config.query.lookbackDelta, maxSamples: config.query.maxSamples,
                                       timeout: Double(config.query.timeout) / 1000)
            let context = RuleContext(querier: store, appender: store, queryOptions: options,
                                      externalLabels: config.global.externalLabels, externalURL: "http://" + config.server.listen,
                                      sink: runtime.alertSink)
            let manager = RuleManager(context: context, logger: runtime.logger)
            manager.update(groups: config.ruleGroups)
            runtime.attach(rules: manager)
            await manager.run()
        }
    }
}
