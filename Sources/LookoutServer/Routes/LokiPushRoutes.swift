import Hummingbird
import LookoutFormats
import LookoutModel
import LookoutStorage

/// `POST /loki/api/v1/push`, as Loki answers it: JSON or snappy-compressed protobuf
/// (`LokiPushRequest`), gzip or deflate allowed; 204 once every entry is durable, 400 with Loki's
/// messages (one a line) when a stream or entry was refused — the good entries of the same push
/// are kept — and 429/503 with `Retry-After` when Lookout cannot take more now.
struct LokiPushRoutes {
    let runtime: LookoutRuntime

    var endpoints: [APIEndpoint] {
        [APIEndpoint(methods: [.post], path: "/loki/api/v1/push", role: .ingest,
                     handler: .push(handle: { await push($0) }, refused: { LogRoutes(runtime: runtime).refused($0) }))]
    }

    func push(_ request: PushRequest) async -> APIReply {
        if runtime.logStore?.isBusy == true {
            return Self.text(.serviceUnavailable, "the log head is full: block writes are behind", retryAfter: 1)
        }
        let tenant = LogIngest.tenant(request, tokens: runtime.config.server.tokens)
        let body = request.body, type = request.contentType
        let maxBytes = runtime.config.server.maxBodyBytes, maxLine = runtime.config.logs.maxLineBytes
        let decoded: LokiPushRequest
        do {
            decoded = try await BlockingWork.run {
                try LokiPushRequest.decode(body, contentType: type, maxBytes: maxBytes, maxLineBytes: maxLine, tenant: tenant)
            }
        } catch let error as LokiPushRequest.Failure {
            runtime.logStore?.countRefused("invalid_push", 1)
            return Self.text(.badRequest, error.message)
        } catch {
            return Self.text(.internalServerError, "\(error)")
        }
        runtime.logStore?.countRefused("invalid_line", decoded.errors.count)
        var errors = decoded.errors
        switch await runtime.logIngest.store(decoded.records, tenant: tenant, runtime: runtime) {
        case .success(let result):
            errors += result.refused.map { "entry \($0.index): \($0.message)" }
        case .failure(let refusal):
            if case .rateLimited(_, _, _, let wait) = refusal { return Self.text(.tooManyRequests, refusal.message, retryAfter: wait) }
            return Self.text(.serviceUnavailable, refusal.message, retryAfter: 1)
        }
        guard errors.isEmpty else {
            let shown = errors.prefix(20).joined(separator: "\n") + (errors.count > 20 ? "\n(and \(errors.count - 20) more)" : "")
            return Self.text(.badRequest, shown)
        }
        return APIReply(status: .noContent, headers: [:], body: ByteBuffer())
    }

    static func text(_ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil) -> APIReply {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return APIReply(status: status, headers: headers, body: ByteBuffer(string: message + "\n"))
    }
}
