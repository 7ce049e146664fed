import Hummingbird
import LookoutFormats

/// One push call (OTLP, JSON lines, Loki): its headers and its body, read within `server.max_body_bytes`
/// and `server.max_inflight_bytes` and, for `Content-Encoding: gzip` or `deflate`, inflated within
/// `server.max_body_bytes` too. The reservation is released once the handler returns.
struct PushRequest: Sendable {
    var headers: HTTPFields
    var body: [UInt8]

    var contentType: String? { headers[.contentType] }

    /// Why a body was refused before its handler saw it.
    enum Refusal: Error {
        case tooLarge(limit: Int)
        case busy
        case malformedGzip(String)
        case unsupportedEncoding(String)
        /// The connection failed while the body was read.
        case unreadable(String)
    }

    /// Reads `request`'s body. `inflight` holds the bytes kept (raw and inflated) until `release`.
    static func read(_ request: Request, maxBodyBytes: Int, inflight: InflightBytes) async throws -> (PushRequest, reserved: Int) {
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        if let declared, declared > maxBodyBytes { throw Refusal.tooLarge(limit: maxBodyBytes) }
        let encoding = request.headers[.contentEncoding]?.lowercased() ?? "identity"
        guard ["identity", "gzip", "deflate"].contains(encoding) else { throw Refusal.unsupportedEncoding(encoding) }
        // Without a length, the whole cap is reserved; gzip and deflate reserve the inflated cap as well.
        let reserved = (declared ?? maxBodyBytes) + (encoding == "identity" ? 0 : maxBodyBytes)
        guard inflight.reserve(reserved) else { throw Refusal.busy }
        do {
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: maxBodyBytes)
            } catch let error as HTTPResponseError where error.status == .contentTooLarge {
                throw Refusal.tooLarge(limit: maxBodyBytes)
            }
            var body = Array(buffer.readableBytesView)
            if encoding != "identity" {
                do {
                    body = try GzipBody.inflate(body, limit: maxBodyBytes, deflate: encoding == "deflate")
                } catch .tooLarge(let limit) {
                    throw Refusal.tooLarge(limit: limit)
                } catch .malformed(let why) {
                    throw Refusal.malformedGzip(why)
                }
            }
            return (PushRequest(headers: request.headers, body: body), reserved)
        } catch {
            inflight.release(reserved)
            throw error
        }
    }
}
