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
        if tokens.isEmpty || Self.openPaths.contains(request.uri.path) {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            return Self.refuse(.unauthorized, "missing bearer token: send Authorization: Bearer <token>")
        }
        let presented = Array(header.dropFirst("Bearer ".count).utf8)
        guard let token = tokens.first(where: { Self.constantTimeEqual(Array($0.token.utf8), presented) }) else {
            return Self.refuse(.unauthorized, "unknown bearer token")
        }
        let needsIngest = Self.ingestPrefixes.contains { request.uri.path.hasPrefix($0) }
        let allowed = token.role == .admin || (needsIngest ? token.role == .ingest : token.role == .query)
        guard allowed else {
            return Self.refuse(.forbidden, "a \(token.role.rawValue) token may not use \(request.uri.path)")
        }
        return try await next(request, context)
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

    static func refuse(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        var writer = JSONWriter()
        writer.object { writer in
            writer.field("status", "error")
            writer.field("errorType", "unauthorized")
            writer.field("error", message)
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: writer.buffer))
    }
}
