import Hummingbird
import LookoutFormats
import LookoutModel
import LookoutQuery

/// `/tempo/api/...`: the parts of Grafana Tempo's HTTP API that Grafana's Tempo data source uses
/// (set its URL to `http://host:4318/tempo`): echo, build info, trace by id (protobuf
/// `TraceByIDResponse` when asked `Accept: application/protobuf`, else OTLP JSON), search by
/// TraceQL (`q`) or logfmt `tags`, and tag names and values in both API versions.
struct TempoRoutes {
    let runtime: LookoutRuntime
    /// The Tempo version Lookout answers as: recent enough for Grafana's TraceQL editor and v2 tag
    /// APIs (≥ 2.2), without claiming streaming (off in Grafana unless enabled).
    static let compatibleVersion = "2.6.0"
    static let intrinsics = ["duration", "kind", "name", "rootName", "rootServiceName", "status", "statusMessage", "traceDuration"]

    var endpoints: [APIEndpoint] {
        func api(_ path: String, _ answer: @escaping @Sendable (APICall) throws(APIError) -> APIReply) -> APIEndpoint {
            APIEndpoint(methods: [.get], path: path, role: .query, handler: .api { call in
                do { return try answer(call) } catch let error as APIError { return Self.text(error.message, status: error.status) }
                catch { return Self.text("\(error)", status: .internalServerError) }
            })
        }
        return [
            APIEndpoint(methods: [.get], path: "/tempo/api/echo", role: .query, handler: .plain { Self.text("echo", status: .ok) }),
            APIEndpoint(methods: [.get], path: "/tempo/api/status/buildinfo", role: .query, handler: .plain {
                var w = JSONWriter()
                w.object { w in
                    w.field("version", Self.compatibleVersion)
                    w.field("revision", "lookout-\(BuildInfo.version)")
                    w.field("branch", "")
                    w.field("buildUser", "")
                    w.field("buildDate", "")
                    w.field("goVersion", "")
                }
                return APIReply.json(w, status: .ok)
            }),
            api("/tempo/api/v2/traces/{name}") { call throws(APIError) in try traceByID(call, v2: true) },
            api("/tempo/api/traces/{name}") { call throws(APIError) in try traceByID(call, v2: false) },
            api("/tempo/api/search") { call throws(APIError) in try search(call.params) },
            api("/tempo/api/search/tags") { _ throws(APIError) in
                let keys = try store { try $0.attributeKeys() }
                var w = JSONWriter()
                w.object { w in w.key("tagNames"); w.array { w in for k in Set(keys.map(\.key)).sorted() { w.string(k) } } }
                return APIReply.json(w, status: .ok)
            },
            api("/tempo/api/v2/search/tags") { call throws(APIError) in
                let keys = try store { try $0.attributeKeys() }
                let wanted = call.params["scope"].flatMap { $0.isEmpty || $0 == "all" ? nil : $0 }
                var w = JSONWriter()
                w.object { w in
                    w.key("scopes")
                    w.array { w in
                        for scope in SpanAttributeScope.allCases where wanted == nil || wanted == scope.rawValue {
                            w.object { w in
                                w.field("name", scope.rawValue)
                                w.key("tags")
                                w.array { w in for k in keys where k.scope == scope { w.string(k.key) } }
                            }
                        }
                        if wanted == nil || wanted == "intrinsic" {
                            w.object { w in
                                w.field("name", "intrinsic")
                                w.key("tags")
                                w.array { w in for i in Self.intrinsics { w.string(i) } }
                            }
                        }
                    }
                }
                return APIReply.json(w, status: .ok)
            },
            api("/tempo/api/search/tag/{name}/values") { call throws(APIError) in
                let values = try tagValues(call.pathParameter)
                var w = JSONWriter()
                w.object { w in w.key("tagValues"); w.array { w in for v in values { w.string(v.text) } } }
                return APIReply.json(w, status: .ok)
            },
            api("/tempo/api/v2/search/tag/{name}/values") { call throws(APIError) in
                let values = try tagValues(call.pathParameter)
                var w = JSONWriter()
                w.object { w in
                    w.key("tagValues")
                    w.array { w in
                        for v in values {
                            w.object { w in
                                w.field("type", TempoJSON.typeName(v))
                                w.field("value", v.text)
                            }
                        }
                    }
                }
                return APIReply.json(w, status: .ok)
            },
        ]
    }

    static func text(_ body: String, status: HTTPResponse.Status) -> APIReply {
        APIReply(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ByteBuffer(string: body))
    }

    func store<T>(_ body: (any SpanStorage) throws -> T) throws(APIError) -> T {
        let spans = try runtime.readySpanStore()
        do { return try body(spans) } catch { throw .internalError("\(error)") }
    }

