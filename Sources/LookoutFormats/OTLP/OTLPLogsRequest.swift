import Foundation
import LookoutModel

/// One decoded `ExportLogsServiceRequest` (`POST /v1/logs`, `/otlp/v1/logs`): log records as
/// Lookout keeps them, and how many were rejected with the reason of the first, for the response's
/// `partial_success`.
///
/// A record's stream labels are `service` (the resource's `service.name`), `level` (from the
/// severity number, else its text) and any other name in `logs.stream_labels` found among the
/// resource's or the record's attributes (dots read as `_`); its line is the body (a structured
/// body as JSON); every attribute — the record's, then the resource's other than `service.name` —
/// is a structured field, nested maps flattened with `_`; trace and span ids are kept.
public struct OTLPLogsRequest: Sendable {
    public var records: [LogRecord] = []
    public var rejectedLogRecords = 0
    /// Names the first rejected record and why; empty when none was.
    public var errorMessage = ""

    public static func decode(_ body: [UInt8], encoding: OTLPEncoding, options: JSONLinesRequest.Options,
                              nowNs: Int64) throws(OTLPDecodeError) -> OTLPLogsRequest {
        convert(try OTLPEncoding.message(OTLPExportLogsRequest.self, body, encoding, name: "ExportLogsServiceRequest"),
                options: options, nowNs: nowNs)
    }

    /// Counts a record refused later (by the store's limits) into `partial_success`.
    public mutating func reject(_ count: Int, firstMessage: String) {
        guard count > 0 else { return }
        if rejectedLogRecords == 0 { errorMessage = firstMessage }
        rejectedLogRecords += count
    }

    static func convert(_ request: OTLPExportLogsRequest, options: JSONLinesRequest.Options, nowNs: Int64) -> OTLPLogsRequest {
        var result = OTLPLogsRequest()
        let wanted = Set(options.streamLabels)
        for (r, resourceLogs) in request.resourceLogs.enumerated() {
            let resource = OTLPAttributes.attributes(resourceLogs.resource.attributes)
            let service = resource.first { $0.key == "service.name" }?.value.text ?? "unknown_service"
            var resourceFields: [LogField] = []
            for a in resource where a.key != "service.name" { flatten(a.key, a.value, into: &resourceFields) }
            for (s, scopeLogs) in resourceLogs.scopeLogs.enumerated() {
                for (i, record) in scopeLogs.logRecords.enumerated() {
                    switch convert(record, service: service, resourceFields: resourceFields, wanted: wanted, options: options, nowNs: nowNs) {
                    case .success(let converted): result.records.append(converted)
                    case .failure(let reason):
                        result.reject(1, firstMessage: "resourceLogs[\(r)].scopeLogs[\(s)].logRecords[\(i)]: \(reason.message)")
                    }
                }
            }
        }
        return result
    }

    static func convert(_ record: OTLPLogRecord, service: String, resourceFields: [LogField], wanted: Set<String>,
                        options: JSONLinesRequest.Options, nowNs: Int64) -> Result<LogRecord, OTLPDecodeError> {
        var traceID: TraceID?
        if !record.traceID.isEmpty {
            guard let t = TraceID(bytes: record.traceID) else {
                return .failure(OTLPDecodeError("trace_id must be empty or 16 bytes (32 hex digits in JSON), got \(record.traceID.count)"))
            }
            if t.isValid { traceID = t }
        }
        var spanID: SpanID?
        if !record.spanID.isEmpty {
            guard let s = SpanID(bytes: record.spanID) else {
                return .failure(OTLPDecodeError("span_id must be empty or 8 bytes (16 hex digits in JSON), got \(record.spanID.count)"))
            }
            if s.isValid { spanID = s }
        }
        let line = record.hasBody ? OTLPAttributes.value(record.body).text : ""
        guard line.utf8.count <= options.maxLineBytes else {
            return .failure(OTLPDecodeError("body of \(line.utf8.count) bytes is longer than logs.max_line_bytes (\(options.maxLineBytes))"))
        }
        let time = record.timeUnixNano != 0 ? record.timeUnixNano : record.observedTimeUnixNano
        guard time <= UInt64(Int64.max) else { return .failure(OTLPDecodeError("time_unix_nano \(time) is past the year 2262")) }
        let level = record.severityNumber.rawValue != 0 ? LogLevel(severityNumber: record.severityNumber.rawValue) : LogLevel(text: record.severityText)
        var fields: [LogField] = []
        for a in OTLPAttributes.attributes(record.attributes) { flatten(a.key, a.value, into: &fields) }
        fields += resourceFields
        var labels: [Label] = [Label("service", service), Label("level", level.name)]
        for name in wanted where name != "service" && name != "level" {
            if let f = fields.first(where: { $0.name == name }) { labels.append(Label(name, f.value)) }
        }
        if let tenant = options.tenant { labels.append(Label("tenant", tenant)) }
        let labelNames = Set(labels.map(\.name))
        fields.removeAll { labelNames.contains($0.name) }
        return .success(LogRecord(labels: Labels(labels.filter { wanted.contains($0.name) || $0.name == "tenant" }),
                                  timestampNs: time == 0 ? nowNs : Int64(time), line: line, level: level, fields: fields,
                                  traceID: traceID, spanID: spanID))
    }

    /// An attribute as fields: its key with `.` read as `_`, maps flattened with `_`.
    static func flatten(_ key: String, _ value: AttributeValue, into fields: inout [LogField], depth: Int = 0) {
        let name = key.replacingOccurrences(of: ".", with: "_")
        if case .keyValues(let kvs) = value, depth < 8 {
            for kv in kvs { flatten(name + "_" + kv.key, kv.value, into: &fields, depth: depth + 1) }
        } else {
            fields.append(LogField(name, value.text))
        }
    }

    /// The `ExportLogsServiceResponse` for this request, in `encoding`.
    public func response(_ encoding: OTLPEncoding) -> [UInt8] {
        var response = OTLPExportLogsResponse()
        if rejectedLogRecords > 0 {
            response.partialSuccess.rejectedLogRecords = Int64(rejectedLogRecords)
            response.partialSuccess.errorMessage = errorMessage
        }
        return OTLPTraceRequest.serialize(response, encoding)
    }
}
