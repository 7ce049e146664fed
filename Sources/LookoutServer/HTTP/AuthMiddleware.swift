import Hummingbird
import LookoutModel

/// Bearer-token auth for `server.auth.tokens`. With no tokens configured every request passes.
///
/// 1. `/-/healthy`, `/-/ready` and `/metrics` are open, like Prometheus's probes.
/// 2. Ingest paths need an `ingest` or `admin` token; everything else needs `query` or `admin`.
/// 3. Tokens are compared in constant time, so timing does not reveal a prefix.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let tokens: [AuthToken]

    static let openPaths: Set<String> = ["/-/healthy", "/-/ready", "/metrics"]
    static let ingestPrefixes = ["/v1/", "/loki/api/v1/push", "/api/v1/logs", "/api/v1/write"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = refusal(path: request.uri.path, authorization: request.headers[.authorization]) {
            return refusal.response
        }
        return try await next(request, context)
    }

    /// The 401/403 answer for a request to `path` with this `Authorization` header, or nil when
    /// it may pass. Shared with `QueryFastPath`.
    func refusal(path: String, authorization: String?) -> APIReply? {
        if tokens.isEmpty || Self.openPaths.contains(path) { return nil }
        guard let header = authorization, header.hasPrefix("Bearer ") else {
            return Self.refuse(.unauthorized, "missing bearer token: send Authorization: Bearer <token>")
        }
        let presented = Array(header.dropFirst("Bearer ".count).utf8)
        guard let token = tokens.first(where: { Self.constantTimeEqual(Array($0.token.utf8), presented) }) else {
            return Self.refuse(.unauthorized, "unknown bearer token")
        }
        let needsIngest = Self.ingestPrefixes.contains { path.hasPrefix($0) }
        let allowed = token.role == .admin || (needsIngest ? token.role == .ingest : token.role == .query)
        guard allowed else {
            return Self.refuse(.forbidden, "a \(token.role.rawValue) token may not use \(path)")
        }
        return nil
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
        var writer = JSONWriter()
        writer.object { writer in
            writer.field("status", "error")
            writer.field("errorType", "unauthorized")
            writer.field("error", message)
        }
        var reply = APIReply.json(writer, status: status)
        if status == .unauthorized { reply.headers[.wwwAuthenticate] = "Bearer" }
        return reply
    }
}