    func traceByID(_ call: APICall, v2: Bool) throws(APIError) -> APIReply {
        guard let id = TraceID(hex: call.pathParameter) else {
            throw .badData("invalid trace id \(call.pathParameter.debugDescription): want up to 32 hex digits")
        }
        let spans = try store { try $0.spans(of: id) }
        guard !spans.isEmpty else { throw APIError(type: "not_found", message: "trace not found", status: .notFound) }
        if call.accept?.contains("application/protobuf") == true {
            let body = v2 ? OTLPTraceEncoder.traceByIDResponseProtobuf(spans) : OTLPTraceEncoder.traceProtobuf(spans)
            return APIReply(status: .ok, headers: [.contentType: "application/protobuf"], body: ByteBuffer(bytes: body))
        }
        let body = v2 ? OTLPTraceEncoder.traceByIDResponseJSON(spans) : OTLPTraceEncoder.tracesJSON(spans, key: "batches")
        return APIReply(status: .ok, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body))
    }

    func search(_ params: APIParameters) throws(APIError) -> APIReply {
        let spans = try runtime.readySpanStore()
        let start = try seconds(params, "start").map { $0 > UInt64.max / 1_000_000_000 - 1 ? .max : $0 * 1_000_000_000 } ?? 0
        let end = try seconds(params, "end").map { $0 > UInt64.max / 1_000_000_000 - 1 ? .max : $0 * 1_000_000_000 + 999_999_999 } ?? .max
        let limit = try count(params, "limit") ?? 20
        let spss = try count(params, "spss") ?? 3
        let minDuration = try duration(params, "minDuration")
        let maxDuration = try duration(params, "maxDuration")
        var search = TraceSearch(querier: spans, deadline: .now + .seconds(Double(runtime.config.query.timeout) / 1000))
        search.maxTracesInspected = 100_000
        let result: TraceSearch.Result
        do {
            if let q = params["q"], !q.isEmpty {
                let query: TraceQL
                do { query = try TraceQL.parse(q) } catch { throw APIError.badData("invalid TraceQL query: \(error)") }
                result = try search.run(TraceQLEvaluator(query), startUnixNano: start, endUnixNano: end, limit: limit,
                                        minTraceDurationNano: minDuration, maxTraceDurationNano: maxDuration)
            } else {
                var r = TraceSearchRequest()
                r.startUnixNano = start
                r.endUnixNano = end
                r.limit = limit
                r.minDurationNano = minDuration
                r.maxDurationNano = maxDuration
                r.durationScope = .trace // Tempo's duration bounds are the trace's
                if let tags = params["tags"], !tags.isEmpty {
                    guard let parsed = Logfmt.pairs(tags) else { throw APIError.badData("invalid tags \(tags.debugDescription): want logfmt, e.g. service.name=api http.status_code=500") }
                    r.tags = parsed
                }
                result = try search.run(r)
            }
        } catch let error as APIError {
            throw error
        } catch let error as QueryError {
            throw error.kind == .timeout ? APIError.timeout(error.message) : APIError.execution(error.message)
        } catch {
            throw .internalError("\(error)")
        }
        let hits = result.traces.map { t in
            TempoJSON.Hit(traceID: t.traceID, rootServiceName: t.rootServiceName, rootTraceName: t.rootSpanName,
                          startUnixNano: t.startUnixNano, durationNano: t.durationNano, matched: t.matched)
        }
        return APIReply.json(TempoJSON.search(hits, spansPerSpanSet: spss, inspectedTraces: result.inspected), status: .ok)
    }

    /// Values of a tag: an intrinsic's, or a (scoped) attribute's from the index.
    func tagValues(_ tag: String) throws(APIError) -> [AttributeValue] {
        switch tag {
        case "status": return SpanStatus.Code.allCases.map { .string($0.shortName) }
        case "kind": return SpanKind.allCases.filter { $0 != .unspecified }.map { .string($0.shortName) }
        case "rootServiceName", "resource.service.name", "service.name":
            return try store { try $0.services() }.map { .string($0) }
        case "name", "rootName":
            return try store { s in Set(try s.services().flatMap { try s.operations(service: $0).map(\.name) }).sorted() }.map { .string($0) }
        default:
            var scope: SpanAttributeScope?
            var key = tag
            if tag.hasPrefix("resource.") { scope = .resource; key = String(tag.dropFirst(9)) }
            else if tag.hasPrefix("span.") { scope = .span; key = String(tag.dropFirst(5)) }
            else if tag.hasPrefix(".") { key = String(tag.dropFirst()) }
            return try store { try $0.attributeValues(scope: scope, key: key) }
        }
    }

    func seconds(_ params: APIParameters, _ name: String) throws(APIError) -> UInt64? {
        guard let text = params[name], !text.isEmpty else { return nil }
        guard let v = UInt64(text) else { throw .badData("\(name) must be Unix seconds, not \(text.debugDescription)") }
        return v
    }

    func count(_ params: APIParameters, _ name: String) throws(APIError) -> Int? {
        guard let text = params[name], !text.isEmpty else { return nil }
        guard let v = Int(text), v > 0 else { throw .badData("\(name) must be a positive integer, not \(text.debugDescription)") }
        return min(v, 10_000)
    }

    func duration(_ params: APIParameters, _ name: String) throws(APIError) -> UInt64? {
        guard let text = params[name], !text.isEmpty else { return nil }
        guard let d = GoDuration.nanoseconds(text) else { throw .badData("\(name) must be a duration such as 100ms, not \(text.debugDescription)") }
        return d
    }
}
