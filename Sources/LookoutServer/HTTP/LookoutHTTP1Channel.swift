import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// Hummingbird's HTTP/1.1 child channel with `QueryFastPath` placed right after NIO's HTTP
/// decoder: the Prometheus API's read paths are answered from NIO's own request heads, before
/// they are converted to Swift HTTP Types for Hummingbird's router (a conversion that cost more
/// than evaluating a trivial query). Everything else is set up as `HTTP1Channel` does.
struct LookoutHTTP1Channel: HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    let fastPath: @Sendable () -> QueryFastPath
    /// Upgrades `GET /loki/api/v1/tail` to a WebSocket (`LokiTailHandler`).
    let tailUpgrader: @Sendable () -> NIOWebSocketServerUpgrader

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var limits = NIOHTTPDecoderLimitConfiguration() // 80 KiB of headers, as Hummingbird
            limits.maxHeaderFieldCount = 1000
            let pipeline = channel.pipeline.syncOperations
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false, // `QueryFastPath` keeps responses in order
                withServerUpgrade: (upgraders: [tailUpgrader()], completionHandler: { _ in }),
                withErrorHandling: false,        // Hummingbird answers errors
                withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: limits
            )
            try pipeline.addHandler(fastPath())
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}
