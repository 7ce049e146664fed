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
        case .unsupportedEncoding(let encoding): Self.error(.unsupportedMediaType, "unsupported Content-Encoding \"\(encoding)\"; use gzip or none")
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
        guard let store = runtime.logStore else { return Self.error(.serviceUnavailable, "Lookout is starting: the WAL is still being replayed", retryAfter: true) }
        var options = JSONLinesRequest.Options()
        options.streamLabels = runtime.config.logs.streamLabels
        options.maxLineBytes = runtime.config.logs.maxLineBytes
        let body = request.body, chosen = options
        let decoded: JSONLinesRequest
        do {
            decoded = try await BlockingWork.run { JSONLinesRequest.decode(body, json: json, options: chosen, nowNs: WallClock.nowNanoseconds()) }
        } catch {
            return Self.error(.internalServerError, "\(error)")
        }
        var errors = decoded.errors
        var accepted = 0
        if !decoded.records.isEmpty {
            do {
                let result = try await store.append(decoded.records)
                accepted = result.accepted
                errors += result.refused.map { (decoded.lineNumbers[$0.index], $0.message) }
            } catch let error as StorageError where error.code == .busy {
                return Self.error(.serviceUnavailable, error.message, retryAfter: true)
            } catch {
                runtime.logger.error("storing log lines failed", metadata: ["error": "\(error)"])
                return Self.error(.serviceUnavailable, "storing the lines failed: \(error)", retryAfter: true)
            }
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

    static func error(_ status: HTTPResponse.Status, _ message: String, retryAfter: Bool = false) -> APIReply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if retryAfter { headers[.retryAfter] = "1" }
        var w = JSONWriter()
        w.object { w in w.field("error", message) }
        return APIReply(status: status, headers: headers, body: ByteBuffer(bytes: w.bytes))
    }
}
