import Foundation
import LookoutFormats
import LookoutModel
import LookoutQuery
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// `GET /loki/api/v1/tail` once upgraded to a WebSocket: every second, the lines the query keeps
/// that arrived since the last message, sent as Loki's tail messages
/// (`{"streams":[{"stream":{…},"values":[["<ns>","<line>"]]}],"dropped_entries":null}`), oldest
/// first; the first message holds up to `limit` lines from `start` (default the last hour). Each
/// query runs on a query thread, never on the event loop, and reads at most `limit` lines.
final class LokiTailHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let engine: LogQueryEngine
    let query: LogQuery
    let limit: Int
    private var since: Int64
    /// Lines at `since` already sent (their time and text), so equal times are not sent twice.
    private var sentAtSince = Set<String>()
    private var task: RepeatedTask?
    private var running = false
    private var closed = false

    static let maxLimit = 5000

    init(engine: LogQueryEngine, query: LogQuery, startNs: Int64, limit: Int) {
        self.engine = engine
        self.query = query
        self.since = startNs
        self.limit = limit
    }

    /// The handler for an upgrade request's URI, or why there is none (a bad query, a bad parameter).
    static func make(uri: String, runtime: LookoutRuntime) -> Result<LokiTailHandler, APIError> {
        make(APIParameters.from(query: uri.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init), body: nil), runtime: runtime)
    }

    static func make(_ params: APIParameters, runtime: LookoutRuntime) -> Result<LokiTailHandler, APIError> {
        guard let text = params["query"], !text.isEmpty else { return .failure(.badData("query parameter is missing")) }
        let query: LogQuery
        do { query = try LogQLParser.parse(text) } catch { return .failure(.badData(error.description)) }
        guard let store = runtime.logStore else { return .failure(.unavailable("Lookout is starting: the WAL is still being replayed")) }
        let limit = min(params["limit"].flatMap { Int($0) } ?? 100, maxLimit)
        let start = params["start"].flatMap { Int64($0) }.flatMap { LogTimestamp.fromEpoch($0) } ?? WallClock.nowNanoseconds() - 3_600_000_000_000
        return .success(LokiTailHandler(engine: LogQueryEngine(store: store, limits: runtime.config.logs.queryLimits),
                                        query: query, startNs: start, limit: max(1, limit)))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let box = NIOLoopBound((self, context), eventLoop: loop)
        task = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .seconds(1)) { _ in
            let (handler, context) = box.value
            handler.tick(context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        task?.cancel()
        closed = true
    }

    /// Starts one query off the event loop unless one is running; its lines are written back on it.
    private func tick(_ context: ChannelHandlerContext) {
        guard !running, !closed else { return }
        running = true
        let (engine, query, since, limit, sent) = (engine, query, since, limit, sentAtSince)
        let loop = context.eventLoop
        let box = NIOLoopBound((self, context), eventLoop: loop)
        DispatchQueue.global().async {
            let result = Result { try engine.lines(query, startNs: since, endNs: WallClock.nowNanoseconds(), limit: limit, forward: true) }
            loop.execute {
                let (handler, context) = box.value
                handler.running = false
                guard !handler.closed else { return }
                switch result {
                case .success(let streams): handler.send(streams, already: sent, context)
                case .failure(let error): handler.close(context, code: .unexpectedServerError, reason: "\(error)")
                }
            }
        }
    }

    private func send(_ result: LogQueryEngine.Streams, already sent: Set<String>, _ context: ChannelHandlerContext) {
        var w = JSONWriter()
        var count = 0
        var newest = since
        var atNewest = sent
        w.object { w in
            w.key("streams")
            w.array { w in
                for stream in result.streams {
                    let fresh = stream.lines.filter { !($0.record.timestampNs == since && sent.contains("\($0.record.timestampNs) \($0.text)")) }
                    guard !fresh.isEmpty else { continue }
                    count += fresh.count
                    w.object { w in
                        w.key("stream")
                        w.object { w in for l in stream.labels { w.field(l.name, l.value) } }
                        w.key("values")
                        w.array { w in for line in fresh { w.array { w in w.string(String(line.record.timestampNs)); w.string(line.text) } } }
                    }
                    for line in stream.lines {
                        let t = line.record.timestampNs
                        if t > newest { newest = t; atNewest = [] }
                        if t == newest { atNewest.insert("\(t) \(line.text)") }
                    }
                }
            }
            w.null("dropped_entries")
        }
        since = newest
        sentAtSince = atNewest
        guard count > 0 else { return }
        var buffer = context.channel.allocator.buffer(capacity: w.bytes.count)
        buffer.writeBytes(w.bytes)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .connectionClose: close(context, code: .normalClosure, reason: "")
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        default: break // the client has nothing to say to a tail
        }
    }

    private func close(_ context: ChannelHandlerContext, code: WebSocketErrorCode, reason: String) {
        guard !closed else { return }
        closed = true
        task?.cancel()
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(String(reason.prefix(120)))
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))).whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closed = true
        task?.cancel()
        context.close(promise: nil)
    }
}

extension LokiTailHandler {
    static let path = "/loki/api/v1/tail"

    /// The WebSocket upgrader for `path`. Every upgrade request to it is upgraded; one the auth
    /// check refuses, or whose query does not parse, gets a close frame (1008) whose reason says
    /// why, since a refused upgrade would leave the client without an answer.
    static func upgrader(runtime: LookoutRuntime, table: EndpointTable) -> NIOWebSocketServerUpgrader {
        let auth = AuthMiddleware(tokens: runtime.config.server.tokens, table: table)
        return NIOWebSocketServerUpgrader(
            shouldUpgrade: { channel, head in
                let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
                return channel.eventLoop.makeSucceededFuture(path == Self.path ? HTTPHeaders() : nil)
            },
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    let handler: any ChannelHandler
                    if let refusal = auth.refusal(path: Self.path, authorization: head.headers.first(name: "authorization")) {
                        handler = WebSocketRefusal(reason: refusal.status == .forbidden ? "forbidden: a query token is needed" : "unauthorized: send Authorization: Bearer <token>")
                    } else {
                        switch make(uri: head.uri, runtime: runtime) {
                        case .success(let tail): handler = tail
                        case .failure(let error): handler = WebSocketRefusal(reason: error.message)
                        }
                    }
                    // At the front of the pipeline, with a frame codec of its own: the handler
                    // consumes every frame, so the HTTP handlers behind it (idle since the upgrade,
                    // and NIO's codec added after them) never see a byte, and its writes reach the
                    // socket through its encoder alone.
                    try channel.pipeline.syncOperations.addHandlers(
                        [WebSocketFrameEncoder(), ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: 1 << 14)), handler],
                        position: .first)
                }
            })
    }
}

/// Answers an upgraded connection with one close frame (1008, policy violation) saying why, then closes.
final class WebSocketRefusal: ChannelInboundHandler, Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame
    let reason: String

    init(reason: String) { self.reason = reason }

    func handlerAdded(context: ChannelHandlerContext) {
        var data = context.channel.allocator.buffer(capacity: 2 + 123)
        data.write(webSocketErrorCode: .policyViolation)
        data.writeString(String(reason.utf8.prefix(120)) ?? "refused")
        let frame = wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        // After the upgrade has finished rearranging the pipeline.
        let box = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let context = box.value
            context.writeAndFlush(frame).whenComplete { _ in context.close(promise: nil) }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
