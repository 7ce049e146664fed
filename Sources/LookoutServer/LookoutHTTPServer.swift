import Hummingbird
import LookoutYAML
import HummingbirdCore
import Logging
import ServiceLifecycle
import LookoutModel

/// Builds the single HTTP listener: the router and the pipeline fast path both from one
/// `EndpointTable`.
public enum LookoutHTTPServer {
    public static func router(runtime: LookoutRuntime) -> Router<BasicRequestContext> {
        router(runtime: runtime, table: EndpointTable(runtime: runtime))
    }

    static func router(runtime: LookoutRuntime, table: EndpointTable) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: runtime.metrics))
        router.add(middleware: AuthMiddleware(tokens: runtime.config.server.tokens, table: table))
        let api = PrometheusAPIRoutes(runtime: runtime)
        for endpoint in table.endpoints {
            for method in endpoint.methods {
                switch endpoint.handler {
                case .api(let answer):
                    router.on(RouterPath(endpoint.path), method: method) { request, context in
                        await api.handle(answer, request, pathParameter: context.parameters.get("name") ?? "")
                    }
                case .plain(let answer):
                    router.on(RouterPath(endpoint.path), method: method) { _, _ in answer().response }
                case .push(let handle, let refused):
                    router.on(RouterPath(endpoint.path), method: method) { request, _ in
                        let push: PushRequest, reserved: Int
                        do {
                            (push, reserved) = try await PushRequest.read(request, maxBodyBytes: runtime.config.server.maxBodyBytes,
                                                                          inflight: runtime.inflight)
                        } catch let refusal as PushRequest.Refusal {
                            return refused(refusal).response
                        } catch {
                            return refused(.unreadable("the body could not be read: \(error)")).response
                        }
                        defer { runtime.inflight.release(reserved) }
                        return await handle(push).response
                    }
                }
            }
        }
        return router
    }

    /// The application, listening on `server.listen`; `onRunning` is told once the port is bound.
    public static func application(runtime: LookoutRuntime, services: [any Service] = [], costs: QueryCostMemory = QueryCostMemory(),
                                   onRunning: @escaping @Sendable () async -> Void = {}) throws -> some ApplicationProtocol {
        guard let address = ListenAddress(runtime.config.server.listen) else {
            throw ConfigError(file: "server.listen", line: 0, column: 0, message: "listen must be HOST:PORT")
        }
        let table = EndpointTable(runtime: runtime)
        return Application(
            router: router(runtime: runtime, table: table),
            server: HTTPServerBuilder { responder in
                LookoutHTTP1Channel(responder: responder, fastPath: { QueryFastPath(runtime: runtime, table: table, costs: costs) },
                                    tailUpgrader: { LokiTailHandler.upgrader(runtime: runtime, table: table) })
            },
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "Lookout"),
            services: services,
            onServerRunning: { _ in await onRunning() },
            logger: runtime.logger
        )
    }
}
