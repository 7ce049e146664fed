import Hummingbird
import LookoutFormats
import LookoutModel
import LookoutStorage

/// `POST /api/v1/logs`: JSON lines (`application/x-ndjson`), or `application/json` holding one
/// object or an array, gzip allowed. Good lines are stored (durably before the answer) even when
/// others are refused: 200 when every line was kept, 400 naming each refused line otherwise.
struct LogRoutes {
    let runtime: LookoutRuntime

    var endpoints: [APIEndpoint] {
        [APIEndpoint(methods: [.post], path: "/api/v1/logs", role: .ingest,
                     handler: .push(handle: { await jsonLines($0) }, refused: { refused($0) }))]
    }

    func refused(_ refusal: PushRequest.Refusal) -> APIReply {
        switch refusal {
        case .tooLarge(let limit): Self.error(.contentTooLarge, "request body larger than server.max_body_bytes (\(limit) bytes)")
        case .busy: Self.error(.tooManyRequests, "Lookout holds server.max_inflight_bytes of request bodies; retry later", retryAfter: true)
        case .malformedGzip(let why), .unreadable(let why): Self.error(.badRequest, why)
        case .unsupportedEncoding(let encoding): Self.error(.unsupportedMediaType, "unsupported Content-Encoding \"\(encoding)\"; use gzip, deflate or none")
        }
    }

    func jsonLines(_ request: PushRequest) async -> APIReply {
        let type = (request.contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let json: Bool
        switch type {
        case "application/x-ndjson", "application/jsonl", "application/x-jsonlines", "text/plain", "": json = false
        case "application/json": json = true
        default:
            return Self.error(.unsupportedMediaType, "unsupported Content-Type \"\(type)\"; send application/x-ndjson (JSON lines) or application/json")
        }
        if runtime.logStore?.isBusy == true { // refused before the work of decoding
            return Self.error(.serviceUnavailable, "the log head is full: block writes are behind", retryAfter: true)
        }
        let tenant = LogIngest.tenant(request, tokens: runtime.config.server.tokens)
        var options = JSONLinesRequest.Options()
        options.streamLabels = runtime.config.logs.streamLabels
        options.maxLineBytes = runtime.config.logs.maxLineBytes
        options.tenant = tenant
        let body = request.body, chosen = options
        let decoded: JSONLinesRequest
        do {
            decoded = try await BlockingWork.run { JSONLinesRequest.decode(body, json: json, options: chosen, nowNs: WallClock.nowNanoseconds()) }
        } catch {
            return Self.error(.internalServerError, "\(error)")
        }
        runtime.logStore?.countRefused("invalid_line", decoded.errors.count)
        var errors = decoded.errors
        var accepted = 0
        switch await runtime.logIngest.store(decoded.records, tenant: tenant, runtime: runtime) {
        case .success(let result):
            accepted = result.accepted
            errors += result.refused.map { (decoded.lineNumbers[$0.index], $0.message) }
        case .failure(let refusal):
            return Self.refusal(refusal)
        }
        errors.sort { $0.line < $1.line }
        var w = JSONWriter()
        w.object { w in
            w.field("accepted", accepted)
            w.field("rejected", errors.count)
            if !errors.isEmpty {
                w.key("errors")
                w.array { w in
                    for e in errors.prefix(100) { w.object { w in w.field("line", e.line); w.field("error", e.message) } }
                }
            }
        }
        return APIReply(status: errors.isEmpty ? .ok : .badRequest, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: w.bytes))
    }

    /// A push the ingest path refused, answered 429 (rate) or 503 (full, starting, failed) with `Retry-After`.
    static func refusal(_ refusal: LogIngest.Refusal) -> APIReply {
        switch refusal {
        case .rateLimited(_, _, _, let wait): error(.tooManyRequests, refusal.message, retryAfter: true, seconds: wait)
        default: error(.serviceUnavailable, refusal.message, retryAfter: true)
        }
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, retryAfter: Bool = false, seconds: Int = 1) -> APIReply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if retryAfter { headers[.retryAfter] = String(seconds) }
        var w = JSONWriter()
        w.object { w in w.field("error", message) }
        return APIReply(status: status, headers: headers, body: ByteBuffer(bytes: w.bytes))
    }
}
