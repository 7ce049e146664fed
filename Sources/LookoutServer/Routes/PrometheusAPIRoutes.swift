import LookoutFormats
import Foundation
import Hummingbird
import LookoutModel
import LookoutQuery
import LookoutScrape

/// `/api/v1/...`: Prometheus's HTTP API (query, series, labels, metadata, targets, build info), in
/// the same JSON shapes and status codes, so Grafana, promtool and scripts work unmodified.
struct PrometheusAPIRoutes {
    let runtime: LookoutRuntime

    /// Checked here, before parsing, so the error order is Prometheus's; the engine checks too.
    static let maxPointsPerSeries = QueryOptions().maxPointsPerSeries

    /// The Prometheus API's endpoints. The read paths are answered in the channel pipeline; the
    /// queries among them may be evaluated on the event loop once known to be cheap.
    var endpoints: [APIEndpoint] {
        let read: [HTTPRequest.Method] = [.get, .post]
        func api(_ path: String, inPipeline: Bool = true, costKey: (@Sendable (APIParameters) -> String?)? = nil,
                 _ answer: @escaping @Sendable (APICall) throws(APIError) -> APIReply) -> APIEndpoint {
            APIEndpoint(methods: read, path: path, role: .query, inPipeline: inPipeline, costKey: costKey, handler: .api(answer))
        }
        return [
            api("/api/v1/query", costKey: QueryCostMemory.instantKey) { call throws(APIError) in
                try instantQuery(call.params, queued: call.queued, budget: call.budget)
            },
            api("/api/v1/query_range", costKey: QueryCostMemory.rangeKey) { call throws(APIError) in
                try rangeQuery(call.params, queued: call.queued, budget: call.budget)
            },
            api("/api/v1/series") { call throws(APIError) in try series(call.params) },
            api("/api/v1/labels") { call throws(APIError) in try labelNames(call.params) },
            api("/api/v1/label/{name}/values", inPipeline: false) { call throws(APIError) in
                try labelValues(call.pathParameter, call.params)
            },
            api("/api/v1/metadata") { call in metadata(call.params) },
            api("/api/v1/query_exemplars") { call throws(APIError) in try exemplars(call.params) },
            APIEndpoint(methods: [.get], path: "/api/v1/targets", role: .query,
                        handler: .plain { Self.success { targets(&$0) } }),
            APIEndpoint(methods: [.get], path: "/api/v1/status/buildinfo", role: .query,
                        handler: .plain { Self.success { Self.buildInfo(&$0) } }),
        ]
    }

    /// Answers an `.api` endpoint through Hummingbird's router: the form body read within
    /// `server.max_body_bytes`, then the answer computed on a query thread.
    func handle(_ answer: @escaping @Sendable (APICall) throws(APIError) -> APIReply, _ request: Request,
                pathParameter: String) async -> Response {
        var request = request
        let accept = request.headers[.accept]
        let lokiFlags = request.headers.first { $0.name.canonicalName == "x-loki-response-encoding-flags" }?.value
        let params: APIParameters
        do {
            params = try await APIParameters.from(&request, maxBodyBytes: runtime.config.server.maxBodyBytes)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            return bodyTooLarge().response
        } catch {
            return Self.failure(.internalError("\(error)")).response
        }
        let submitted = ContinuousClock.now
        do {
            return try await BlockingWork.run {
                Self.reply(answer, APICall(params: params, pathParameter: pathParameter,
                                           queued: (ContinuousClock.now - submitted).inSeconds, accept: accept,
                                           lokiEncodingFlags: lokiFlags))
            }.response
        } catch {
            return Self.failure(.internalError("\(error)")).response
        }
    }

    /// `answer` with its failure rendered: what both the router and `QueryFastPath` send.
    static func reply(_ answer: (APICall) throws(APIError) -> APIReply, _ call: APICall) -> APIReply {
        do {
            return try answer(call)
        } catch {
            return failure(error)
        }
    }

    /// The answer to a form body over `server.max_body_bytes`.
    func bodyTooLarge() -> APIReply {
        Self.failure(APIError(type: "bad_data",
                              message: "request body larger than server.max_body_bytes (\(runtime.config.server.maxBodyBytes) bytes)",
                              status: .contentTooLarge))
    }

