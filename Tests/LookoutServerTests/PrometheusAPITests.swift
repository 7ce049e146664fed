import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import LookoutModel
import LookoutStorage
import Testing
@testable import LookoutServer

/// The Prometheus API over a real store in a temporary directory. Every test runs twice: through
/// Hummingbird's router without sockets, and through a live server, where `QueryFastPath`
/// answers the read paths, so both ways of answering are held to the same expectations.
@Suite struct PrometheusAPITests {
    static func withApp(tokens: [AuthToken] = [], attach: Bool = true,
                        _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await withApp(tokens: tokens, attach: attach, live: false, body)
        try await withApp(tokens: tokens, attach: attach, live: true, body)
    }

    static func withApp(tokens: [AuthToken] = [], attach: Bool = true, live: Bool, spans: InMemorySpanStore = InMemorySpanStore(),
                        maxBodyBytes: Int = 1024,
                        _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-api-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = LookoutConfig()
        config.server.tokens = tokens
        config.server.maxBodyBytes = maxBodyBytes
        let logger = Logger(label: "test")
        let runtime = LookoutRuntime(config: config, logger: logger)
        let store = try MetricStore(directory: directory, logger: logger)
        _ = try store.appendSync((0..<10).flatMap { i -> [(labels: Labels, sample: Sample)] in
            [(["__name__": "http_requests_total", "job": "api", "code": "200"], Sample(Int64(i) * 15_000, Double(i * 10))),
             (["__name__": "http_requests_total", "job": "api", "code": "500"], Sample(Int64(i) * 15_000, Double(i)))]
        })
        let logData = try DataDirectory(path: directory + "/logs-data", logger: logger)
        let logs = try LogStore(data: logData, logger: logger)
        try logData.open()
        if attach {
            runtime.attach(store: store)
            runtime.attach(spans: spans, metrics: { [] })
            runtime.attach(logs: logs)
        }
        if live {
            try await LookoutHTTPServer.application(runtime: runtime).test(.live, body)
        } else {
            try await Application(router: LookoutHTTPServer.router(runtime: runtime)).test(.router, body)
        }
        try store.close()
        try logs.close()
        try logData.close()
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as! [String: Any]
    }

