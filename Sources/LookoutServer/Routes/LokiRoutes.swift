import Foundation
import Hummingbird
import LookoutFormats
import LookoutModel
import LookoutQuery
import LookoutStorage

/// Loki's query API under `/loki/api/v1/`: `query_range` and `query` for log queries (`streams`,
/// newest first unless `direction=forward`) and metric queries (`matrix`, `vector`, `scalar`), with
/// Loki's `stats.summary`; `labels`, `label/<name>/values`, `series`, `index/stats`,
/// `index/volume`, `detected_fields` and `detected_field/<name>/values`. Errors are Loki's: 400 with the
/// message as text (`parse error at line 1, col N: …`).
struct LokiRoutes {
    let runtime: LookoutRuntime
    static let defaultLimit = 100
    static let maxLimit = 5000

    var endpoints: [APIEndpoint] {
        func api(_ path: String, _ answer: @escaping @Sendable (APICall) throws(APIError) -> APIReply) -> APIEndpoint {
            APIEndpoint(methods: [.get, .post], path: path, role: .query, handler: .api { call in
                do { return try answer(call) } catch let error as APIError { return TempoRoutes.text(error.message, status: error.status) }
                catch { return TempoRoutes.text("\(error)", status: .internalServerError) }
            })
        }
        return [
            api("/loki/api/v1/query_range") { call throws(APIError) in try query(call, instant: false) },
            api("/loki/api/v1/query") { call throws(APIError) in try query(call, instant: true) },
            api("/loki/api/v1/labels") { call throws(APIError) in
                let (start, end) = try range(call.params)
                return Self.success(try store().labelNames(startNs: start, endNs: end))
            },
            api("/loki/api/v1/label/{name}/values") { call throws(APIError) in
                let (start, end) = try range(call.params)
                return Self.success(try store().labelValues(call.pathParameter, startNs: start, endNs: end))
            },
            // Reached only when the request was not upgraded to a WebSocket (`LokiTailHandler`).
            api(LokiTailHandler.path) { call throws(APIError) in
                if case .failure(let error) = LokiTailHandler.make(call.params, runtime: runtime) { throw error }
                throw .badData("tail is a WebSocket: send Connection: Upgrade and Upgrade: websocket")
            },
            api("/loki/api/v1/series") { call throws(APIError) in try series(call.params) },
            api("/loki/api/v1/index/stats") { call throws(APIError) in try indexStats(call.params) },
            api("/loki/api/v1/index/volume") { call throws(APIError) in try volume(call.params) },
            api("/loki/api/v1/detected_fields") { call throws(APIError) in try detectedFields(call.params, name: nil) },
            api("/loki/api/v1/detected_field/{name}/values") { call throws(APIError) in try detectedFields(call.params, name: call.pathParameter) },
        ]
    }

    /// The selector of a `query` or `match[]` parameter (a log query; its pipeline is not used here).
    func selector(_ text: String?) throws(APIError) -> LogQuery {
        guard let text, !text.isEmpty else { throw .badData("query parameter is missing") }
        do { return try LogQLParser.parse(text) } catch { throw .badData(error.description) }
    }

    /// `series?match[]=…`: the label sets of the streams the selectors pick in the range.
    func series(_ params: APIParameters) throws(APIError) -> APIReply {
        let (start, end) = try range(params)
        let matches = params.all("match[]") + params.all("match")
        var found = Set<Labels>()
        for m in matches.isEmpty ? [] : matches {
            found.formUnion(try store().streams(try selector(m).matchers, startNs: start, endNs: end))
        }
        if matches.isEmpty { found = Set(try store().streams([], startNs: start, endNs: end)) }
        var w = JSONWriter()
        w.object { w in
            w.field("status", "success")
            w.key("data")
            w.array { w in for labels in found.sorted() { w.object { w in for l in labels { w.field(l.name, l.value) } } } }
        }
        return APIReply.json(w, status: .ok)
    }

    func chunks(_ params: APIParameters) throws(APIError) -> [LogChunk] {
        let (start, end) = try range(params)
        let query = try selector(params["query"])
        return try run { try store().chunks(query.matchers, startNs: start, endNs: end, mustContain: []) }
    }

    /// `index/stats`: streams, chunks, entries and bytes the selector covers, from the index alone.
    func indexStats(_ params: APIParameters) throws(APIError) -> APIReply {
        let chunks = try chunks(params)
        var w = JSONWriter()
        w.object { w in
            w.field("streams", Set(chunks.map(\.labels)).count)
            w.field("chunks", chunks.count)
            w.field("entries", chunks.reduce(0) { $0 + $1.lineCount })
            w.field("bytes", chunks.reduce(0) { $0 + $1.byteCount })
        }
        return APIReply.json(w, status: .ok)
    }