    // MARK: Exemplars

    /// `query_exemplars?query=&start=&end=`: the exemplars of every series a selector of the
    /// query matches, in Prometheus's shape (`seriesLabels`, `exemplars[{labels, value, timestamp}]`).
    func exemplars(_ params: APIParameters) throws(APIError) -> APIReply {
        guard let query = params["query"], !query.isEmpty else { throw .badData("invalid parameter \"query\": query must not be empty") }
        let expr: Expr
        do { expr = try PromQLParser.parse(query) } catch { throw Self.apiError(error) }
        let now = WallClock.nowMilliseconds()
        let start = try params.time("start", default: now - 3_600_000)
        let end = try params.time("end", default: now)
        guard end >= start else { throw .badData("invalid parameter \"end\": end timestamp must not be before start time") }
        let selectors = expr.selectors
        let found = runtime.exemplars?.query(start: start, end: end) { series in
            selectors.contains { $0.matchers.allSatisfy { $0.matches(series) } }
        } ?? []
        return Self.success { w in
            w.array { w in
                for (series, list) in found {
                    w.object { w in
                        w.key("seriesLabels")
                        w.labels(series)
                        w.key("exemplars")
                        w.array { w in
                            for e in list {
                                w.object { w in
                                    w.key("labels")
                                    w.labels(e.labels)
                                    w.field("value", PromNumber.format(e.value))
                                    w.key("timestamp")
                                    w.raw(PromNumber.formatPlain(Double(e.timestampMs) / 1000))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Queries

    func engine(timeout: Int64?, budget: Double?) throws(APIError) -> QueryEngine {
        let store = try runtime.readyStore()
        let query = runtime.config.query
        var options = QueryOptions()
        options.lookbackDelta = query.lookbackDelta
        options.maxSamples = query.maxSamples
        options.timeout = min(Double(min(timeout ?? query.timeout, query.timeout)) / 1000, budget ?? .infinity)
        return QueryEngine(querier: store, options: options)
    }

    func instantQuery(_ params: APIParameters, queued: Double, budget: Double? = nil) throws(APIError) -> APIReply {
        guard let query = params["query"], !query.isEmpty else { throw .badData("invalid parameter \"query\": query must not be empty") }
        let time = try params.time("time", default: WallClock.nowMilliseconds())
        let engine = try engine(timeout: try params.duration("timeout"), budget: budget)
        let value: QueryValue
        var timings = QueryTimings()
        do {
            value = try engine.instant(try PromQLParser.parse(query), at: time, timings: &timings)
        } catch {
            throw Self.apiError(error)
        }
        let stats = Self.wantsStats(params) ? (timings, queued) : nil
        return Self.success(capacity: Self.estimatedSize(value)) { Self.render(value, stats: stats, into: &$0) }
    }

    func rangeQuery(_ params: APIParameters, queued: Double, budget: Double? = nil) throws(APIError) -> APIReply {
        guard let query = params["query"], !query.isEmpty else { throw .badData("invalid parameter \"query\": query must not be empty") }
        guard params["start"] != nil else { throw .badData("invalid parameter \"start\": cannot parse \"\" to a valid timestamp") }
        guard params["end"] != nil else { throw .badData("invalid parameter \"end\": cannot parse \"\" to a valid timestamp") }
        let start = try params.time("start", default: 0)
        let end = try params.time("end", default: 0)
        guard end >= start else { throw .badData("invalid parameter \"end\": end timestamp must not be before start time") }
        guard let step = try params.duration("step") else {
            throw .badData("invalid parameter \"step\": cannot parse \"\" to a valid duration")
        }
        guard step > 0 else {
            throw .badData("invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        let (span, overflow) = end.subtractingReportingOverflow(start)
        guard !overflow, span / step <= Self.maxPointsPerSeries else {
            throw .badData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        let engine = try engine(timeout: try params.duration("timeout"), budget: budget)
        let value: QueryValue
        var timings = QueryTimings()
        do {
            value = try engine.range(try PromQLParser.parse(query), start: start, end: end, step: step, timings: &timings)
        } catch {
            throw Self.apiError(error)
        }
        let stats = Self.wantsStats(params) ? (timings, queued) : nil
        return Self.success(capacity: Self.estimatedSize(value)) { Self.render(value, stats: stats, into: &$0) }
    }

    static func apiError(_ error: QueryError) -> APIError {
        switch error.kind {
        case .badData: return .badData(error.message)
        case .execution: return .execution(error.message)
        case .timeout: return .timeout(error.message)
        case .canceled: return APIError(type: "canceled", message: error.message, status: .serviceUnavailable)
        }
    }

    // MARK: Series and labels

    /// Parses every `match[]` into matcher lists.
    static func matchers(_ params: APIParameters) throws(APIError) -> [[LabelMatcher]] {
        var lists: [[LabelMatcher]] = []
        for text in params.all("match[]") {
            let expr: Expr
            do {
                expr = try PromQLParser.parse(text)
            } catch {
                throw .badData("invalid parameter \"match[]\": \(error.message)")
            }
            guard case .vectorSelector(let selector) = expr else {
                throw .badData("invalid parameter \"match[]\": \"\(text)\" is not a series selector")
            }
            lists.append(selector.matchers)
        }
        return lists
    }

    func series(_ params: APIParameters) throws(APIError) -> APIReply {
        let lists = try Self.matchers(params)
        guard !lists.isEmpty else { throw .badData("no match[] parameter provided") }
        let start = try params.time("start", default: APIParameters.minTime)
        let end = try params.time("end", default: APIParameters.maxTime)
        let store = try runtime.readyStore()
        let found: [Labels]
        do { found = try store.series(matching: lists, start: start, end: end) } catch { throw .execution("\(error)") }
        return Self.success { writer in
            writer.array { writer in
                for labels in found { writer.labels(labels) }
            }
        }
    }

    func labelNames(_ params: APIParameters) throws(APIError) -> APIReply {
        let lists = try Self.matchers(params)
        let start = try params.time("start", default: APIParameters.minTime)
        let end = try params.time("end", default: APIParameters.maxTime)
        let store = try runtime.readyStore()
        let names: [String]
        do { names = try store.labelNames(matching: lists, start: start, end: end) } catch { throw .execution("\(error)") }
        return Self.success { writer in writer.array { w in for name in names { w.string(name) } } }
    }

    func labelValues(_ name: String, _ params: APIParameters) throws(APIError) -> APIReply {
        guard LabelName.isValid(name) else { throw .badData("invalid label name: \"\(name)\"") }
        let lists = try Self.matchers(params)
        let start = try params.time("start", default: APIParameters.minTime)
        let end = try params.time("end", default: APIParameters.maxTime)
        let store = try runtime.readyStore()
        let values: [String]
        do { values = try store.labelValues(name, matching: lists, start: start, end: end) } catch { throw .execution("\(error)") }
        return Self.success { writer in writer.array { w in for value in values { w.string(value) } } }
    }

    func metadata(_ params: APIParameters) -> APIReply {
        var all = runtime.scrapeRegistry?.metadata ?? [:]
        if let metric = params["metric"], !metric.isEmpty { all = all.filter { $0.key == metric } }
        var names = all.keys.sorted()
        if let limit = params["limit"].flatMap(Int.init), limit >= 0 { names = Array(names.prefix(limit)) }
        return Self.success { writer in
            writer.object { writer in
                for name in names {
                    let item = all[name]!
                    writer.key(name)
                    writer.array { writer in
                        writer.object { writer in
                            writer.field("type", item.type.rawValue)
                            writer.field("help", item.help)
                            writer.field("unit", item.unit)
                        }
                    }
                }
            }
        }
    }

    func targets(_ writer: inout JSONWriter) {
        let targets = runtime.scrapeRegistry?.targets ?? []
        writer.object { writer in
            writer.key("activeTargets")
            writer.array { writer in
                for health in targets {
                    writer.object { writer in
                        writer.key("discoveredLabels"); writer.labels(health.target.discoveredLabels)
                        writer.key("labels"); writer.labels(health.target.labels)
                        writer.field("scrapePool", health.target.job)
                        writer.field("scrapeUrl", health.target.url)
                        writer.field("globalUrl", health.target.url)
                        writer.field("lastError", health.lastError)
                        writer.field("lastScrape", health.lastScrape == 0 ? "0001-01-01T00:00:00Z" : RFC3339.format(health.lastScrape))
                        writer.key("lastScrapeDuration"); writer.raw(PromNumber.format(health.lastScrapeDuration))
                        writer.field("health", health.state.rawValue)
                        writer.field("scrapeInterval", PromDuration.format(health.target.config.scrapeInterval))
                        writer.field("scrapeTimeout", PromDuration.format(health.target.config.scrapeTimeout))
                    }
                }
            }
            writer.key("droppedTargets")
            writer.array { _ in }
        }
    }

    static func buildInfo(_ writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("version", BuildInfo.version)
            writer.field("revision", "")
            writer.field("branch", "")
            writer.field("buildUser", "")
            writer.field("buildDate", "")
            writer.field("goVersion", "")
        }
    }

    // MARK: Rendering

    /// Roughly the bytes `render` writes for `value`, so large matrices are not copied while growing.
    static func estimatedSize(_ value: QueryValue) -> Int {
        switch value {
        case .matrix(let series): return series.reduce(256) { $0 + 160 + $1.samples.count * 24 }
        case .vector(let samples): return 256 + samples.count * 200
        default: return 256
        }
    }

    /// Prometheus returns `data.stats` for any non-empty `stats` parameter.
    static func wantsStats(_ params: APIParameters) -> Bool {
        !(params["stats"] ?? "").isEmpty
    }

    /// Writes a query result as `data`; with `stats`, adds `stats.timings` in Prometheus's shape.
    static func render(_ value: QueryValue, stats: (timings: QueryTimings, queued: Double)? = nil,
                       extra: ((inout JSONWriter) -> Void)? = nil, into writer: inout JSONWriter) {
        writer.object { writer in
            defer {
                if let stats { renderStats(stats.timings, queued: stats.queued, into: &writer) }
                extra?(&writer)
            }
            switch value {
            case .vector(let samples):
                writer.field("resultType", "vector")
                writer.key("result")
                writer.array { writer in
                    for item in samples {
                        writer.object { writer in
                            writer.key("metric"); writer.labels(item.labels)
                            writer.key("value"); writer.point(item.sample)
                        }
                    }
                }
            case .matrix(let series):
                writer.field("resultType", "matrix")
                writer.key("result")
                writer.array { writer in
                    for item in series {
                        writer.object { writer in
                            writer.key("metric"); writer.labels(item.labels)
                            writer.key("values")
                            writer.array { writer in for sample in item.samples { writer.point(sample) } }
                        }
                    }
                }
            case .scalar(let sample):
                writer.field("resultType", "scalar")
                writer.key("result"); writer.point(sample)
            case .string(let text, let time):
                writer.field("resultType", "string")
                writer.key("result")
                writer.array { writer in
                    writer.raw(PromNumber.seconds(time))
                    writer.string(text)
                }
            }
        }
    }

    static func renderStats(_ timings: QueryTimings, queued: Double, into writer: inout JSONWriter) {
        writer.key("stats")
        writer.object { writer in
            writer.key("timings")
            writer.object { writer in
                for (name, seconds) in [("evalTotalTime", timings.evalTotal), ("resultSortTime", timings.resultSort),
                                        ("queryPreparationTime", timings.queryPreparation),
                                        ("innerEvalTime", timings.innerEval), ("execQueueTime", queued),
                                        ("execTotalTime", queued + timings.evalTotal)] {
                    writer.key(name)
                    writer.raw(PromNumber.format(seconds))
                }
            }
        }
    }

    // MARK: Envelopes

    static func success(capacity: Int = 1024, _ data: (inout JSONWriter) -> Void) -> APIReply {
        .json(PrometheusEnvelope.success(capacity: capacity, data), status: .ok)
    }

    static func failure(_ error: APIError) -> APIReply {
        .json(PrometheusEnvelope.error(type: error.type, message: error.message), status: error.status)
    }
}
