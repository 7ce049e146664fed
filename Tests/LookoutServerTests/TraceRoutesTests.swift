import Foundation
import Hummingbird
import HummingbirdTesting
@testable import LookoutFormats
import SwiftProtobuf
import LookoutModel
import Testing
@testable import LookoutServer

/// `POST /v1/traces` and the Jaeger and Tempo read APIs through the router, with the Python
/// SDK's captured requests (`Tests/Fixtures/otlp/`).
@Suite struct TraceRoutesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/otlp")

    static func capture(_ name: String) throws -> ByteBuffer {
        ByteBuffer(bytes: Array(try Data(contentsOf: fixtures.appendingPathComponent(name))))
    }


    static func withTraces(maxBodyBytes: Int = 1 << 20, _ body: @Sendable (any TestClientProtocol, InMemorySpanStore) async throws -> Void) async throws {
        let spans = InMemorySpanStore()
        try await PrometheusAPITests.withApp(live: false, spans: spans, maxBodyBytes: maxBodyBytes) { client in
            for n in ["00", "03", "04"] {
                try await client.execute(uri: "/v1/traces", method: .post, headers: [.contentType: "application/x-protobuf"],
                                         body: try capture("\(n)_v1_traces.bin")) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/x-protobuf")
                    #expect(response.body.readableBytes == 0, "an empty ExportTraceServiceResponse: nothing rejected")
                }
            }
            try await body(client, spans)
        }
    }

    @Test func capturedSpansAreStoredAndFoundThroughJaegerAndTempo() async throws {
        try await Self.withTraces { client, spans in
            let id = try #require(try spans.candidateTraces(SpanIndexFilter()).first?.trace)
            #expect(try spans.spans(of: id).count == 3)
            try await client.execute(uri: "/jaeger/api/traces/\(id.hex)", method: .get) { response in
                #expect(response.status == .ok)
                let json = try PrometheusAPITests.json(response.body)
                let trace = try #require((json["data"] as? [[String: Any]])?.first)
                let jaegerSpans = try #require(trace["spans"] as? [[String: Any]])
                #expect(jaegerSpans.count == 3)
                let charge = try #require(jaegerSpans.first { $0["operationName"] as? String == "charge card" })
                let refs = try #require(charge["references"] as? [[String: Any]])
                #expect(refs.first?["refType"] as? String == "CHILD_OF")
                let tags = try #require(charge["tags"] as? [[String: Any]])
                #expect(tags.contains { $0["key"] as? String == "error" && $0["value"] as? Bool == true })
                #expect((charge["logs"] as? [[String: Any]])?.count == 1)
                #expect(((trace["processes"] as? [String: Any])?["p1"] as? [String: Any])?["serviceName"] as? String == "checkout")
            }
            try await client.execute(uri: "/jaeger/api/traces/00000000000000000000000000000001", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("\"errors\":[{\"code\":404,\"msg\":\"trace not found\"}]"))
            }
            try await client.execute(uri: "/jaeger/api/services", method: .get) { response in
                #expect(String(buffer: response.body).hasPrefix("{\"data\":[\"checkout\"],\"total\":1"))
            }
            try await client.execute(uri: "/jaeger/api/traces?service=checkout&tags=%7B%22error%22%3A%22true%22%7D&minDuration=1us&start=0", method: .get) { response in
                let json = try PrometheusAPITests.json(response.body)
                #expect(json["total"] as? Int == 1)
            }
            // Tempo: protobuf as Grafana's backend asks, JSON otherwise.
            try await client.execute(uri: "/tempo/api/v2/traces/\(id.hex)", method: .get, headers: [.accept: "application/protobuf"]) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "application/protobuf")
                let decoded = try Tempopb_TraceByIDResponse(serializedBytes: Array(response.body.readableBytesView))
                #expect(decoded.trace.resourceSpans.flatMap { $0.scopeSpans.flatMap(\.spans) }.count == 3)
            }
            try await client.execute(uri: "/tempo/api/v2/traces/\(id.hex)", method: .get) { response in
                #expect(String(buffer: response.body).hasPrefix("{\"trace\":{\"resourceSpans\":["))
                #expect(String(buffer: response.body).contains("\"traceId\":\"\(id.hex)\""))
            }
            let q = "%7Bresource.service.name%3D%22checkout%22%20%26%26%20status%3Derror%7D" // {resource.service.name="checkout" && status=error}
            try await client.execute(uri: "/tempo/api/search?q=\(q)&spss=1", method: .get) { response in
                #expect(response.status == .ok)
                let json = try PrometheusAPITests.json(response.body)
                let hit = try #require((json["traces"] as? [[String: Any]])?.first)
                #expect(hit["traceID"] as? String == id.hex && hit["rootServiceName"] as? String == "checkout")
                #expect(hit["rootTraceName"] as? String == "POST /checkout" && hit["startTimeUnixNano"] is String)
                let set = try #require((hit["spanSets"] as? [[String: Any]])?.first)
                #expect(set["matched"] as? Int == 2 && (set["spans"] as? [Any])?.count == 1)
            }
            try await client.execute(uri: "/tempo/api/search?q=%7B%20name%20%3E%3E%20%7D", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).hasPrefix("invalid TraceQL query: parse error at column"))
            }
            try await client.execute(uri: "/tempo/api/v2/search/tag/resource.service.name/values", method: .get) { response in
                #expect(String(buffer: response.body) == "{\"tagValues\":[{\"type\":\"string\",\"value\":\"checkout\"}]}")
            }
            try await client.execute(uri: "/tempo/api/echo", method: .get) { response in #expect(String(buffer: response.body) == "echo") }
            // Times past what nanoseconds hold are clamped, not a crash.
            try await client.execute(uri: "/jaeger/api/traces?service=checkout&end=100000000000000000&start=99999999999999999", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/tempo/api/search?start=99999999999&end=999999999999", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/jaeger/api/dependencies?endTs=99999999999999999999", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func badRequestsAreRefusedAndStoreNothing() async throws {
        try await Self.withTraces(maxBodyBytes: 4096) { client, spans in
            let before = try spans.candidateTraces(SpanIndexFilter()).count
            let body = try Self.capture("04_v1_traces.bin")
            try await client.execute(uri: "/v1/traces", method: .post, headers: [.contentType: "text/plain"], body: body) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/v1/traces", method: .post, headers: [.contentType: "application/x-protobuf"],
                                     body: ByteBuffer(bytes: Array(body.readableBytesView.dropLast(5)))) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/v1/traces", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: "{\"resourceSpans\":[{")) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).hasPrefix("{\"code\":3,\"message\":\"the body is not an OTLP ExportTraceServiceRequest in JSON"))
            }
            try await client.execute(uri: "/v1/traces", method: .post, headers: [.contentType: "application/x-protobuf"],
                                     body: ByteBuffer(bytes: [UInt8](repeating: 0x0a, count: 5000))) { response in
                #expect(response.status == .contentTooLarge)
            }
            let bomb = try OTLPTraceDecodingTestsSupport.gzip([UInt8](repeating: 0, count: 1 << 20))
            try await client.execute(uri: "/v1/traces", method: .post,
                                     headers: [.contentType: "application/x-protobuf", .contentEncoding: "gzip"],
                                     body: ByteBuffer(bytes: bomb)) { response in
                #expect(response.status == .contentTooLarge, "inflating stops at max_body_bytes")
            }
            let gzipped = try OTLPTraceDecodingTestsSupport.gzip(Array(body.readableBytesView))
            try await client.execute(uri: "/v1/traces", method: .post,
                                     headers: [.contentType: "application/x-protobuf", .contentEncoding: "gzip"],
                                     body: ByteBuffer(bytes: gzipped)) { response in
                #expect(response.status == .ok)
            }
            #expect(try spans.candidateTraces(SpanIndexFilter()).count == before)
        }
    }
}

enum OTLPTraceDecodingTestsSupport {
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-c"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        let writer = Thread { input.fileHandleForWriting.write(Data(bytes)); try? input.fileHandleForWriting.close() }
        writer.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Array(out)
    }
}