    @Test func instantQueryShape() async throws {
        try await Self.withApp { client in
            try await client.execute(uri: "/api/v1/query?query=http_requests_total%7Bcode%3D%22500%22%7D&time=135", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) ==
                    #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"http_requests_total","code":"500","job":"api"},"value":[135,"9"]}]}}"#)
            }
        }
    }

    @Test func grafanaHealthCheckAndFormPost() async throws {
        try await Self.withApp { client in
            try await client.execute(uri: "/api/v1/query", method: .post,
                                     headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: "query=1%2B1&time=1.5")) { response in
                #expect(String(buffer: response.body) == #"{"status":"success","data":{"resultType":"scalar","result":[1.5,"2"]}}"#)
            }
        }
    }

    @Test func rangeQueryMatrix() async throws {
        try await Self.withApp { client in
            try await client.execute(uri: "/api/v1/query_range?query=http_requests_total%7Bcode%3D%22500%22%7D&start=0&end=30&step=15", method: .get) { response in
                let body = try Self.json(response.body)
                let data = body["data"] as! [String: Any]
                #expect(data["resultType"] as? String == "matrix")
                let values = ((data["result"] as! [[String: Any]])[0]["values"] as! [[Any]]).map { $0[1] as! String }
                #expect(values == ["0", "1", "2"])
            }
        }
    }

    @Test func statsParameterAddsPrometheusTimings() async throws {
        let names = ["evalTotalTime", "resultSortTime", "queryPreparationTime", "innerEvalTime", "execQueueTime", "execTotalTime"]
        try await Self.withApp { client in
            for uri in ["/api/v1/query?query=sum(http_requests_total)&time=135&stats=all",
                        "/api/v1/query_range?query=http_requests_total&start=0&end=135&step=15&stats=1"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let data = try Self.json(response.body)["data"] as! [String: Any]
                    #expect((data["result"] as! [Any]).count >= 1, "\(uri)")
                    let timings = (data["stats"] as? [String: Any])?["timings"] as? [String: Double] ?? [:]
                    #expect(Set(timings.keys) == Set(names), "\(uri)")
                    #expect(timings.values.allSatisfy { $0 >= 0 && $0 < 10 }, "\(uri)")
                    let phases = timings["queryPreparationTime", default: -1] + timings["innerEvalTime", default: -1]
                        + timings["resultSortTime", default: -1]
                    #expect(abs(timings["evalTotalTime", default: -1] - phases) < 1e-9, "\(uri)")
                    #expect(timings["execTotalTime", default: -1] >= timings["evalTotalTime", default: 0], "\(uri)")
                }
            }
            try await client.execute(uri: "/api/v1/query?query=1&stats=", method: .get) { response in
                #expect(String(buffer: response.body).contains("stats") == false)
            }
        }
    }

    /// Each case: path and query, expected status, expected errorType, a fragment of the message.
    static let errors: [(String, HTTPResponse.Status, String, String)] = [
        ("/api/v1/query?query=sum(", .badRequest, "bad_data", "parse error"),
        ("/api/v1/query?query=", .badRequest, "bad_data", "query must not be empty"),
        ("/api/v1/query?query=up&time=yesterday", .badRequest, "bad_data", "invalid parameter \"time\""),
        ("/api/v1/query_range?query=up&start=10&end=0&step=1", .badRequest, "bad_data", "end timestamp must not be before start time"),
        ("/api/v1/query_range?query=up&start=0&end=10&step=0", .badRequest, "bad_data", "zero or negative query resolution step"),
        ("/api/v1/query_range?query=up&start=0&end=11001&step=1", .badRequest, "bad_data", "exceeded maximum resolution of 11,000 points"),
        ("/api/v1/query_range?query=up&end=10&step=1", .badRequest, "bad_data", "invalid parameter \"start\""),
        ("/api/v1/series", .badRequest, "bad_data", "no match[] parameter provided"),
        ("/api/v1/series?match%5B%5D=sum(x)", .badRequest, "bad_data", "not a series selector"),
        ("/api/v1/label/1bad/values", .badRequest, "bad_data", "invalid label name"),
        ("/api/v1/query?query=" + String(repeating: "(", count: 20_000) + "1" + String(repeating: ")", count: 20_000),
         .badRequest, "bad_data", "nested too deeply"),
        ("/api/v1/query?query=up&time=1e300", .badRequest, "bad_data", "invalid parameter \"time\""),
        ("/api/v1/query_range?query=up&start=0&end=10&step=1e300", .badRequest, "bad_data", "invalid parameter \"step\""),
        ("/api/v1/query?query=up&timeout=292471208y36w", .badRequest, "bad_data", "invalid parameter \"timeout\""),
    ]

    @Test(arguments: 0..<errors.count) func errorsUsePrometheusEnvelope(_ index: Int) async throws {
        let (uri, status, type, fragment) = Self.errors[index]
        try await Self.withApp { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == status, "\(uri)")
                let body = try Self.json(response.body)
                #expect(body["status"] as? String == "error")
                #expect(body["errorType"] as? String == type, "\(uri)")
                #expect((body["error"] as? String ?? "").contains(fragment), "\(uri): \(body["error"] ?? "")")
            }
        }
    }

    @Test func seriesLabelsAndValues() async throws {
        try await Self.withApp { client in
            try await client.execute(uri: "/api/v1/series?match%5B%5D=http_requests_total%7Bcode%3D~%225..%22%7D", method: .get) { response in
                let data = try Self.json(response.body)["data"] as! [[String: String]]
                #expect(data == [["__name__": "http_requests_total", "code": "500", "job": "api"]])
            }
            try await client.execute(uri: "/api/v1/labels", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"status":"success","data":["__name__","code","job"]}"#)
            }
            try await client.execute(uri: "/api/v1/label/code/values?match%5B%5D=http_requests_total", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"status":"success","data":["200","500"]}"#)
            }
            try await client.execute(uri: "/api/v1/status/buildinfo", method: .get) { response in
                let data = try Self.json(response.body)["data"] as! [String: String]
                #expect(data["version"] == BuildInfo.version)
            }
        }
    }

    @Test func notReadyUntilTheStoreIsAttached() async throws {
        try await Self.withApp(attach: false) { client in
            try await client.execute(uri: "/-/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
            try await client.execute(uri: "/-/healthy", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/v1/query?query=up", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }

    @Test func oversizedBodyIs413() async throws {
        try await Self.withApp { client in
            try await client.execute(uri: "/api/v1/query", method: .post,
                                     headers: [.contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: "query=up&pad=" + String(repeating: "x", count: 4096))) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
    }

    @Test func selfMetricsCountRequests() async throws {
        try await Self.withApp { client in
            _ = try await client.execute(uri: "/api/v1/query?query=1", method: .get)
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("lookout_http_requests_total{code=\"200\",path=\"/api/v1/query\"} 1"))
                #expect(text.contains("lookout_head_series 2"))
                #expect(text.contains("# TYPE lookout_wal_fsyncs_total counter"))
            }
        }
    }

    @Test func bearerTokensByRole() async throws {
        let tokens = [AuthToken(token: "q", role: .query), AuthToken(token: "i", role: .ingest), AuthToken(token: "a", role: .admin)]
        try await Self.withApp(tokens: tokens) { client in
            let cases: [(String?, HTTPResponse.Status)] = [(nil, .unauthorized), ("nope", .unauthorized), ("qq", .unauthorized),
                                                           ("i", .forbidden), ("q", .ok), ("a", .ok)]
            for (token, status) in cases {
                var headers: HTTPFields = [:]
                if let token { headers[.authorization] = "Bearer \(token)" }
                try await client.execute(uri: "/api/v1/query?query=1", method: .get, headers: headers) { response in
                    #expect(response.status == status, "token \(token ?? "none")")
                }
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok, "probes and self-metrics stay open")
            }
        }
    }
}
