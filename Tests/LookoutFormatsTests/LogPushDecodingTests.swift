import CSnappy
import Foundation
import LookoutModel
import SwiftProtobuf
import Testing
@testable import LookoutFormats

/// OTLP logs as the OpenTelemetry Python SDK sends them, and Loki pushes in JSON and in snappy
/// protobuf: each decodes to the same records in every encoding, and a bad record or stream is
/// refused with a message that names it.
struct LogPushDecodingTests {
    static let now: Int64 = 1_796_000_000_000_000_000

    static func otlp(_ name: String, _ encoding: OTLPEncoding) throws -> OTLPLogsRequest {
        try OTLPLogsRequest.decode(try TestData.otlp(name + (encoding == .json ? ".json" : ".bin")), encoding: encoding,
                                   options: .init(), nowNs: now)
    }

    @Test(arguments: ["01_v1_logs", "02_v1_logs"]) func otlpCapturesDecodeAlikeInBothEncodings(_ name: String) throws {
        let proto = try Self.otlp(name, .protobuf), json = try Self.otlp(name, .json)
        #expect(!proto.records.isEmpty && proto.rejectedLogRecords == 0)
        #expect(proto.records == json.records)
    }

    @Test func otlpRecordsKeepServiceLevelFieldsAndIDs() throws {
        let error = try #require(try Self.otlp("02_v1_logs", .protobuf).records.first)
        #expect(error.labels == ["service": "checkout", "level": "error"])
        #expect(error.line == "payment failed: card declined")
        #expect(error.timestampNs == 1_795_479_863_454_775_808)
        #expect(error.traceID?.hex == "a994268610cec224a2905e4e7346d9fb" && error.spanID?.hex == "9df2e63af73fbaf4")
        let fields = Dictionary(error.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(fields["order_id"] == "A-1001" && fields["code_line_number"] == "26")
        #expect(fields["deployment_environment"] == "prod", "resource attributes are fields too")
        #expect(fields["service_name"] == nil, "service.name is the service label")
        let info = try #require(try Self.otlp("01_v1_logs", .json).records.first)
        #expect(info.level == .info && info.labels["level"] == "info")
    }

    @Test func otlpRejectsABadRecordAndKeepsTheRest() throws {
        var request = OTLPExportLogsRequest()
        var resource = OTLPResourceLogsShim.make(service: "api")
        var good = OTLPLogRecord()
        good.timeUnixNano = 5
        good.body.stringValue = "ok"
        var bad = good
        bad.traceID = Data([1, 2, 3])
        var scope = Opentelemetry_Proto_Logs_V1_ScopeLogs()
        scope.logRecords = [good, bad]
        resource.scopeLogs = [scope]
        request.resourceLogs = [resource]
        let decoded = OTLPLogsRequest.convert(request, options: .init(), nowNs: Self.now)
        #expect(decoded.records.map(\.line) == ["ok"])
        #expect(decoded.rejectedLogRecords == 1)
        #expect(decoded.errorMessage == "resourceLogs[0].scopeLogs[0].logRecords[1]: trace_id must be empty or 16 bytes (32 hex digits in JSON), got 3")
        let response = try Opentelemetry_Proto_Collector_Logs_V1_ExportLogsServiceResponse(jsonUTF8Bytes: decoded.response(.json))
        #expect(response.partialSuccess.rejectedLogRecords == 1)
    }

    static func snappy(_ raw: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: snappy_max_compressed_length(raw.count))
        var length = out.count
        _ = out.withUnsafeMutableBytes { o in
            raw.withUnsafeBytes { r in
                snappy_compress(r.baseAddress?.assumingMemoryBound(to: CChar.self), r.count, o.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
            }
        }
        return Array(out.prefix(length))
    }

    static func protobufPush() throws -> [UInt8] {
        var request = Logproto_PushRequest()
        var stream = Logproto_StreamAdapter()
        stream.labels = #"{service="cart", level="warn", note="a \"quoted\" value"}"#
        for (i, line) in ["first", "second"].enumerated() {
            var entry = Logproto_EntryAdapter()
            entry.timestamp = Google_Protobuf_Timestamp(seconds: 1_796_000_000 + Int64(i), nanos: 500)
            entry.line = line
            var m = Logproto_LabelPairAdapter()
            (m.name, m.value) = ("trace_id", "0af7651916cd43dd8448eb211c80319c")
            var user = Logproto_LabelPairAdapter()
            (user.name, user.value) = ("user", "ada")
            entry.structuredMetadata = [m, user]
            stream.entries.append(entry)
        }
        request.streams = [stream]
        return snappy(try request.serializedBytes())
    }

    @Test func lokiPushesDecodeAlikeInJSONAndSnappyProtobuf() throws {
        let json = Array(#"""
            {"streams":[{"stream":{"service":"cart","level":"warn","note":"a \"quoted\" value"},
              "values":[["1796000000000000500","first",{"trace_id":"0af7651916cd43dd8448eb211c80319c","user":"ada"}],
                        ["1796000001000000500","second",{"trace_id":"0af7651916cd43dd8448eb211c80319c","user":"ada"}]]}]}
            """#.utf8)
        let fromJSON = try LokiPushRequest.decode(json, contentType: "application/json", maxBytes: 1 << 20, maxLineBytes: 1024)
        let fromProto = try LokiPushRequest.decode(try Self.protobufPush(), contentType: "application/x-protobuf", maxBytes: 1 << 20, maxLineBytes: 1024)
        #expect(fromJSON.errors.isEmpty && fromProto.errors.isEmpty)
        #expect(fromJSON.records == fromProto.records)
        let first = try #require(fromProto.records.first)
        #expect(first.labels == ["service": "cart", "level": "warn", "note": #"a "quoted" value"#])
        #expect(first.timestampNs == 1_796_000_000_000_000_500 && first.level == .warn)
        #expect(first.traceID?.hex == "0af7651916cd43dd8448eb211c80319c" && first.fields == [LogField("user", "ada")])
        // Any content type but JSON is read as protobuf, as Loki does.
        #expect(try LokiPushRequest.decode(try Self.protobufPush(), contentType: nil, maxBytes: 1 << 20, maxLineBytes: 1024).records.count == 2)
    }

    @Test func lokiPushRefusesWhatLokiRefuses() throws {
        let push = try Self.protobufPush()
        #expect(throws: LokiPushRequest.Failure.self) {
            _ = try LokiPushRequest.decode(Array(push.prefix(push.count / 2)) + [0xFF, 0xFF], contentType: nil, maxBytes: 1 << 20, maxLineBytes: 1024)
        }
        do {
            _ = try LokiPushRequest.decode(push, contentType: nil, maxBytes: 16, maxLineBytes: 1024)
            Issue.record("a body inflating past the cap must be refused")
        } catch { #expect(error.message.contains("more than server.max_body_bytes (16)")) }
        do {
            _ = try LokiPushRequest.decode(Array(#"{"streams":[{"stream":{},"values":[]}]}"#.utf8), contentType: "application/json", maxBytes: 1 << 20, maxLineBytes: 8)
            Issue.record("a stream without labels must be refused")
        } catch { #expect(error.message.contains("at least one label pair is required per stream")) }
        #expect(throws: LokiPushRequest.Failure.self) { _ = try LokiPushRequest.labels(#"{service="a"#, stream: 0, tenant: nil) }
        #expect(throws: LokiPushRequest.Failure.self) { _ = try LokiPushRequest.labels(#"{0bad="a"}"#, stream: 0, tenant: nil) }
        let mixed = try LokiPushRequest.decode(Array(#"{"streams":[{"stream":{"a":"b"},"values":[["1","ok"],["x","bad time"],["2","much too long a line"]]}]}"#.utf8),
                                               contentType: "application/json", maxBytes: 1 << 20, maxLineBytes: 8)
        #expect(mixed.records.map(\.line) == ["ok"])
        #expect(mixed.errors.count == 2 && mixed.errors[1].contains("line too long (20 bytes, limit 8)"))
        #expect(try LokiPushRequest.labels(#"{a="b", tenant="x"}"#, stream: 0, tenant: "team-a") == ["a": "b", "tenant": "team-a"],
                "the token's tenant wins over a pushed tenant label")
    }
}

/// A resource with a `service.name`, for building requests in tests.
enum OTLPResourceLogsShim {
    static func make(service: String) -> Opentelemetry_Proto_Logs_V1_ResourceLogs {
        var r = Opentelemetry_Proto_Logs_V1_ResourceLogs()
        var kv = OTLPKeyValue()
        kv.key = "service.name"
        kv.value.stringValue = service
        r.resource.attributes = [kv]
        return r
    }
}
