import Foundation
import LookoutModel
import Testing
@testable import LookoutFormats

/// OTLP trace requests as the OpenTelemetry Python SDK sends them (`Tests/Fixtures/otlp/`), in
/// protobuf and JSON, and the ways a request can be wrong.
@Suite struct OTLPTraceDecodingTests {
    static func decode(_ name: String, _ encoding: OTLPEncoding) throws -> OTLPTraceRequest {
        try OTLPTraceRequest.decode(try TestData.otlp(name + (encoding == .json ? ".json" : ".bin")), encoding: encoding)
    }

    @Test func protobufAndJSONOfEveryCaptureDecodeToTheSameSpans() throws {
        let captures = TestData.otlpTraceCaptures
        #expect(captures.count == 3)
        for capture in captures {
            let protobuf = try Self.decode(capture, .protobuf)
            let json = try Self.decode(capture, .json)
            #expect(protobuf.rejectedSpans == 0 && json.rejectedSpans == 0)
            #expect(!protobuf.spans.isEmpty)
            #expect(protobuf.spans == json.spans, "\(capture)")
        }
    }

    @Test func theCapturedTraceHasItsStructureAttributesEventsAndStatus() throws {
        let spans = try TestData.otlpTraceCaptures.flatMap { try Self.decode($0, .protobuf).spans }
        let root = try #require(spans.first { $0.name == "POST /checkout" })
        #expect(root.isRoot && root.kind == .server && root.status.code == .error)
        #expect(root.serviceName == "checkout")
        #expect(root.attributes["http.route"] == .string("/checkout"))
        #expect(root.attributes["http.response.status_code"] == .int(500))
        let charge = try #require(spans.first { $0.name == "charge card" })
        #expect(charge.parentSpanID == root.spanID && charge.traceID == root.traceID && charge.kind == .client)
        #expect(charge.status == SpanStatus(code: .error, message: "card declined"))
        #expect(charge.events.first?.name == "exception")
        let db = try #require(spans.first { $0.name == "SELECT orders" })
        #expect(db.parentSpanID == root.spanID && db.attributes["db.system"] == .string("postgresql"))
        #expect(root.scope.name.isEmpty == false)
        #expect(root.endUnixNano > root.startUnixNano)
    }

    static func request(_ spans: [String]) -> [UInt8] {
        Array("""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"a"}}]},
             "scopeSpans":[{"spans":[\(spans.joined(separator: ","))]}]}]}
            """.utf8)
    }

    static func span(name: String, trace: String = "5b8efff798038103d269b633813fc60c", id: String = "eee19b7ec3c1b174",
                     start: String = "1000", end: String = "3000") -> String {
        "{\"traceId\":\"\(trace)\",\"spanId\":\"\(id)\",\"name\":\"\(name)\",\"startTimeUnixNano\":\"\(start)\",\"endTimeUnixNano\":\"\(end)\"}"
    }

    @Test func invalidSpansAreRejectedThroughPartialSuccessAndTheRestKept() throws {
        let decoded = try OTLPTraceRequest.decode(Self.request([
            Self.span(name: "short id", trace: "0102030405"),
            Self.span(name: "good"),
            Self.span(name: "backwards", start: "3000", end: "1000"),
            Self.span(name: "not hex", id: "zzzzzzzzzzzzzzzz"),
        ]), encoding: .json)
        #expect(decoded.spans.map(\.name) == ["good"])
        #expect(decoded.rejectedSpans == 3)
        #expect(decoded.errorMessage == "resourceSpans[0].scopeSpans[0].spans[0] (name \"short id\"): trace_id must be 16 bytes (32 hex digits in JSON), got 5")
        let response = String(decoding: decoded.response(.json), as: UTF8.self)
        #expect(response.contains("\"rejectedSpans\":\"3\"") && response.contains("trace_id must be 16 bytes"))
        let backwards = try OTLPTraceRequest.decode(Self.request([Self.span(name: "b", start: "3000", end: "1000")]), encoding: .json)
        #expect(backwards.errorMessage.hasSuffix("end_time_unix_nano 1000 is before start_time_unix_nano 3000"))
        let full = try OTLPTraceRequest.decode(Self.request([Self.span(name: "good")]), encoding: .json)
        #expect(full.rejectedSpans == 0 && String(decoding: full.response(.json), as: UTF8.self) == "{}")
    }

    @Test func aTruncatedOrForeignBodyIsAnError() throws {
        let body = try TestData.otlp("04_v1_traces.bin")
        #expect(throws: OTLPDecodeError.self) { try OTLPTraceRequest.decode(Array(body.dropLast(7)), encoding: .protobuf) }
        #expect(throws: OTLPDecodeError.self) { try OTLPTraceRequest.decode(Array("{\"resourceSpans\": [".utf8), encoding: .json) }
        #expect(throws: OTLPDecodeError.self) { try OTLPTraceRequest.decode(Array("# HELP up\n".utf8), encoding: .json) }
    }

    @Test func unknownJSONFieldsAreIgnoredAndIntsMayBeNumbers() throws {
        let json = """
            {"resourceSpans":[{"futureField":1,"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"a"}}]},
             "scopeSpans":[{"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
             "name":"x","kind":2,"startTimeUnixNano":1000,"endTimeUnixNano":"3000","alsoNew":{"a":[1]}}]}]}]}
            """
        let decoded = try OTLPTraceRequest.decode(Array(json.utf8), encoding: .json)
        #expect(decoded.rejectedSpans == 0)
        let span = try #require(decoded.spans.first)
        #expect(span.traceID.hex == "5b8efff798038103d269b633813fc60c" && span.spanID.hex == "eee19b7ec3c1b174")
        #expect(span.kind == .server && span.durationNano == 2000 && span.serviceName == "a")
    }

    @Test func spansWrittenBackAsOTLPJSONDecodeAlike() throws {
        let spans = try TestData.otlpTraceCaptures.flatMap { try Self.decode($0, .protobuf).spans }
        let json = OTLPTraceEncoder.tracesJSON(spans)
        let again = try OTLPTraceRequest.decode(json, encoding: .json)
        #expect(Set(again.spans) == Set(spans))
        #expect(String(decoding: json, as: UTF8.self).contains("\"traceId\":\"\(spans[0].traceID.hex)\""))
    }

    @Test func contentTypesAreOTLPs() {
        #expect(OTLPEncoding(contentType: "application/x-protobuf") == .protobuf)
        #expect(OTLPEncoding(contentType: "application/json; charset=utf-8") == .json)
        #expect(OTLPEncoding(contentType: "text/plain") == nil)
        #expect(OTLPEncoding(contentType: nil) == nil)
    }

    @Test func gzipBodiesInflateWithinTheirCap() throws {
        let body = try TestData.otlp("04_v1_traces.bin")
        let compressed = try Self.gzip(body)
        #expect(try GzipBody.inflate(compressed, limit: body.count) == body)
        #expect(throws: GzipBody.Failure.tooLarge(limit: body.count - 1)) { try GzipBody.inflate(compressed, limit: body.count - 1) }
        // A bomb: 64 MiB of zeros in about 64 KiB; refused at the cap, having inflated at most it.
        let bomb = try Self.gzip([UInt8](repeating: 0, count: 64 << 20))
        #expect(bomb.count < 100_000)
        #expect(throws: GzipBody.Failure.tooLarge(limit: 1 << 20)) { try GzipBody.inflate(bomb, limit: 1 << 20) }
        #expect(throws: GzipBody.Failure.self) { try GzipBody.inflate(Array(compressed.dropLast(9)), limit: 1 << 20) }
    }

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