    /// `index/volume`: bytes by `targetLabels` (default: the selector's label names), as a vector.
    func volume(_ params: APIParameters) throws(APIError) -> APIReply {
        let chunks = try chunks(params)
        let query = try selector(params["query"])
        let names = params["targetLabels"].map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            ?? Array(Set(query.matchers.map(\.name))).sorted()
        var bytes: [Labels: Int] = [:]
        for chunk in chunks {
            bytes[Labels(names.compactMap { n in chunk.labels[n].map { Label(n, $0) } }), default: 0] += chunk.byteCount
        }
        let limit = params["limit"].flatMap { Int($0) } ?? 100
        let (_, end) = try range(params)
        let top = bytes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(limit)
        let value = QueryValue.vector(top.map { InstantSample(labels: $0.key, sample: Sample(end / 1_000_000, Double($0.value))) })
        var w = JSONWriter()
        w.object { w in
            w.field("status", "success")
            w.key("data")
            PrometheusAPIRoutes.render(value, into: &w)
        }
        return APIReply.json(w, status: .ok)
    }

    /// `detected_fields` (or one field's `detected_field/<name>/values`) of the newest `line_limit`
    /// lines the query keeps.
    func detectedFields(_ params: APIParameters, name: String?) throws(APIError) -> APIReply {
        let (start, end) = try range(params)
        let query = try selector(params["query"])
        let lineLimit = min(params["line_limit"].flatMap { Int($0) } ?? 1000, 10_000)
        let engine = LogQueryEngine(store: try store(), limits: runtime.config.logs.queryLimits)
        let lines = try run { try engine.lines(query, startNs: start, endNs: end, limit: lineLimit, forward: false) }
        let fields = DetectedField.detect(lines.streams.flatMap(\.lines))
        let limit = params["limit"].flatMap { Int($0) } ?? 1000
        var w = JSONWriter()
        w.object { w in
            if let name {
                w.key("values")
                w.array { w in for v in (fields.first { $0.label == name }?.values ?? []).prefix(limit) { w.string(v) } }
            } else {
                w.key("fields")
                w.array { w in
                    for f in fields.prefix(limit) {
                        w.object { w in
                            w.field("label", f.label)
                            w.field("type", f.type)
                            w.field("cardinality", f.cardinality)
                            w.key("parsers")
                            if f.parsers.isEmpty { w.raw("null") } else { w.array { w in for p in f.parsers { w.string(p) } } }
                        }
                    }
                }
            }
            w.field("limit", limit)
        }
        return APIReply.json(w, status: .ok)
    }

    func store() throws(APIError) -> LogStore {
        guard let store = runtime.logStore else { throw .unavailable("Lookout is starting: the WAL is still being replayed") }
        return store
    }

    /// `start`/`end` (default: the last hour) in ns; a time is ns, ms, µs or s by magnitude, or RFC 3339.
    func range(_ params: APIParameters) throws(APIError) -> (Int64, Int64) {
        let end = try Self.time(params["end"] ?? params["time"], "end") ?? WallClock.nowNanoseconds()
        let start = try Self.time(params["start"], "start") ?? end - 3_600_000_000_000
        guard start <= end else { throw .badData("the end timestamp must not be before the start time") }
        return (start, end)
    }

