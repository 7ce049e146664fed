import LookoutModel

/// A `POST /api/v1/logs` body: JSON lines (`application/x-ndjson`), or `application/json` holding
/// one object or an array of them. Each object is one record: its time from `timestamp`, `ts`,
/// `time` or `@timestamp`, its level from `level`, `severity` or `lvl`, its line from `msg`,
/// `message` or `log` (the object's own text when it has none), `trace_id`/`span_id` (or
/// `traceId`/`spanId`) kept for correlation, every other key a structured field. Stream labels are
/// the fields `streamLabels` names (and `level`, normalised). A record that does not parse, or
/// breaks a limit, is refused by its line number while the others are kept.
public struct JSONLinesRequest: Sendable {
    public var records: [LogRecord] = []
    /// The 1-based line (or array element) of each record.
    public var lineNumbers: [Int] = []
    /// (1-based line or array element, why) for each refused record.
    public var errors: [(line: Int, message: String)] = []

    public struct Options: Sendable {
        /// Field names that become stream labels (`level` is always the normalised level).
        public var streamLabels: [String] = ["service", "level"]
        public var maxLineBytes = 256 * 1024
        /// Added as the `tenant` label when set (the token's tenant).
        public var tenant: String?

        public init() {}
    }

    static let timeKeys: Set<String> = ["timestamp", "ts", "time", "@timestamp"]
    static let levelKeys: Set<String> = ["level", "severity", "lvl"]
    static let messageKeys: Set<String> = ["msg", "message", "log"]

    /// Decodes `body`; `json` says it is `application/json` (an object or an array) rather than
    /// JSON lines. `nowNs` is the time of records without one.
    public static func decode(_ body: [UInt8], json: Bool, options: Options, nowNs: Int64) -> JSONLinesRequest {
        var out = JSONLinesRequest()
        if json {
            var start = 0
            while start < body.count, body[start] == 0x20 || body[start] == 0x0A || body[start] == 0x0D || body[start] == 0x09 { start += 1 }
            if start < body.count, body[start] == UInt8(ascii: "[") {
                do {
                    for (i, range) in try FlatJSON.arrayElements(body).enumerated() {
                        out.add(body[range], number: i + 1, options: options, nowNs: nowNs)
                    }
                } catch {
                    out.errors.append((1, "the body is not a JSON array of objects: \(error.message) at byte \(error.offset)"))
                }
                return out
            }
            out.add(body[...], number: 1, options: options, nowNs: nowNs)
            return out
        }
        var number = 0
        var start = 0
        while start < body.count {
            let end = body[start...].firstIndex(of: 0x0A) ?? body.count
            number += 1
            var line = body[start..<end]
            if line.last == 0x0D { line = line.dropLast() }
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { out.add(line, number: number, options: options, nowNs: nowNs) }
            start = end + 1
        }
        return out
    }

    /// An epoch number's text as nanoseconds: integers exactly, fractions through `Double`.
    static func epoch(_ text: String) -> Int64? {
        if let i = Int64(text) { return LogTimestamp.fromEpoch(i) }
        return Double(text).flatMap { LogTimestamp.fromEpoch($0) }
    }

    private mutating func add(_ line: ArraySlice<UInt8>, number: Int, options: Options, nowNs: Int64) {
        guard line.count <= options.maxLineBytes else {
            errors.append((number, "line of \(line.count) bytes is longer than logs.max_line_bytes (\(options.maxLineBytes))"))
            return
        }
        let parsed: [(String, FlatJSON.Value)]
        do { parsed = try FlatJSON.fields(line) } catch {
            errors.append((number, "not a JSON object: \(error.message) at byte \(error.offset + 1)"))
            return
        }
        var timestamp: Int64?
        var level = LogLevel.unknown
        var message: String?
        var traceID: TraceID?
        var spanID: SpanID?
        var fields: [LogField] = []
        var labels: [Label] = []
        for (key, value) in parsed {
            if Self.timeKeys.contains(key), timestamp == nil {
                switch value {
                case .string(let s):
                    if let t = LogTimestamp.parseRFC3339(s) ?? Self.epoch(s) {
                        timestamp = t
                    } else {
                        errors.append((number, "\(key) \"\(s)\" is neither RFC 3339 nor an epoch number"))
                        return
                    }
                case .number(let s):
                    guard let t = Self.epoch(s) else {
                        errors.append((number, "\(key) \(s) is not a time (epoch seconds, ms, µs or ns)"))
                        return
                    }
                    timestamp = t
                default:
                    errors.append((number, "\(key) must be an RFC 3339 string or an epoch number"))
                    return
                }
                continue
            }
            if Self.levelKeys.contains(key), level == .unknown, case .string(let s) = value {
                level = LogLevel(text: s)
                continue
            }
            if Self.messageKeys.contains(key), message == nil {
                message = value.text
                continue
            }
            switch key {
            case "trace_id", "traceId", "traceID":
                if let id = TraceID(hex: value.text) { traceID = id; continue }
            case "span_id", "spanId", "spanID":
                if let id = SpanID(hex: value.text) { spanID = id; continue }
            default: break
            }
            if options.streamLabels.contains(key), key != "level" {
                labels.append(Label(key, value.text))
            } else {
                fields.append(LogField(key, value.text))
            }
        }
        if options.streamLabels.contains("level") { labels.append(Label("level", level.name)) }
        if let tenant = options.tenant { labels.append(Label("tenant", tenant)) }
        lineNumbers.append(number)
        records.append(LogRecord(labels: Labels(labels), timestampNs: timestamp ?? nowNs,
                                 line: message ?? String(decoding: line, as: UTF8.self), level: level, fields: fields,
                                 traceID: traceID, spanID: spanID))
    }
}
