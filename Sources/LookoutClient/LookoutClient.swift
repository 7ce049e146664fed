import AsyncHTTPClient
import NIOCore
import Foundation
import LookoutFormats
import LookoutModel

/// A typed client of a Lookout server's HTTP APIs (Prometheus's today; logs, traces and alerts
/// as they land), for the CLI, scripts and the terminal UI. Answers decode into `LookoutModel`
/// types; a failure from the server is a `LookoutClientError` with Prometheus's `errorType`.
public struct LookoutClient: Sendable {
    /// The server, e.g. `http://127.0.0.1:4318` (no trailing slash needed).
    public let url: String
    /// A bearer token, sent with every request when set.
    public let token: String?
    let http: HTTPClient
    /// How long one request may take, answer included.
    public var timeout: TimeAmount = .seconds(130)
    /// Largest answer read.
    public var maxResponseBytes = 256 << 20

    public init(url: String, token: String? = nil, httpClient: HTTPClient = .shared) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.token = token
        self.http = httpClient
    }

    /// `GET /api/v1/query`: an instant query at `time` (RFC 3339 or unix seconds; now when nil).
    public func query(_ expr: String, time: String? = nil) async throws -> QueryResponse {
        var params = [("query", expr)]
        if let time { params.append(("time", time)) }
        return try QueryResponse(decoding: try await get("/api/v1/query", params))
    }

    /// `GET /api/v1/query_range`: a range query from `start` to `end` every `step`.
    public func queryRange(_ expr: String, start: String, end: String, step: String) async throws -> QueryResponse {
        try QueryResponse(decoding: try await get("/api/v1/query_range",
                                                  [("query", expr), ("start", start), ("end", end), ("step", step)]))
    }

    /// `GET /api/v1/series`: the label sets matching any of the selectors `matching`.
    public func series(matching: [String], start: String? = nil, end: String? = nil) async throws -> [Labels] {
        let answer = try await get("/api/v1/series", Self.selection(matching, start, end))
        return try APIEnvelope<[[String: String]]>.data(of: answer, what: "a list of series").map { Labels($0) }
    }

    /// `GET /api/v1/labels`: label names, of the series matching `matching` when given.
    public func labelNames(matching: [String] = [], start: String? = nil, end: String? = nil) async throws -> [String] {
        try APIEnvelope<[String]>.data(of: try await get("/api/v1/labels", Self.selection(matching, start, end)),
                                       what: "a list of label names")
    }

    /// `GET /api/v1/label/<name>/values`: the values of one label.
    public func labelValues(_ name: String, matching: [String] = [], start: String? = nil,
                            end: String? = nil) async throws -> [String] {
        let path = "/api/v1/label/" + (name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name) + "/values"
        return try APIEnvelope<[String]>.data(of: try await get(path, Self.selection(matching, start, end)),
                                              what: "a list of label values")
    }

    /// The spans of a trace (Tempo's trace-by-id API, in protobuf); empty when the server has none.
    public func trace(_ id: String) async throws -> [Span] {
        let (status, body) = try await get("/tempo/api/v2/traces/\(id)", [], accept: "application/protobuf")
        if status == 404 { return [] }
        guard status == 200 else {
            throw LookoutClientError(status: status, errorType: "http", message: String(decoding: body.prefix(500), as: UTF8.self))
        }
        do { return try OTLPTraceDecoder.spans(traceByIDResponse: body) } catch {
            throw LookoutClientError(status: status, errorType: "client", message: error.message)
        }
    }

    /// One trace a search found (Tempo's search API).
    public struct TraceHit: Sendable, Equatable {
        public var traceID: String
        public var rootServiceName: String
        public var rootTraceName: String
        public var startUnixNano: UInt64
        public var durationMs: Int
    }

    /// The traces a TraceQL query finds, newest first.
    public func searchTraces(traceQL: String, limit: Int = 20) async throws -> [TraceHit] {
        let (status, body) = try await get("/tempo/api/search", [("q", traceQL), ("limit", String(limit))])
        guard status == 200 else {
            throw LookoutClientError(status: status, errorType: "http", message: String(decoding: body.prefix(500), as: UTF8.self))
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let traces = json["traces"] as? [[String: Any]] else {
            throw LookoutClientError(status: status, errorType: "client", message: "the search answer is not Tempo's JSON")
        }
        return traces.map { t in
            TraceHit(traceID: t["traceID"] as? String ?? "", rootServiceName: t["rootServiceName"] as? String ?? "",
                     rootTraceName: t["rootTraceName"] as? String ?? "",
                     startUnixNano: UInt64(t["startTimeUnixNano"] as? String ?? "") ?? 0, durationMs: t["durationMs"] as? Int ?? 0)
        }
    }

    static func selection(_ matching: [String], _ start: String?, _ end: String?) -> [(String, String)] {
        matching.map { ("match[]", $0) } + [start.map { ("start", $0) }, end.map { ("end", $0) }].compactMap { $0 }
    }

    /// The status and body of `GET path?params`.
    func get(_ path: String, _ params: [(String, String)], accept: String? = nil) async throws -> (status: Int, body: [UInt8]) {
        var components = URLComponents(string: url + path)
        components?.queryItems = params.map { URLQueryItem(name: $0.0, value: $0.1) }
        // `+` means a space in a query string: PromQL's `+` must travel as %2B.
        let encoded = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = encoded
        guard let target = components?.url?.absoluteString else {
            throw LookoutClientError(status: 0, errorType: "client", message: "not a URL: \(url + path)")
        }
        var request = HTTPClientRequest(url: target)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        let response = try await http.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: maxResponseBytes)
        return (Int(response.status.code), Array(body.readableBytesView))
    }
}

/// A failed call: the HTTP status and Prometheus's `errorType` and `error`, or the client's own
/// reason (`errorType` `client`) when the answer could not be read.
public struct LookoutClientError: Error, Sendable, CustomStringConvertible {
    public let status: Int
    public let errorType: String
    public let message: String

    public init(status: Int, errorType: String, message: String) {
        self.status = status
        self.errorType = errorType
        self.message = message
    }

    public var description: String { "error (\(errorType)): \(message)" }
}
