import Hummingbird
import LookoutFormats

/// One finished answer of the HTTP API (status, headers, body bytes): what the Hummingbird routes
/// and the query fast path (`QueryFastPath`) both send, so the two cannot drift apart.
struct APIReply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer

    static func json(_ writer: JSONWriter, status: HTTPResponse.Status) -> APIReply {
        APIReply(status: status, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: writer.bytes))
    }

    var response: Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
