import CSnappy
import Foundation
import LookoutModel
import SwiftProtobuf

/// A `POST /loki/api/v1/push` body, as Promtail, Grafana Alloy, Fluent Bit and the Loki clients
/// send it: JSON (`{"streams":[{"stream":{…},"values":[["<ns>","<line>",{metadata}]]}]}`) when the
/// content type is `application/json`, else a snappy block-compressed `logproto.PushRequest`
/// (`proto/loki/push.proto`). Each stream's labels are its labels; structured metadata become
/// fields (`trace_id`/`span_id` the line's ids); the level is the `level` (or `severity`,
/// `detected_level`) label or metadata. A stream whose labels do not parse refuses the whole body,
/// as Loki does; a bad entry is refused alone, named by stream and position.
public struct LokiPushRequest: Sendable {
    public var records: [LogRecord] = []
    /// Why each refused entry was refused, in Loki's words where Loki has them.
    public var errors: [String] = []

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    static let levelNames = ["level", "severity", "detected_level", "lvl"]

    /// Decodes `body` (already inflated from gzip/deflate) within `maxBytes` of decompressed size.
    public static func decode(_ body: [UInt8], contentType: String?, maxBytes: Int, maxLineBytes: Int,
                              tenant: String? = nil) throws(Failure) -> LokiPushRequest {
        let type = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        var result = LokiPushRequest()
        if type == "application/json" {
            try result.decodeJSON(body, maxLineBytes: maxLineBytes, tenant: tenant)
        } else {
            let raw = try Self.unsnappy(body, maxBytes: maxBytes)
            let request: Logproto_PushRequest
            do { request = try Logproto_PushRequest(serializedBytes: raw) } catch {
                throw Failure(message: "the body is not a snappy-compressed logproto.PushRequest: \(error)")
            }
            for (s, stream) in request.streams.enumerated() {
                let labels = try Self.labels(stream.labels, stream: s, tenant: tenant)
                for (e, entry) in stream.entries.enumerated() {
                    let ns = entry.timestamp.seconds.multipliedReportingOverflow(by: 1_000_000_000)
                    guard !ns.overflow else {
                        result.errors.append("stream \(labels) entry \(e): timestamp \(entry.timestamp.seconds) s is out of range")
                        continue
                    }
                    result.add(labels, ns.partialValue &+ Int64(entry.timestamp.nanos), entry.line,
                               entry.structuredMetadata.map { LogField($0.name, $0.value) }, maxLineBytes: maxLineBytes, position: e)
                }
            }
        }
        return result
    }

    /// Snappy's block format (not the framed one), its declared length checked before inflating.
    static func unsnappy(_ body: [UInt8], maxBytes: Int) throws(Failure) -> [UInt8] {
        var length = 0
        let ok = body.withUnsafeBytes { b in
            snappy_uncompressed_length(b.baseAddress?.assumingMemoryBound(to: CChar.self), b.count, &length) == SNAPPY_OK
        }
        guard ok else { throw Failure(message: "the body is not snappy block-compressed (Loki's protobuf push is)") }
        guard length <= maxBytes else {
            throw Failure(message: "the body inflates to \(length) bytes, more than server.max_body_bytes (\(maxBytes))")
        }
        var out = [UInt8](repeating: 0, count: length)
        var written = length
        let status = out.withUnsafeMutableBytes { o in
            body.withUnsafeBytes { b in
                snappy_uncompress(b.baseAddress?.assumingMemoryBound(to: CChar.self), b.count,
                                  o.baseAddress?.assumingMemoryBound(to: CChar.self), &written)
            }
        }
        guard status == SNAPPY_OK, written == length else { throw Failure(message: "the snappy body is corrupt") }
        return out
    }

