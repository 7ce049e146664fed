import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import LookoutModel
import LookoutStorage
import Testing
@testable import LookoutServer

/// What `QueryFastPath` adds to answering in the pipeline: responses in request order on one
/// connection whichever side answers them, the usual headers, and inline answers for queries
/// known to be cheap.
@Suite struct QueryFastPathTests {
    /// A live server over an empty store; `body` gets its port.
    static func withServer(costs: QueryCostMemory = QueryCostMemory(), config: LookoutConfig = LookoutConfig(),
                           _ body: @Sendable (Int) async throws -> Void) async throws {
        try await withServer(costs: costs, config: config) { port, _ in try await body(port) }
    }

    /// `withServer`, with the runtime too.
    static func withServer(costs: QueryCostMemory = QueryCostMemory(), config: LookoutConfig = LookoutConfig(),
                           _ body: @Sendable (Int, LookoutRuntime) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-fast-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "test")
        let runtime = LookoutRuntime(config: config, logger: logger)
        let store = try MetricStore(directory: directory, logger: logger)
        runtime.attach(store: store)
        try await LookoutHTTPServer.application(runtime: runtime, costs: costs).test(.live) { client in
            try await body(client.port!, runtime)
        }
        try store.close()
    }

    /// Writes `request` on a new connection and reads until `count` responses have arrived, on a
    /// thread of its own: blocking reads on Swift's few cooperative threads would starve the
    /// server's own request handling (2 threads on a 2-core machine).
    static func exchange(port: Int, _ request: String, responses count: Int) async throws -> [(head: String, body: String)] {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try blockingExchange(port: port, request, responses: count) })
            }.start()
        }
    }

    static func blockingExchange(port: Int, _ request: String, responses count: Int) throws -> [(head: String, body: String)] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        #expect(write(fd, bytes, bytes.count) == bytes.count)

        var received: [UInt8] = []
        var responses: [(head: String, body: String)] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while responses.count < count {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { break }
            received += buffer[..<n]
            while let split = Self.headEnd(received) {
                let head = String(decoding: received[..<split], as: UTF8.self)
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                guard received.count >= split + 4 + length else { break }
                responses.append((head, String(decoding: received[(split + 4)..<(split + 4 + length)], as: UTF8.self)))
                received.removeFirst(split + 4 + length)
            }
        }
        return responses
    }

    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
    }

    static func get(_ target: String) -> String { "GET \(target) HTTP/1.1\r\nHost: lookout\r\n\r\n" }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await Self.withServer { port in
            let form = "query=2%2B2&time=1"
            let requests = Self.get("/api/v1/query?query=1%2B1&time=1")
                + Self.get("/api/v1/status/buildinfo")
                + Self.get("/-/ready")
                + "POST /api/v1/query HTTP/1.1\r\nHost: lookout\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n\(form)"
                + Self.get("/api/v1/labels")
                + Self.get("/api/v1/query?query=3%2B3&time=1")
            let responses = try await Self.exchange(port: port, requests, responses: 6)
            try #require(responses.count == 6)
            #expect(responses[0].body == #"{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}"#)
            #expect(responses[1].body.contains(#""version":"#))
            #expect(responses[2].body == "Lookout is Ready.\n")
            #expect(responses[3].body == #"{"status":"success","data":{"resultType":"scalar","result":[1,"4"]}}"#)
            #expect(responses[4].body == #"{"status":"success","data":[]}"#)
            #expect(responses[5].body == #"{"status":"success","data":{"resultType":"scalar","result":[1,"6"]}}"#)
            for response in responses {
                #expect(response.head.hasPrefix("HTTP/1.1 200 OK"))
                #expect(response.head.contains("Server: Lookout"))
                #expect(response.head.contains("Date: "))
            }

            // A query behind a request Hummingbird answers waits for that answer.
            let second = try await Self.exchange(port: port, Self.get("/-/healthy") + Self.get("/api/v1/query?query=4%2B4&time=1"), responses: 2)
            try #require(second.count == 2)
            #expect(second[0].body == "Lookout is Healthy.\n")
            #expect(second[1].body == #"{"status":"success","data":{"resultType":"scalar","result":[1,"8"]}}"#)
        }
    }

    @Test func aClientAskingToCloseIsAnsweredThenClosed() async throws {
        try await Self.withServer { port in
            // The second request must not be answered: the connection ends after the first.
            let close = "GET /api/v1/query?query=1&time=1 HTTP/1.1\r\nHost: lookout\r\nConnection: close\r\n\r\n"
            let responses = try await Self.exchange(port: port, close + Self.get("/api/v1/query?query=2&time=1"), responses: 2)
            try #require(responses.count == 1)
            #expect(responses[0].head.contains("Connection: close"))
            #expect(responses[0].body == #"{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}"#, "\(responses[0].head)")

            // HTTP/1.0 without keep-alive closes too.
            let old = try await Self.exchange(port: port, "GET /api/v1/query?query=3&time=1 HTTP/1.0\r\n\r\n", responses: 2)
            try #require(old.count == 1)
            #expect(old[0].body == #"{"status":"success","data":{"resultType":"scalar","result":[1,"3"]}}"#)
        }
    }

    @Test func aQueryKnownToBeCheapIsAnsweredWithoutQueueing() async throws {
        // Any first run counts as cheap here, however slow a loaded test machine makes it.
        try await Self.withServer(costs: QueryCostMemory(inlineLimit: .seconds(60))) { port in
            let ask = Self.get("/api/v1/query?query=time()&time=5&stats=all")
            let responses = try await Self.exchange(port: port, ask + ask, responses: 2)
            try #require(responses.count == 2)
            #expect(!responses[0].body.contains(#""execQueueTime":0,"#), "a new query goes to the query threads")
            #expect(responses[1].body.contains(#""execQueueTime":0,"#), "the same query again is answered on the event loop")
            #expect(responses[1].body.hasPrefix(#"{"status":"success","data":{"resultType":"scalar","result":[5,"5"]"#))
            let metrics = try await Self.exchange(port: port, Self.get("/metrics"), responses: 1)
            #expect(metrics.first?.body.contains(#"lookout_queries_inline_total{result="answered"} 1"#) == true)
        }
    }

    @Test func anInlineQueryOverItsBudgetIsAnsweredFromAQueryThread() async throws {
        // 14,400 inner steps: well over the 10 ms inline budget, however fast the machine.
        try await Self.withServer(costs: QueryCostMemory(inlineLimit: .seconds(600))) { port in
            let ask = Self.get("/api/v1/query?query=count_over_time(vector(time())%5B4h%3A1s%5D)&time=20000")
            let responses = try await Self.exchange(port: port, ask + ask, responses: 2)
            try #require(responses.count == 2)
            let expected = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[20000,"14401"]}]}}"#
            #expect(responses[0].body == expected)
            #expect(responses[1].body == expected)
            let metrics = try await Self.exchange(port: port, Self.get("/metrics"), responses: 1)
            #expect(metrics.first?.body.contains(#"lookout_queries_inline_total{result="over_budget"} 1"#) == true)
        }
    }

    @Test func costKeysIgnoreWhenARangeIsAskedButNotItsShape() {
        let at = { (start: String, end: String, step: String) in
            QueryCostMemory.rangeKey(APIParameters([("query", "up"), ("start", start), ("end", end), ("step", step)]))
        }
        #expect(at("100", "200", "15") == at("1100", "1200", "15"))
        #expect(at("100", "200", "15") != at("100", "300", "15"))
        #expect(at("100", "200", "15") != at("100", "200", "30"))
        #expect(QueryCostMemory.rangeKey(APIParameters([("query", "up")])) == nil, "a range without its times")

        let costs = QueryCostMemory()
        #expect(!costs.isCheap("k"))
        costs.record("k", .microseconds(50))
        #expect(costs.isCheap("k"))
        costs.record("k", costs.inlineLimit)
        #expect(!costs.isCheap("k"))
    }

    /// Auth is decided on the request head: a refused upload is answered before its body is sent
    /// and nothing of it is buffered; the connection stays usable once the body has passed.
    @Test func aRefusedRequestIsAnsweredOnItsHead() async throws {
        var config = LookoutConfig()
        config.server.tokens = [AuthToken(token: "q", role: .query)]
        try await Self.withServer(config: config) { port, runtime in
            let head = "POST /api/v1/query HTTP/1.1\r\nHost: lookout\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 15000000\r\n\r\nquery=1"
            let responses = try await Self.exchange(port: port, head, responses: 1)
            try #require(responses.count == 1, "answered with 15 MB still to come")
            #expect(responses[0].head.hasPrefix("HTTP/1.1 401"))
            #expect(runtime.inflight.current == 0)
            let body = "query=1"
            let twice = "POST /api/v1/query HTTP/1.1\r\nHost: lookout\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)" + "GET /api/v1/query?query=2 HTTP/1.1\r\nHost: lookout\r\nAuthorization: Bearer q\r\n\r\n"
            let answers = try await Self.exchange(port: port, twice, responses: 2)
            #expect(answers.map { $0.head.prefix(12) } == ["HTTP/1.1 401", "HTTP/1.1 200"])
        }
    }

    /// Bodies held across connections are bounded by `server.max_inflight_bytes`: beyond it, 503
    /// with `Retry-After`, and the reservation is given back.
    @Test func bodiesBeyondTheInflightBudgetAreRefused() async throws {
        var config = LookoutConfig()
        config.server.maxInflightBytes = 64
        try await Self.withServer(config: config) { port, runtime in
            let form = "query=1&pad=" + String(repeating: "x", count: 100)
            let post = "POST /api/v1/query HTTP/1.1\r\nHost: lookout\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: \(form.utf8.count)\r\n\r\n\(form)"
            let refused = try await Self.exchange(port: port, post, responses: 1)
            try #require(refused.count == 1)
            #expect(refused[0].head.hasPrefix("HTTP/1.1 503"))
            #expect(refused[0].head.contains("Retry-After: 1"))
            #expect(runtime.inflight.current == 0)
            let small = "query=1"
            let fits = try await Self.exchange(port: port, "POST /api/v1/query HTTP/1.1\r\nHost: lookout\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(small.utf8.count)\r\n\r\n\(small)", responses: 1)
            #expect(fits.first?.head.hasPrefix("HTTP/1.1 200") == true)
            #expect(runtime.inflight.current == 0)
        }
    }
}
