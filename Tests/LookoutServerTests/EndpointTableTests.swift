import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import LookoutModel
import Synchronization
import Testing
@testable import LookoutServer

/// Every endpoint the table declares answers through Hummingbird's router and through a live
/// server (where the pipeline answers the `inPipeline` ones) with the same status, body and auth
/// decision, for every kind of caller.
@Suite struct EndpointTableTests {
    static let tokens = [AuthToken(token: "q", role: .query), AuthToken(token: "i", role: .ingest),
                         AuthToken(token: "a", role: .admin)]
    /// No token, then each role's.
    static let callers: [String?] = [nil, "q", "i", "a"]

    static var declared: [APIEndpoint] {
        EndpointTable(runtime: LookoutRuntime(config: LookoutConfig(), logger: Logger(label: "test"))).endpoints
    }

    /// Parameters every read endpoint accepts: a query, its times, and a `match[]`.
    static func parameters(_ endpoint: APIEndpoint) -> String {
        if endpoint.path.hasPrefix("/api/v1/") {
            return "?query=http_requests_total&time=135&start=0&end=30&step=15&match%5B%5D=http_requests_total"
        }
        if endpoint.path.hasPrefix("/loki/") { return "?query=%7Bservice%3D%22api%22%7D&start=0" }
        if endpoint.path == "/jaeger/api/dependencies" { return "?endTs=1000&lookback=1000" }
        return endpoint.path.hasPrefix("/jaeger/") ? "?service=api&lookback=1h" : ""
    }

    /// The request path for an endpoint: its `{…}` segment filled in.
    static func uri(_ endpoint: APIEndpoint) -> String {
        let value = endpoint.path.contains("/traces/") ? "0123456789abcdef0123456789abcdef" : "job"
        return endpoint.path.replacingOccurrences(of: "{name}", with: value) + parameters(endpoint)
    }

    /// What an endpoint answers a caller it lets in, on the test's empty span store.
    /// The status an authorised plain request gets: 404 for an unknown trace, 400 for the tail,
    /// which answers only an upgraded WebSocket (`LokiTailHandler`).
    /// The notifier's API answers 503 until the notifier runs (it does not in these tests), and a
    /// reload 500 without a config file to read again.
    static func answered(_ endpoint: APIEndpoint) -> Int {
        if endpoint.path.hasPrefix("/api/v2/") && endpoint.path != "/api/v2/status" { return 503 }
        if endpoint.path == "/-/reload" { return 500 }
        return endpoint.path.contains("/traces/") ? 404 : endpoint.path.hasSuffix("/tail") ? 400 : 200
    }

    /// (path, method, caller) → (status, body) for every endpoint, through one way of answering.
    static func answers(live: Bool) async throws -> [String: (Int, String)] {
        let results = Mutex<[String: (Int, String)]>([:])
        try await PrometheusAPITests.withApp(tokens: tokens, live: live) { client in
            for endpoint in declared {
                let uri = Self.uri(endpoint)
                for method in endpoint.methods {
                    for caller in callers {
                        var headers = HTTPFields()
                        if let caller { headers[.authorization] = "Bearer \(caller)" }
                        try await client.execute(uri: uri, method: method, headers: headers) { response in
                            // /metrics counts the requests themselves, and a HEAD answer has no body
                            // on the wire: only their statuses are compared.
                            var body = endpoint.path == "/metrics" || method == .head ? "" : String(buffer: response.body)
                            // Loki's stats carry the query's own run time.
                            body = body.replacingOccurrences(of: #""execTime":[0-9.e-]+"#, with: #""execTime":_"#, options: .regularExpression)
                            results.withLock { $0["\(method) \(uri) \(caller ?? "-")"] = (response.status.code, body) }
                        }
                    }
                }
            }
        }
        return results.withLock { $0 }
    }

    @Test func everyEndpointAnswersAlikeThroughTheRouterAndThePipeline() async throws {
        let router = try await Self.answers(live: false)
        let live = try await Self.answers(live: true)
        #expect(router.count == live.count && !router.isEmpty)
        for (key, answer) in router.sorted(by: { $0.key < $1.key }) {
            #expect(live[key]?.0 == answer.0, "\(key): status")
            #expect(live[key]?.1 == answer.1, "\(key): body")
        }
        // The auth decisions themselves, from each endpoint's declared role.
        for endpoint in Self.declared {
            let uri = Self.uri(endpoint)
            let method = endpoint.methods[0]
            let status = { (caller: String) in router["\(method) \(uri) \(caller)"]?.0 }
            switch endpoint.role {
            case .open:
                #expect(status("-") == 200, "\(endpoint.path) is open")
            case .query:
                #expect(status("-") == 401 && status("i") == 403, "\(endpoint.path) needs a query token")
                let answered = Self.answered(endpoint)
                #expect(status("q") == answered && status("a") == answered,
                        "\(endpoint.path) answers query and admin: \(String(describing: router["\(method) \(uri) q"]))")
            case .ingest:
                #expect(status("-") == 401 && status("q") == 403, "\(endpoint.path) needs an ingest token")
            case .admin:
                #expect(status("-") == 401 && status("q") == 403 && status("i") == 403, "\(endpoint.path) needs an admin token")
                #expect(status("a") == Self.answered(endpoint), "\(endpoint.path) answers admin")
            }
        }
    }

    @Test func pathsMatchTheirPatterns() {
        let values = APIEndpoint(methods: [.get], path: "/api/v1/label/{name}/values", role: .query,
                                 handler: .plain { PrometheusAPIRoutes.success { _ in } })
        #expect(values.match("/api/v1/label/job/values") == (true, "job"))
        #expect(values.match("/api/v1/label//values").matches == false)
        #expect(values.match("/api/v1/label/job/values/x").matches == false)
        let table = EndpointTable([values])
        #expect(table.role(for: "/no/such/path") == .query)
        #expect(table.endpoint(for: "/api/v1/label/a/values")?.parameter == "a")
    }
}
