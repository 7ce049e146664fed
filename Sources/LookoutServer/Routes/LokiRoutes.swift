import Foundation
import Hummingbird
import LookoutFormats
import LookoutModel
import LookoutQuery
import LookoutStorage

/// Loki's query API under `/loki/api/v1/`, the part Lookout answers today: `query_range` and
/// `query` for log queries (`streams` results, shaped as Loki's, newest first unless
/// `direction=forward`), `labels` and `label/<name>/values`. Errors are Loki's: 400 with the
/// message as text (`parse error at line 1, col N: …`).
struct LokiRoutes {
    let runtime: LookoutRuntime
    /// Lines a query may read from the store before its stages run.
    static let maxLinesRead = 1_000_000
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
            api("/loki/api/v1/query_range") { call throws(APIError) in try query(call.params, instant: false) },
            api("/loki/api/v1/query") { call throws(APIError) in try query(call.params, instant: true) },
            api("/loki/api/v1/labels") { call throws(APIError) in
                let (start, end) = try range(call.params)
                return Self.success(try store().labelNames(startNs: start, endNs: end))
            },
            api("/loki/api/v1/label/{name}/values") { call throws(APIError) in
                let (start, end) = try range(call.params)
                return Self.success(try store().labelValues(call.pathParameter, startNs: start, endNs: end))
            },
        ]
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

    func query(_ params: APIParameters, instant: Bool) throws(APIError) -> APIReply {
        let started = Date()
        guard let text = params["query"], !text.isEmpty else { throw .badData("query parameter is missing") }
        let parsed: LogQuery
        do { parsed = try LogQLParser.parse(text) } catch {
            if text.contains("_over_time") || text.contains("rate(") || text.hasPrefix("sum") || text.hasPrefix("vector") {
                throw .badData("\(error.description) (metric queries are not supported by Lookout yet)")
            }
            throw .badData(error.description)
        }
        var (start, end) = try range(params)
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
        let streams: [(Labels, [LogRecord])]
        do {
            streams = try store().select(parsed.matchers, startNs: start, endNs: end, maxLines: Self.maxLinesRead)
        } catch let error as StorageError {
            throw .execution(error.message)
        } catch let error as APIError {
            throw error
        } catch {
            throw .internalError("\(error)")
        }
        let hasParser = parsed.stages.contains { if case .json = $0 { true } else if case .logfmt = $0 { true } else { false } }
        var lines: [(Labels, LogRecord)] = []
        var read = 0
        for (labels, records) in streams {
            read += records.count
            for record in records {
                guard let line = parsed.apply(record) else { continue }
                lines.append((hasParser ? Labels(line.labels) : labels, record))
            }
        }
        // Lines of one time keep arrival order (forward) or its reverse (backward), as Loki's do.
        if !forward { lines.reverse() }
        lines = lines.enumerated().sorted { a, b in
            let (x, y) = (a.element.1.timestampNs, b.element.1.timestampNs)
            return x != y ? (forward ? x < y : x > y) : a.offset < b.offset
        }.map(\.element)
        if lines.count > limit { lines.removeLast(lines.count - limit) }
        var byStream: [Labels: [LogRecord]] = [:]
        var order: [Labels] = []
        for (labels, record) in lines {
            if byStream[labels] == nil { order.append(labels) }
            byStream[labels, default: []].append(record)
        }
        var w = JSONWriter()
        w.object { w in
            w.field("status", "success")
            w.key("data")
            w.object { w in
                w.field("resultType", "streams")
                w.key("result")
                w.array { w in
                    for labels in order {
                        w.object { w in
                            w.key("stream")
                            w.object { w in for l in labels { w.field(l.name, l.value) } }
                            w.key("values")
                            w.array { w in
                                for r in byStream[labels]! { w.array { w in w.string(String(r.timestampNs)); w.string(r.line) } }
                            }
                        }
                    }
                }
                w.key("stats")
                w.object { w in
                    w.key("summary")
                    w.object { w in
                        w.field("totalLinesProcessed", read)
                        w.field("totalEntriesReturned", lines.count)
                        w.key("execTime"); w.raw(String(Date().timeIntervalSince(started)))
                    }
                }
            }
        }
        return APIReply.json(w, status: .ok)
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
