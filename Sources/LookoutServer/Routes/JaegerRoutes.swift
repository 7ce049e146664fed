import Hummingbird
import LookoutFormats
import LookoutModel
import LookoutQuery

/// `/jaeger/api/...`: Jaeger's query API (services, operations, trace search, trace by id,
/// dependencies) in Jaeger's JSON, so Grafana's Jaeger data source works with its URL set to
/// `http://host:4318/jaeger`. Beyond Jaeger: `tags` and `minDuration` combine, `total` counts every
/// match however small `limit` is, and `durationScope=trace` bounds the whole trace's duration.
struct JaegerRoutes {
    let runtime: LookoutRuntime

    /// A search without `start` looks back this far (Jaeger's UI default).
    static let defaultLookback: UInt64 = 3_600 * 1_000_000_000

    var endpoints: [APIEndpoint] {
        func api(_ path: String, _ answer: @escaping @Sendable (APICall) throws(JaegerError) -> JSONWriter) -> APIEndpoint {
            APIEndpoint(methods: [.get], path: path, role: .query, handler: .api { call in
                do {
                    return APIReply.json(try answer(call), status: .ok)
                } catch let error as JaegerError {
                    return APIReply.json(JaegerJSON.error(code: Int(error.status.code), error.message), status: error.status)
                } catch {
                    return APIReply.json(JaegerJSON.error(code: 500, "\(error)"), status: .internalServerError)
                }
            })
        }
        return [
            api("/jaeger/api/services") { _ throws(JaegerError) in
                let services = try store { try $0.services() }
                return JaegerJSON.envelope(total: services.count) { w in w.array { w in for s in services { w.string(s) } } }
            },
            api("/jaeger/api/services/{name}/operations") { call throws(JaegerError) in
                let names = Array(Set(try store { try $0.operations(service: call.pathParameter) }.map(\.name))).sorted()
                return JaegerJSON.envelope(total: names.count) { w in w.array { w in for n in names { w.string(n) } } }
            },
            api("/jaeger/api/operations") { call throws(JaegerError) in
                guard let service = call.params["service"], !service.isEmpty else { throw .badRequest("parameter 'service' is required") }
                var ops = try store { try $0.operations(service: service) }
                if let kind = call.params["spanKind"], !kind.isEmpty {
                    guard let k = SpanKind(shortName: kind) else { throw .badRequest("unsupported spanKind \(kind.debugDescription)") }
                    ops = ops.filter { $0.kind == k }
                }
                return JaegerJSON.envelope(total: ops.count) { w in
                    w.array { w in for op in ops { w.object { w in w.field("name", op.name); w.field("spanKind", op.kind.shortName) } } }
                }
            },
            api("/jaeger/api/traces/{name}") { call throws(JaegerError) in
                guard let id = TraceID(hex: call.pathParameter) else {
                    throw .badRequest("invalid trace id \(call.pathParameter.debugDescription): want up to 32 hex digits")
                }
                let spans = try store { try $0.spans(of: id) }
                guard !spans.isEmpty else { throw JaegerError(status: .notFound, message: "trace not found") }
                return JaegerJSON.envelope(total: 1) { w in w.array { w in JaegerJSON.trace(spans, into: &w) } }
            },
            api("/jaeger/api/traces") { call throws(JaegerError) in try search(call.params) },
            api("/jaeger/api/dependencies") { call throws(JaegerError) in try dependencies(call.params) },
        ]
    }

    func store<T>(_ body: (any SpanStorage) throws -> T) throws(JaegerError) -> T {
        guard let spans = runtime.spanStore else {
            throw JaegerError(status: .serviceUnavailable, message: "Lookout is starting: the WAL is still being replayed")
        }
        do { return try body(spans) } catch let error as QueryError where error.kind == .timeout {
            throw JaegerError(status: .serviceUnavailable, message: error.message)
        } catch { throw JaegerError(status: .internalServerError, message: "\(error)") }
    }

    /// `traces?service=&operation=&tags=&minDuration=&maxDuration=&start=&end=&lookback=&limit=`.
    func search(_ params: APIParameters) throws(JaegerError) -> JSONWriter {
        let request = try Self.searchRequest(params, now: UInt64(WallClock.nowMilliseconds()) * 1_000_000)
        let result: TraceSearch.Result
        do {
            guard let spans = runtime.spanStore else { throw JaegerError(status: .serviceUnavailable, message: "Lookout is starting") }
            result = try TraceSearch(querier: spans, deadline: .now + .seconds(Double(runtime.config.query.timeout) / 1000)).run(request)
        } catch let error as JaegerError {
            throw error
        } catch let error as QueryError {
            throw JaegerError(status: error.kind == .timeout ? .serviceUnavailable : .unprocessableContent, message: error.message)
        } catch {
            throw JaegerError(status: .internalServerError, message: "\(error)")
        }
        return JaegerJSON.envelope(total: result.total) { w in
            w.array { w in for t in result.traces { JaegerJSON.trace(t.spans, into: &w) } }
        }
    }

