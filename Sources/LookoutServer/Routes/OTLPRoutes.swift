import Hummingbird
import LookoutFormats
import LookoutModel
import LookoutStorage

/// `POST /v1/traces`, `/v1/metrics` and `/v1/logs`: OTLP/HTTP as an OpenTelemetry Collector answers it — protobuf or JSON
/// (the response in the request's encoding), gzip, `partial_success` for spans that fail
/// validation, 400/413/415, and 429/503 with `Retry-After` when Lookout cannot take more now.
/// A 200 is sent only once the spans are durable in the WAL.
struct OTLPRoutes {
    let runtime: LookoutRuntime

    var endpoints: [APIEndpoint] {
        [APIEndpoint(methods: [.post], path: "/v1/traces", role: .ingest,
                     handler: .push(handle: { await traces($0) }, refused: { refused($0, signal: "traces") })),
         APIEndpoint(methods: [.post], path: "/v1/metrics", role: .ingest,
                     handler: .push(handle: { await metrics($0) }, refused: { refused($0, signal: "metrics") })),
         APIEndpoint(methods: [.post], path: "/v1/logs", role: .ingest,
                     handler: .push(handle: { await logs($0) }, refused: { refused($0, signal: "logs") })),
         // Loki's name for the same receiver.
         APIEndpoint(methods: [.post], path: "/otlp/v1/logs", role: .ingest,
                     handler: .push(handle: { await logs($0) }, refused: { refused($0, signal: "logs") }))]
    }

    /// A body turned away before decoding, answered in JSON (the encoding is not known to be readable yet).
    func refused(_ refusal: PushRequest.Refusal, signal: String) -> APIReply {
        switch refusal {
        case .tooLarge(let limit):
            runtime.metrics.otlpRejected(signal: signal, reason: "too_large")
            return Self.status(.contentTooLarge, .json, "request body larger than server.max_body_bytes (\(limit) bytes)")
        case .busy:
            runtime.metrics.otlpRejected(signal: signal, reason: "busy")
            return Self.status(.tooManyRequests, .json, "Lookout holds server.max_inflight_bytes of request bodies; retry later", retryAfter: true)
        case .malformedGzip(let why):
            runtime.metrics.otlpRejected(signal: signal, reason: "undecodable")
            return Self.status(.badRequest, .json, why)
        case .unreadable(let why):
            return Self.status(.badRequest, .json, why)
        case .unsupportedEncoding(let encoding):
            return Self.status(.unsupportedMediaType, .json, "unsupported Content-Encoding \"\(encoding)\"; use gzip, deflate or none")
        }
    }

    func traces(_ request: PushRequest) async -> APIReply {
        if let store = runtime.spanStore, store.isBusy { // refused before the work of decoding
            runtime.metrics.otlpRejected(signal: "traces", reason: "busy")
            return Self.status(.serviceUnavailable, OTLPEncoding(contentType: request.contentType) ?? .json,
                               "the span head is full: block writes are behind", retryAfter: true)
        }
        let encoding: OTLPEncoding, decoded: OTLPTraceRequest
        switch await decode(request, signal: "traces", OTLPTraceRequest.decode) {
        case .failure(let refusal): return refusal.reply
        case .success(let ok): (encoding, decoded) = ok
        }
        guard let store = runtime.spanStore else { return Self.starting(encoding) }
        do {
            try await store.append(spans: decoded.spans)
        } catch let error as StorageError where error.code == .busy {
            runtime.metrics.otlpRejected(signal: "traces", reason: "busy")
            return Self.status(.serviceUnavailable, encoding, error.message, retryAfter: true)
        } catch {
            runtime.logger.error("storing spans failed", metadata: ["error": "\(error)"])
            return Self.status(.serviceUnavailable, encoding, "storing the spans failed: \(error)", retryAfter: true)
        }
        runtime.metrics.otlpReceived(signal: "traces", accepted: decoded.spans.count, rejected: decoded.rejectedSpans)
        runtime.spanMetrics.observe(decoded.spans)
        return APIReply(status: .ok, headers: [.contentType: encoding.contentType], body: ByteBuffer(bytes: decoded.response(encoding)))
    }

    /// `POST /v1/metrics`: data points translated as Prometheus's OTLP receiver does
    /// (`OTLPMetricsRequest`), stored durably before the 200; points the store refuses (out of
    /// order, duplicates) are rejected through `partial_success` too.
    func metrics(_ request: PushRequest) async -> APIReply {
        let encoding: OTLPEncoding, decoded0: OTLPMetricsRequest
        let deltas = runtime.otlpDeltas
        switch await decode(request, signal: "metrics", { body, encoding throws(OTLPDecodeError) in
            try OTLPMetricsRequest.decode(body, encoding: encoding, deltas: deltas)
        }) {
        case .failure(let refusal): return refusal.reply
        case .success(let ok): (encoding, decoded0) = ok
        }
        guard let store = runtime.store else { return Self.starting(encoding) }
        var decoded = decoded0
        if !decoded.samples.isEmpty {
            do {
                let result = try await store.append(decoded.samples)
                let refused = result.outOfOrder + result.duplicates
                if refused > 0 {
                    if decoded.rejectedDataPoints == 0 {
                        decoded.errorMessage = "\(refused) samples were out of order or duplicates of stored ones (Prometheus's rules)"
                    }
                    decoded.rejectedDataPoints += refused
                }
            } catch {
                runtime.logger.error("storing OTLP metrics failed", metadata: ["error": "\(error)"])
                return Self.status(.serviceUnavailable, encoding, "storing the samples failed: \(error)", retryAfter: true)
            }
        }
        runtime.metrics.otlpReceived(signal: "metrics", accepted: decoded.samples.count, rejected: decoded.rejectedDataPoints)
        return APIReply(status: .ok, headers: [.contentType: encoding.contentType], body: ByteBuffer(bytes: decoded.response(encoding)))
    }

