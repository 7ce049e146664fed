import Hummingbird

/// Every HTTP endpoint Lookout serves, declared once. The router (`LookoutHTTPServer.router`),
/// the pipeline fast path (`QueryFastPath`) and the auth check (`AuthMiddleware`) are built from
/// this table, so a path cannot be known to one and not to the others, and a route family is
/// added by adding its declarations here.
struct EndpointTable: Sendable {
    let endpoints: [APIEndpoint]
    /// The pipeline endpoints by exact path.
    private let pipeline: [String: APIEndpoint]

    init(runtime: LookoutRuntime) {
        self.init(HealthRoutes(runtime: runtime).endpoints + PrometheusAPIRoutes(runtime: runtime).endpoints
                  + OTLPRoutes(runtime: runtime).endpoints + JaegerRoutes(runtime: runtime).endpoints
                  + TempoRoutes(runtime: runtime).endpoints + LogRoutes(runtime: runtime).endpoints + LokiRoutes(runtime: runtime).endpoints
                  + LokiPushRoutes(runtime: runtime).endpoints + RuleRoutes(runtime: runtime).endpoints
                  + AlertmanagerRoutes(runtime: runtime).endpoints)
    }

    init(_ endpoints: [APIEndpoint]) {
        self.endpoints = endpoints
        var pipeline: [String: APIEndpoint] = [:]
        for endpoint in endpoints where endpoint.inPipeline {
            precondition(!endpoint.path.contains("{"), "\(endpoint.path): pipeline endpoints have fixed paths")
            pipeline[endpoint.path] = endpoint
        }
        self.pipeline = pipeline
    }

    /// The pipeline endpoint for a request, if the pipeline answers it.
    func pipelineEndpoint(path: String, method: HTTPRequest.Method) -> APIEndpoint? {
        guard let endpoint = pipeline[path], endpoint.methods.contains(method) else { return nil }
        return endpoint
    }

    /// The endpoint serving `path`, and the value of its `{…}` segment.
    func endpoint(for path: String) -> (endpoint: APIEndpoint, parameter: String)? {
        if let exact = pipeline[path] { return (exact, "") }
        for endpoint in endpoints {
            let (matches, parameter) = endpoint.match(path)
            if matches { return (endpoint, parameter) }
        }
        return nil
    }

    /// The role a request to `path` needs: its endpoint's (the one for `method` where a path has
    /// several, as `/api/v2/alerts` reads with a query token and takes pushes with an ingest one),
    /// or `query` for a path no endpoint serves (so an unknown path answers 401 before 404, and
    /// only to a caller with a token).
    func role(for path: String, method: HTTPRequest.Method? = nil) -> EndpointRole {
        if let method, pipeline[path] == nil,
           let endpoint = endpoints.first(where: { $0.methods.contains(method) && $0.match(path).matches }) {
            return endpoint.role
        }
        return endpoint(for: path)?.endpoint.role ?? .query
    }
}