    static func searchRequest(_ params: APIParameters, now: UInt64) throws(JaegerError) -> TraceSearchRequest {
        var r = TraceSearchRequest()
        guard let service = params["service"], !service.isEmpty else { throw .badRequest("parameter 'service' is required") }
        r.service = service
        if let op = params["operation"], !op.isEmpty { r.operation = op }
        if let tags = params["tags"], !tags.isEmpty {
            guard let parsed = JaegerTags.parse(tags) else {
                throw .badRequest("malformed 'tags' parameter: want a JSON object of strings, e.g. {\"http.status_code\":\"500\"}")
            }
            r.tags = parsed
        }
        for t in params.all("tag") { // Jaeger also takes tag=key:value, repeated
            guard let colon = t.firstIndex(of: ":") else { throw .badRequest("malformed 'tag' parameter \(t.debugDescription): want key:value") }
            r.tags.append((String(t[..<colon]), String(t[t.index(after: colon)...])))
        }
        r.minDurationNano = try duration(params, "minDuration")
        r.maxDurationNano = try duration(params, "maxDuration")
        if let scope = params["durationScope"], !scope.isEmpty {
            guard let s = TraceSearchRequest.DurationScope(rawValue: scope) else {
                throw .badRequest("durationScope must be span or trace, not \(scope.debugDescription)")
            }
            r.durationScope = s
        }
        let end = try micros(params, "end").map { $0.multipliedReportingOverflow(by: 1000).overflow ? .max : $0 * 1000 } ?? now
        let lookback = try lookback(params)
        let start = try micros(params, "start").map { $0.multipliedReportingOverflow(by: 1000).overflow ? .max : $0 * 1000 }
            ?? (end > lookback ? end - lookback : 0)
        r.startUnixNano = start
        r.endUnixNano = end
        if let limit = params["limit"], !limit.isEmpty {
            guard let n = Int(limit), n >= 0 else { throw .badRequest("limit must be a non-negative integer, not \(limit.debugDescription)") }
            r.limit = n == 0 ? 20 : min(n, 1500)
        }
        return r
    }

    static func micros(_ params: APIParameters, _ name: String) throws(JaegerError) -> UInt64? {
        guard let text = params[name], !text.isEmpty else { return nil }
        guard let v = UInt64(text) else { throw .badRequest("\(name) must be microseconds since the epoch, not \(text.debugDescription)") }
        return v
    }

    static func duration(_ params: APIParameters, _ name: String) throws(JaegerError) -> UInt64? {
        guard let text = params[name], !text.isEmpty else { return nil }
        guard let d = GoDuration.nanoseconds(text) else {
            throw .badRequest("\(name) must be a duration such as 100ms or 1.5s, not \(text.debugDescription)")
        }
        return d
    }

    static func lookback(_ params: APIParameters) throws(JaegerError) -> UInt64 {
        guard let text = params["lookback"], !text.isEmpty, text != "custom" else { return defaultLookback }
        guard let d = GoDuration.nanoseconds(text) else { throw .badRequest("lookback must be a duration such as 1h, not \(text.debugDescription)") }
        return d
    }

    /// `dependencies?endTs=&lookback=` (ms): service → service call counts from parent/child span pairs.
    func dependencies(_ params: APIParameters) throws(JaegerError) -> JSONWriter {
        let now = UInt64(WallClock.nowMilliseconds())
        let endMs = min(try Self.micros(params, "endTs") ?? now, UInt64.max / 1_000_000)
        let lookbackMs = params["lookback"].flatMap { UInt64($0) } ?? 86_400_000
        let deadline = ContinuousClock.now + .seconds(Double(runtime.config.query.timeout) / 1000)
        let edges = try store { spans in
            try ServiceGraph.edges(spans, startUnixNano: (endMs > lookbackMs ? endMs - lookbackMs : 0) * 1_000_000,
                                   endUnixNano: endMs * 1_000_000, deadline: deadline)
        }
        return JaegerJSON.envelope(total: edges.count) { w in
            w.array { w in
                for e in edges { w.object { w in w.field("parent", e.client); w.field("child", e.server); w.field("callCount", e.calls) } }
            }
        }
    }
}

/// An error answered in Jaeger's shape.
struct JaegerError: Error {
    var status: HTTPResponse.Status
    var message: String

    static func badRequest(_ message: String) -> JaegerError { JaegerError(status: .badRequest, message: message) }
}