    /// `POST /v1/logs` (and `/otlp/v1/logs`): log records as `OTLPLogsRequest` reads them, stored
    /// durably before the 200; records the log store's limits refuse are rejected through
    /// `partial_success` with the others kept.
    func logs(_ request: PushRequest) async -> APIReply {
        if runtime.logStore?.isBusy == true {
            runtime.metrics.otlpRejected(signal: "logs", reason: "busy")
            return Self.status(.serviceUnavailable, OTLPEncoding(contentType: request.contentType) ?? .json,
                               "the log head is full: block writes are behind", retryAfter: true)
        }
        let tenant = LogIngest.tenant(request, tokens: runtime.config.server.tokens)
        var options = JSONLinesRequest.Options()
        options.streamLabels = runtime.config.logs.streamLabels
        options.maxLineBytes = runtime.config.logs.maxLineBytes
        options.tenant = tenant
        let chosen = options
        let encoding: OTLPEncoding, decoded0: OTLPLogsRequest
        switch await decode(request, signal: "logs", { body, encoding throws(OTLPDecodeError) in
            try OTLPLogsRequest.decode(body, encoding: encoding, options: chosen, nowNs: WallClock.nowNanoseconds())
        }) {
        case .failure(let refusal): return refusal.reply
        case .success(let ok): (encoding, decoded0) = ok
        }
        var decoded = decoded0
        runtime.logStore?.countRefused("invalid_line", decoded.rejectedLogRecords)
        var accepted = 0
        switch await runtime.logIngest.store(decoded.records, tenant: tenant, runtime: runtime) {
        case .success(let result):
            accepted = result.accepted
            decoded.reject(result.refused.count, firstMessage: result.refused.first.map { "logRecord \($0.index) of those kept: \($0.message)" } ?? "")
        case .failure(let refusal):
            runtime.metrics.otlpRejected(signal: "logs", reason: "busy")
            if case .rateLimited(_, _, _, let wait) = refusal {
                var reply = Self.status(.tooManyRequests, encoding, refusal.message, retryAfter: true)
                reply.headers[.retryAfter] = String(wait)
                return reply
            }
            return Self.status(.serviceUnavailable, encoding, refusal.message, retryAfter: true)
        }
        runtime.metrics.otlpReceived(signal: "logs", accepted: accepted, rejected: decoded.rejectedLogRecords)
        return APIReply(status: .ok, headers: [.contentType: encoding.contentType], body: ByteBuffer(bytes: decoded.response(encoding)))
    }

    /// An answer given before a request reaches its store.
    struct Refusal: Error {
        var reply: APIReply
    }

    /// What every OTLP push checks first: its content type, that storage takes writes, and that the
    /// body decodes (off the event loop, on a query thread).
    func decode<T: Sendable>(_ request: PushRequest, signal: String,
                             _ decode: @escaping @Sendable ([UInt8], OTLPEncoding) throws(OTLPDecodeError) -> T) async
        -> Result<(OTLPEncoding, T), Refusal> {
        guard let encoding = OTLPEncoding(contentType: request.contentType) else {
            return .failure(Refusal(reply: Self.status(.unsupportedMediaType, .json,
                "unsupported Content-Type \(request.contentType.map { "\"\($0)\"" } ?? "(none)"); OTLP/HTTP takes application/x-protobuf or application/json")))
        }
        guard let metricStore = runtime.store else { return .failure(Refusal(reply: Self.starting(encoding))) }
        if let fault = metricStore.writeFault {
            return .failure(Refusal(reply: Self.status(.serviceUnavailable, encoding, "storage refuses writes: \(fault)", retryAfter: true)))
        }
        do {
            let body = request.body
            return .success((encoding, try await BlockingWork.run { try decode(body, encoding) }))
        } catch let error as OTLPDecodeError {
            runtime.metrics.otlpRejected(signal: signal, reason: "undecodable")
            return .failure(Refusal(reply: Self.status(.badRequest, encoding, error.message)))
        } catch {
            return .failure(Refusal(reply: Self.status(.internalServerError, encoding, "\(error)")))
        }
    }

    static func starting(_ encoding: OTLPEncoding) -> APIReply {
        status(.serviceUnavailable, encoding, "Lookout is starting: the WAL is still being replayed", retryAfter: true)
    }

    /// An error answer with a `google.rpc.Status` body in `encoding`, as OTLP/HTTP specifies.
    static func status(_ status: HTTPResponse.Status, _ encoding: OTLPEncoding, _ message: String, retryAfter: Bool = false) -> APIReply {
        var headers: HTTPFields = [.contentType: encoding.contentType]
        if retryAfter { headers[.retryAfter] = "1" }
        return APIReply(status: status, headers: headers, body: ByteBuffer(bytes: OTLPStatus.encode(code: Self.rpcCode(status), message: message, encoding)))
    }

    /// The gRPC status code that matches an HTTP status (the Collector's mapping).
    static func rpcCode(_ status: HTTPResponse.Status) -> Int32 {
        switch status.code {
        case 400: 3 // INVALID_ARGUMENT
        case 413: 8 // RESOURCE_EXHAUSTED
        case 415: 3
        case 429: 8
        case 503: 14 // UNAVAILABLE
        default: 13 // INTERNAL
        }
    }
}