    static func time(_ text: String?, _ name: String) throws(APIError) -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        if let t = LogTimestamp.parseRFC3339(text) ?? (Int64(text).flatMap { LogTimestamp.fromEpoch($0) } ?? Double(text).flatMap { LogTimestamp.fromEpoch($0) }) {
            return t
        }
        throw .badData("invalid \(name) \"\(text)\": not a Unix time (ns, ms or s) or RFC 3339")
    }

    func query(_ call: APICall, instant: Bool) throws(APIError) -> APIReply {
        let started = Date()
        let params = call.params
        guard let text = params["query"], !text.isEmpty else { throw .badData("query parameter is missing") }
        let parsed: LogQLExpression
        do { parsed = try LogQLExpression.parse(text) } catch { throw .badData(error.description) }
        var (start, end) = try range(params)
        let engine = LogQueryEngine(store: try store(), limits: runtime.config.logs.queryLimits)
        switch parsed {
        case .logs(let query):
            if instant, let t = try Self.time(params["time"], "time") {
                end = t
                start = t - 3_600_000_000_000
            }
            let limit = try params["limit"].map { text throws(APIError) in
                guard let n = Int(text), n > 0 else { throw .badData("invalid limit \"\(text)\": a positive integer") }
                guard n <= Self.maxLimit else { throw .badData("max entries limit per query exceeded, limit > max_entries_limit (\(n) > \(Self.maxLimit))") }
                return n
            } ?? Self.defaultLimit
            let forward = params["direction"]?.lowercased() == "forward"
            let result = try run { try engine.lines(query, startNs: start, endNs: end, limit: limit, forward: forward) }
            let categorize = call.lokiEncodingFlags?.contains("categorize-labels") == true
            var w = JSONWriter()
            w.object { w in
                w.field("status", "success")
                w.key("data")
                w.object { w in
                    w.field("resultType", "streams")
                    w.key("result")
                    w.array { w in
                        for stream in result.streams {
                            Self.writeStream(stream, categorize: categorize, into: &w)
                        }
                    }
                    Self.writeStats(result.stats, returned: result.count, started: started, into: &w)
                }
            }
            return APIReply.json(w, status: .ok)
        case .metric(let query):
            let value: QueryValue, stats: LogQueryEngine.Stats
            if instant {
                let t = try Self.time(params["time"], "time") ?? WallClock.nowNanoseconds()
                (value, stats) = try run { try engine.instant(query, atNs: t) }
            } else {
                let step = try Self.step(params, start: start, end: end)
                (value, stats) = try run { try engine.range(query, startNs: start, endNs: end, stepNs: step) }
            }
            var w = JSONWriter()
            w.object { w in
                w.field("status", "success")
                w.key("data")
                PrometheusAPIRoutes.render(value, extra: { w in Self.writeStats(stats, returned: 0, started: started, into: &w) }, into: &w)
            }
            return APIReply.json(w, status: .ok)
        }
    }

    /// One stream of a log query's answer: `[ns, line]` pairs, or with `categorize-labels`
    /// `[ns, line, {structuredMetadata, parsed}]` under the stream's own labels, as Loki answers.
    static func writeStream(_ stream: (labels: Labels, lines: [LogQuery.Line]), categorize: Bool, into w: inout JSONWriter) {
        if !categorize {
            w.object { w in
                w.key("stream")
                w.object { w in for l in stream.labels { w.field(l.name, l.value) } }
                w.key("values")
                w.array { w in
                    for line in stream.lines { w.array { w in w.string(String(line.record.timestampNs)); w.string(line.text) } }
                }
            }
            return
        }
        // Categorized, a stream is its stored labels; fields and parsed keys travel with each line.
        var byStream: [(Labels, [LogQuery.Line])] = []
        for line in stream.lines {
            if let i = byStream.firstIndex(where: { $0.0 == line.record.labels }) { byStream[i].1.append(line) } else { byStream.append((line.record.labels, [line])) }
        }
        for (labels, lines) in byStream {
            w.object { w in
                w.key("stream")
                w.object { w in for l in labels { w.field(l.name, l.value) } }
                w.key("values")
                w.array { w in
                    for line in lines {
                        w.array { w in
                            w.string(String(line.record.timestampNs))
                            w.string(line.text)
                            var fields = Set(line.record.fields.map(\.name))
                            if line.record.traceID != nil { fields.insert("trace_id") }
                            if line.record.spanID != nil { fields.insert("span_id") }
                            let metadata = line.labels.filter { fields.contains($0.key) && labels[$0.key] == nil }.sorted { $0.key < $1.key }
                            let parsed = line.labels.filter { !fields.contains($0.key) && labels[$0.key] == nil && $0.key != "__error_details__" }
                                .sorted { $0.key < $1.key }
                            w.object { w in
                                if !metadata.isEmpty {
                                    w.key("structuredMetadata")
                                    w.object { w in for (k, v) in metadata { w.field(k, v) } }
                                }
                                if !parsed.isEmpty {
                                    w.key("parsed")
                                    w.object { w in for (k, v) in parsed { w.field(k, v) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func writeStats(_ stats: LogQueryEngine.Stats, returned: Int, started: Date, into w: inout JSONWriter) {
        w.key("stats")
        w.object { w in
            w.key("summary")
            w.object { w in
                w.field("bytesProcessedPerSecond", 0)
                w.field("linesProcessedPerSecond", 0)
                w.field("totalBytesProcessed", stats.bytesProcessed)
                w.field("totalLinesProcessed", stats.linesProcessed)
                w.field("totalEntriesReturned", returned)
                w.field("totalChunksRead", stats.chunksRead)
                w.key("execTime"); w.raw(String(Date().timeIntervalSince(started)))
            }
        }
    }

    /// `step` as a duration (`14s`) or seconds; Loki's default is the range over 250, at least 1 s.
    static func step(_ params: APIParameters, start: Int64, end: Int64) throws(APIError) -> Int64 {
        guard let text = params["step"], !text.isEmpty else { return max(1_000_000_000, (end - start) / 250 / 1_000_000_000 * 1_000_000_000) }
        if let seconds = Double(text), seconds > 0, seconds.isFinite { return Int64(seconds * 1e9) }
        if let ms = PromDuration.parse(text), ms > 0 { return ms * 1_000_000 }
        throw .badData("invalid step \"\(text)\": a duration such as 15s or a number of seconds")
    }

    /// Runs a query, its failures answered as Loki's: limits and bad queries 400, storage faults 500.
    func run<T>(_ body: () throws -> T) throws(APIError) -> T {
        do { return try body() } catch let error as LogQueryEngine.Failure {
            throw .badData(error.message)
        } catch let error as StorageError {
            throw error.code == .busy ? .badData(error.message) : .internalError(error.message)
        } catch let error as APIError {
            throw error
        } catch {
            throw .internalError("\(error)")
        }
    }

    static func success(_ values: [String]) -> APIReply {
        var w = JSONWriter()
        w.object { w in
            w.field("status", "success")
            w.key("data")
            w.array { w in for v in values { w.string(v) } }
        }
        return APIReply.json(w, status: .ok)
    }
}
