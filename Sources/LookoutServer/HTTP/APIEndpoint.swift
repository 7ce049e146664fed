import Hummingbird

/// Who may call an endpoint once `server.auth.tokens` is set; an `admin` token may call all.
enum EndpointRole: String, Sendable {
    /// Probes and `/metrics`, like Prometheus's: no token needed.
    case open
    /// Read APIs: a `query` token.
    case query
    /// Push APIs: an `ingest` token.
    case ingest
    /// Changing what runs (`POST /-/reload`): an `admin` token.
    case admin
}

/// One call of an `.api` endpoint: its parameters (query string and form body), the value of the
/// path's `{…}` segment if any, how long it waited for a query thread, and an evaluation budget
/// (seconds) when it is answered on the event loop.
struct APICall: Sendable {
    var params: APIParameters
    var pathParameter: String = ""
    var queued: Double = 0
    var budget: Double?
    /// The request's `Accept` header, for endpoints that answer in more than one encoding.
    var accept: String?
    /// Loki's `X-Loki-Response-Encoding-Flags` (`categorize-labels`), for the Loki query endpoints.
    var lokiEncodingFlags: String?
}

/// One HTTP endpoint, declared once (`EndpointTable`): methods, path, role, whether the channel
/// pipeline may answer it (`QueryFastPath`), and its handler. Hummingbird's router, the fast path
/// and the auth check are all built from these declarations.
struct APIEndpoint: Sendable {
    enum Handler: Sendable {
        /// Answered from its parameters, synchronously, on a query thread (or, in the pipeline,
        /// on the event loop when `QueryCostMemory` knows it to be cheap).
        case api(@Sendable (APICall) throws(APIError) -> APIReply)
        /// Answered without parameters (probes, `/metrics`, targets, build info).
        case plain(@Sendable () -> APIReply)
        /// A push: the body read and inflated within the server's limits (`PushRequest`), then
        /// `handle`d; `refused` answers a body turned away before (too large, busy, bad gzip).
        case push(handle: @Sendable (PushRequest) async -> APIReply, refused: @Sendable (PushRequest.Refusal) -> APIReply)
    }

    var methods: [HTTPRequest.Method]
    /// The router's path pattern; one `{name}` segment at most, never for pipeline endpoints.
    var path: String
    var role: EndpointRole
    /// Whether `QueryFastPath` answers it in the channel pipeline, ahead of the router.
    var inPipeline: Bool = false
    /// The key under which `QueryCostMemory` remembers the cost of a call, for calls that may be
    /// evaluated on the event loop when known to be cheap.
    var costKey: (@Sendable (APIParameters) -> String?)?
    var handler: Handler

    /// Whether `path` (a request path) is this endpoint's, and the value of its `{…}` segment.
    func match(_ requestPath: String) -> (matches: Bool, parameter: String) {
        guard path.contains("{") else { return (requestPath == path, "") }
        let pattern = path.split(separator: "/", omittingEmptySubsequences: false)
        let actual = requestPath.split(separator: "/", omittingEmptySubsequences: false)
        guard pattern.count == actual.count else { return (false, "") }
        var parameter = ""
        for (p, a) in zip(pattern, actual) {
            if p.hasPrefix("{") {
                guard !a.isEmpty else { return (false, "") }
                parameter = String(a)
            } else if p != a {
                return (false, "")
            }
        }
        return (true, parameter)
    }
}
