import Hummingbird
import Logging

/// Counts every request by route and status code, and logs failures as JSON.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let metrics: SelfMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var code = 500
        defer {
            metrics.recordRequest(path: context.endpointPath ?? "unmatched", code: code,
                                  seconds: (ContinuousClock.now - started).inSeconds)
        }
        do {
            let response = try await next(request, context)
            code = response.status.code
            if code >= 500 {
                context.logger.warning("request failed", metadata: ["http.path": "\(request.uri.path)", "http.status": "\(code)"])
            }
            return response
        } catch let error as HTTPResponseError {
            code = error.status.code
            throw error
        }
    }
}