    /// A stream's labels from selector text `{a="b", c="d"}`.
    static func labels(_ text: String, stream: Int, tenant: String?) throws(Failure) -> Labels {
        let b = Array(text.utf8)
        var i = 0
        func space() { while i < b.count, b[i] == 0x20 || b[i] == 0x09 { i += 1 } }
        func fail(_ why: String) -> Failure { Failure(message: "error parsing labels \(text) of stream \(stream): \(why)") }
        space()
        guard i < b.count, b[i] == UInt8(ascii: "{") else { throw fail("expected {") }
        i += 1
        var pairs: [Label] = []
        while true {
            space()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; break }
            let start = i
            while i < b.count, b[i] == UInt8(ascii: "_") || b[i] >= 0x30 && b[i] <= 0x39 || (b[i] | 0x20) >= 0x61 && (b[i] | 0x20) <= 0x7A { i += 1 }
            guard i > start, !(b[start] >= 0x30 && b[start] <= 0x39) else { throw fail("expected a label name at byte \(start + 1)") }
            let name = String(decoding: b[start..<i], as: UTF8.self)
            space()
            guard i < b.count, b[i] == UInt8(ascii: "=") else { throw fail("expected = after \(name)") }
            i += 1
            space()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a quoted value for \(name)") }
            i += 1
            var value: [UInt8] = []
            while i < b.count, b[i] != UInt8(ascii: "\"") {
                if b[i] == UInt8(ascii: "\\"), i + 1 < b.count {
                    i += 1
                    value.append(b[i] == UInt8(ascii: "n") ? 0x0A : b[i] == UInt8(ascii: "t") ? 0x09 : b[i])
                } else {
                    value.append(b[i])
                }
                i += 1
            }
            guard i < b.count else { throw fail("unterminated value of \(name)") }
            i += 1
            pairs.append(Label(name, String(decoding: value, as: UTF8.self)))
            space()
            if i < b.count, b[i] == UInt8(ascii: ",") { i += 1 }
        }
        space()
        guard i == b.count else { throw fail("unexpected text after }") }
        guard !pairs.isEmpty else { throw Failure(message: "error at least one label pair is required per stream (stream \(stream))") }
        if let tenant { pairs.removeAll { $0.name == "tenant" }; pairs.append(Label("tenant", tenant)) }
        return Labels(pairs)
    }

    mutating func decodeJSON(_ body: [UInt8], maxLineBytes: Int, tenant: String?) throws(Failure) {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(body)) } catch {
            throw Failure(message: "the body is not JSON: \(error.localizedDescription)")
        }
        guard let streams = (object as? [String: Any])?["streams"] as? [Any] else {
            throw Failure(message: "the body is not a Loki push: expected {\"streams\": [...]}")
        }
        for (s, any) in streams.enumerated() {
            guard let stream = any as? [String: Any], let labelObject = stream["stream"] as? [String: Any] else {
                throw Failure(message: "streams[\(s)] has no \"stream\" object of labels")
            }
            var pairs: [Label] = []
            for (k, v) in labelObject {
                guard let value = v as? String else { throw Failure(message: "streams[\(s)].stream.\(k) is not a string") }
                guard LabelName.isValid(k) else { throw Failure(message: "error parsing labels of streams[\(s)]: invalid label name \"\(k)\"") }
                pairs.append(Label(k, value))
            }
            guard !pairs.isEmpty else { throw Failure(message: "error at least one label pair is required per stream (streams[\(s)])") }
            if let tenant { pairs.removeAll { $0.name == "tenant" }; pairs.append(Label("tenant", tenant)) }
            let labels = Labels(pairs)
            for (e, v) in ((stream["values"] as? [Any]) ?? []).enumerated() {
                guard let entry = v as? [Any], entry.count >= 2, let line = entry[1] as? String else {
                    errors.append("streams[\(s)].values[\(e)]: expected [\"<unix ns>\", \"<line>\", {metadata}]")
                    continue
                }
                let ts: Int64? = (entry[0] as? String).flatMap { Int64($0) } ?? (entry[0] as? NSNumber)?.int64Value
                guard let ts else {
                    errors.append("streams[\(s)].values[\(e)]: the timestamp must be a string of Unix nanoseconds")
                    continue
                }
                var metadata: [LogField] = []
                if entry.count > 2, let m = entry[2] as? [String: Any] {
                    for (k, v) in m.sorted(by: { $0.key < $1.key }) { metadata.append(LogField(k, (v as? String) ?? "\(v)")) }
                }
                add(labels, ts, line, metadata, maxLineBytes: maxLineBytes, position: e)
            }
        }
    }

    mutating func add(_ labels: Labels, _ ns: Int64, _ line: String, _ metadata: [LogField], maxLineBytes: Int, position: Int) {
        guard line.utf8.count <= maxLineBytes else {
            errors.append("stream \(labels) entry \(position): line too long (\(line.utf8.count) bytes, limit \(maxLineBytes)): increase logs.max_line_bytes or shorten it")
            return
        }
        var fields: [LogField] = []
        var traceID: TraceID?, spanID: SpanID?
        var level = LogLevel.unknown
        for name in Self.levelNames { if let v = labels[name] { level = LogLevel(text: v); break } }
        for f in metadata {
            switch f.name {
            case "trace_id", "traceId", "traceID": if let t = TraceID(hex: f.value) { traceID = t; continue }
            case "span_id", "spanId", "spanID": if let s = SpanID(hex: f.value) { spanID = s; continue }
            case let n where level == .unknown && Self.levelNames.contains(n): level = LogLevel(text: f.value)
            default: break
            }
            fields.append(f)
        }
        records.append(LogRecord(labels: labels, timestampNs: ns, line: line, level: level, fields: fields, traceID: traceID, spanID: spanID))
    }
}
