import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import LookoutModel

/// Builds the single HTTP listener: every route family registers itself on one router.
public enum LookoutHTTPServer {
    public static func router(runtime: LookoutRuntime) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: runtime.metrics))
        router.add(middleware: AuthMiddleware(tokens: runtime.config.server.tokens))
        HealthRoutes(runtime: runtime).register(on: router)
        PrometheusAPIRoutes(runtime: runtime).register(on: router)
        return router
    }

    /// The application, listening on `server.listen`; `onRunning` is told once the port is bound.
    public static func application(runtime: LookoutRuntime, services: [any Service] = [], costs: QueryCostMemory = QueryCostMemory(),
                                   onRunning: @escaping @Sendable () async -> Void = {}) throws -> some ApplicationProtocol {
        guard let address = ListenAddress(runtime.config.server.listen) else {
            throw ConfigError(file: "server.listen", line: 0, column: 0, message: "listen must be HOST:PORT")
        }
        return Application(
            router: router(runtime: runtime),
            server: HTTPServerBuilder { responder in
                LookoutHTTP1Channel(responder: responder) { QueryFastPath(runtime: runtime, costs: costs) }
            },
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "Lookout"),
            services: services,
            onServerRunning: { _ in await onRunning() },
            logger: runtime.logger
        )
    }
}
