import Hummingbird
import LookoutFormats
import LookoutModel

/// Bearer-token auth for `server.auth.tokens`. With no tokens configured every request passes.
///
/// 1. Each path needs the role its `EndpointTable` declaration names: `open` ones (probes,
///    `/metrics`) none, `query` ones a `query` token, `ingest` ones an `ingest` token; an `admin`
///    token may call every path. A path no endpoint serves needs a `query` token.
/// 2. The scheme is matched without regard to case (RFC 7235); tokens are compared in constant
///    time, so timing does not reveal a prefix.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let tokens: [AuthToken]
    let table: EndpointTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = refusal(path: request.uri.path, method: request.method, authorization: request.headers[.authorization]) {
            return refusal.response
        }
        return try await next(request, context)
    }

    /// The 401/403 answer for a request to `path` with this `Authorization` header, or nil when
    /// it may pass. Shared with `QueryFastPath`.
    func refusal(path: String, method: HTTPRequest.Method? = nil, authorization: String?) -> APIReply? {
        if tokens.isEmpty { return nil }
        let role = table.role(for: path, method: method)
        if role == .open { return nil }
        guard let header = authorization, header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            return Self.refuse(.unauthorized, "missing bearer token: send Authorization: Bearer <token>")
        }
        guard let token = Self.token(header, in: tokens) else {
            return Self.refuse(.unauthorized, "unknown bearer token")
        }
        let allowed = token.role == .admin || token.role.rawValue == role.rawValue
        guard allowed else {
            return Self.refuse(.forbidden, "a \(token.role.rawValue) token may not use \(path)")
        }
        return nil
    }

    /// The configured token an `Authorization: Bearer …` header presents, if any.
    static func token(_ authorization: String?, in tokens: [AuthToken]) -> AuthToken? {
        guard let header = authorization, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let presented = Array(header.dropFirst(7).drop(while: { $0 == " " }).utf8)
        return tokens.first { Self.constantTimeEqual(Array($0.token.utf8), presented) }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }

    static func refuse(_ status: HTTPResponse.Status, _ message: String) -> APIReply {
        var reply = APIReply.json(PrometheusEnvelope.error(type: "unauthorized", message: message), status: status)
        if status == .unauthorized { reply.headers[.wwwAuthenticate] = "Bearer" }
        return reply
    }
}
