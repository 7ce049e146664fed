import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Answers the endpoints `EndpointTable` declares `inPipeline` (the Prometheus API's read paths)
/// from the channel pipeline, right after NIO's HTTP decoder and ahead of Hummingbird's router
/// (`LookoutHTTP1Channel`); every other request passes through untouched.
///
/// Hummingbird hands each request to a Swift task and the response back to the event loop. For a
/// query Lookout evaluates in tens of microseconds that hand-off costs more than the query
/// (measured on 2 cores: 105 µs of CPU per request through the router, under half that here;
/// README, "PromQL latency"). This handler
/// reads the request on the event loop, evaluates it exactly as the route does (same auth check,
/// parameters, endpoint handler, request metrics) on `BlockingWork`'s threads, or on
/// the event loop itself when `QueryCostMemory` knows it to be cheap, and writes the answer from
/// the event loop.
///
/// HTTP/1.1 answers requests in order: while a request of either kind is unanswered, later
/// requests on the connection wait here, and reads from the socket are held so a pipelining
/// client cannot grow the queue.
final class QueryFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// A request answered here, while its body is read.
    private struct Pending {
        var endpoint: APIEndpoint
        var path: String
        var query: String?
        var hasForm: Bool
        var authorization: String?
        var keepAlive: Bool
        var body: ByteBuffer?
        var tooLarge = false
        /// The body's bytes reserved in `InflightBytes`; 0 once released.
        var reserved = 0
        /// Set when the body did not fit `server.max_inflight_bytes`.
        var overloaded = false
        var started: ContinuousClock.Instant
    }

    private enum State {
        case idle
        case collecting(Pending)
        case answering
        /// A request refused on its head: the rest of it is dropped.
        case discarding
    }

    private let routes: PrometheusAPIRoutes
    private let table: EndpointTable
    private let auth: AuthMiddleware
    private let costs: QueryCostMemory
    private let inflight: InflightBytes
    private let logger: Logger
    private var state = State.idle
    /// Requests passed on to Hummingbird whose response has not ended yet.
    private var passedOn = 0
    /// Parts that arrived while an earlier request was unanswered, in arrival order.
    private var waiting = CircularBuffer<HTTPServerRequestPart>()
    private var readHeld = false
    private var draining = false
    private var closeWhenAnswered = false
    /// A decoding error that arrived while a request answered here was unanswered: Hummingbird
    /// answers errors at once, which would overtake that answer, so it is passed on afterwards.
    private var deferredError: (any Error)?

    private var isBusy: Bool {
        if case .answering = state { return true }
        return false
    }

    private var isIdle: Bool {
        if case .idle = state { return true }
        return false
    }

    init(runtime: LookoutRuntime, table: EndpointTable, costs: QueryCostMemory) {
        self.costs = costs
        self.table = table
        inflight = runtime.inflight
        routes = PrometheusAPIRoutes(runtime: runtime)
        auth = AuthMiddleware(tokens: runtime.config.server.tokens, table: table)
        logger = runtime.logger
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if !waiting.isEmpty || !process(part, context: context) {
            waiting.append(part)
        }
    }

    /// Handles one part in order; false when it has to wait for an earlier answer.
    private func process(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) -> Bool {
        switch (state, part) {
        case (.answering, _):
            return false
        case (.discarding, .end):
            state = .idle
        case (.discarding, _):
            break
        case (.collecting(var pending), .body(let bytes)):
            collect(bytes, into: &pending)
            state = .collecting(pending)
        case (.collecting(let pending), .end):
            state = .answering
            answer(pending, context: context)
        case (.collecting, .head):
            assertionFailure("request head before the previous request ended")
            return false
        case (.idle, .head(let head)):
            let (path, query) = Self.split(head.uri)
            guard let endpoint = endpoint(for: head, path: path) else {
                passedOn += 1
                context.fireChannelRead(wrapInboundOut(part))
                return true
            }
            guard passedOn == 0 else { return false }
            let hasForm = APIParameters.hasForm(isPost: head.method == .POST, head.headers.first(name: "content-type"))
            let pending = Pending(endpoint: endpoint, path: path, query: query, hasForm: hasForm,
                                  authorization: head.headers.first(name: "authorization"),
                                  keepAlive: head.isKeepAlive,
                                  body: hasForm ? context.channel.allocator.buffer(capacity: 0) : nil,
                                  started: .now)
            // Auth is decided on the head: a refused request is answered at once and the rest of
            // it dropped as it arrives, never buffered (nor passed on, if the connection closes).
            if let refusal = auth.refusal(path: path, authorization: pending.authorization) {
                finish(refusal, for: pending, context: context)
                state = .discarding
                return true
            }
            state = .collecting(pending)
        case (.idle, _):
            context.fireChannelRead(wrapInboundOut(part)) // the rest of a passed-on request
        }
        return true
    }

    private func collect(_ bytes: ByteBuffer, into pending: inout Pending) {
        guard pending.hasForm, !pending.tooLarge, !pending.overloaded else { return }
        guard inflight.reserve(bytes.readableBytes) else {
            pending.overloaded = true
            pending.body = nil
            inflight.release(pending.reserved)
            pending.reserved = 0
            return
        }
        pending.reserved += bytes.readableBytes
        var bytes = bytes
        if (pending.body?.readableBytes ?? 0) + bytes.readableBytes > routes.runtime.config.server.maxBodyBytes {
            pending.tooLarge = true
            pending.body = nil
            inflight.release(pending.reserved)
            pending.reserved = 0
        } else {
            pending.body?.writeBuffer(&bytes)
        }
    }

    /// The pipeline endpoint a request head is for, if any.
    private func endpoint(for head: HTTPRequestHead, path: String) -> APIEndpoint? {
        let method: HTTPRequest.Method
        switch head.method {
        case .GET: method = .get
        case .POST: method = .post
        default: return nil
        }
        return table.pipelineEndpoint(path: path, method: method)
    }

    static func split(_ target: String) -> (path: String, query: String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    // MARK: Answering

    private func answer(_ pending: Pending, context: ChannelHandlerContext) {
        if pending.overloaded {
            var reply = PrometheusAPIRoutes.failure(.unavailable(
                "request bodies held by the server are at server.max_inflight_bytes (\(inflight.limit) bytes); retry shortly"))
            reply.headers[.retryAfter] = "1"
            return finish(reply, for: pending, context: context)
        }
        if pending.tooLarge {
            return finish(routes.bodyTooLarge(), for: pending, context: context)
        }
        guard case .api(let answer) = pending.endpoint.handler else {
            preconditionFailure("\(pending.path): only .api endpoints are answered in the pipeline")
        }
        let params = APIParameters.from(query: pending.query, body: pending.body)
        inflight.release(pending.reserved) // parsed: the body's bytes are gone
        let key = pending.endpoint.costKey?(params)
        // Not while a partition write or retention holds a lock the query takes: the event loop would wait.
        if let key, costs.isCheap(key), !(routes.runtime.store?.readersWouldWait ?? false) {
            do {
                let started = ContinuousClock.now
                let reply = try answer(APICall(params: params, budget: QueryCostMemory.inlineBudget))
                costs.record(key, .now - started) // a query grown past the limit goes back to the threads
                routes.runtime.metrics.recordInlineQuery(overBudget: false)
                return finish(reply, for: pending, context: context)
            } catch where error.type == "timeout" {
                routes.runtime.metrics.recordInlineQuery(overBudget: true)
                costs.record(key, .seconds(QueryCostMemory.inlineBudget)) // over budget: not inline next time
            } catch {
                return finish(PrometheusAPIRoutes.failure(error), for: pending, context: context)
            }
        }
        let (routes, costs) = (routes, costs)
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        let submitted = ContinuousClock.now
        BlockingWork.pool.submit {
            let started = ContinuousClock.now
            let reply = PrometheusAPIRoutes.reply(answer, APICall(params: params, queued: (started - submitted).inSeconds))
            if let key { costs.record(key, .now - started) }
            loop.execute {
                let (handler, context) = bound.value
                handler.finish(reply, for: pending, context: context)
            }
        }
    }

    private func finish(_ reply: APIReply, for pending: Pending, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        for field in reply.headers { headers.add(name: field.name.rawName, value: field.value) }
        headers.add(name: "Content-Length", value: String(reply.body.readableBytes))
        headers.add(name: "Date", value: HTTPDate.now())
        headers.add(name: "Server", value: "Lookout")
        if !pending.keepAlive { headers.add(name: "Connection", value: "close") }
        let code = reply.status.code
        routes.runtime.metrics.recordRequest(path: pending.path, code: code, seconds: (ContinuousClock.now - pending.started).inSeconds)
        if code >= 500 {
            logger.warning("request failed", metadata: ["http.path": "\(pending.path)", "http.status": "\(code)"])
        }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: code), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if reply.body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(reply.body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        state = .idle
        if closeWhenAnswered || !pending.keepAlive {
            context.close(promise: nil)
            return
        }
        drain(context: context)
    }

    /// Processes waiting parts until one has to wait again, then resumes reading if it can.
    /// Answers given inline while draining return here rather than draining again themselves.
    private func drain(context: ChannelHandlerContext) {
        guard !draining else { return }
        draining = true
        defer { draining = false }
        var drained = false
        while let part = waiting.popFirst() {
            guard process(part, context: context) else {
                waiting.prepend(part)
                break
            }
            drained = true
        }
        // Hummingbird takes the parts passed on when told that a burst of reads is complete.
        if drained { context.fireChannelReadComplete() }
        if waiting.isEmpty && isIdle, let error = deferredError {
            deferredError = nil
            context.fireErrorCaught(error)
            return
        }
        if readHeld && waiting.isEmpty && !isBusy {
            readHeld = false
            context.read()
        }
    }

    // MARK: Outbound and events

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(data, promise: promise)
        if case .end = unwrapOutboundIn(data) {
            passedOn -= 1
            // Not from inside Hummingbird's write: resume once it has returned.
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.execute {
                let (handler, context) = bound.value
                handler.drain(context: context)
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        if isBusy || !waiting.isEmpty {
            readHeld = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if isIdle && waiting.isEmpty {
            context.fireErrorCaught(error)
        } else {
            deferredError = error
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A connection that closes mid-body gives its reservation back.
        if case .collecting(var pending) = state {
            inflight.release(pending.reserved)
            pending.reserved = 0
            state = .collecting(pending)
        }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Graceful shutdown: Hummingbird closes idle connections at once, and it does not know of
        // a query answered here, so that connection closes after its answer instead.
        if event is ChannelShouldQuiesceEvent, !isIdle {
            closeWhenAnswered = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
