import Foundation
import LookoutModel

/// The answer to a LogQL query (`/loki/api/v1/query_range`): lines of streams for a log query,
/// samples (as a Prometheus query's) for a metric query.
public enum LogQueryResponse: Sendable {
    /// Lines, in the order the server sent them, each with its stream's labels.
    case lines([(labels: Labels, timestampNs: Int64, line: String)])
    case samples(QueryResponse)

    init(decoding answer: (status: Int, body: [UInt8])) throws {
        guard answer.status == 200 else {
            // Loki's errors are text, not an envelope.
            throw LookoutClientError(status: answer.status, errorType: "logql",
                                     message: String(decoding: answer.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let object = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
        guard let data = object?["data"] as? [String: Any], let type = data["resultType"] as? String else {
            throw LookoutClientError(status: answer.status, errorType: "client", message: "the answer is not a Loki query result")
        }
        guard type == "streams" else {
            self = .samples(try QueryResponse(decoding: answer))
            return
        }
        var lines: [(labels: Labels, timestampNs: Int64, line: String)] = []
        for stream in (data["result"] as? [[String: Any]]) ?? [] {
            let labels = Labels(((stream["stream"] as? [String: String]) ?? [:]))
            for value in (stream["values"] as? [[Any]]) ?? [] where value.count >= 2 {
                guard let ts = (value[0] as? String).flatMap({ Int64($0) }), let line = value[1] as? String else { continue }
                lines.append((labels, ts, line))
            }
        }
        self = .lines(lines)
    }
}

extension LookoutClient {
    /// `GET /loki/api/v1/query_range`: a LogQL query over `startNs...endNs`.
    public func logQuery(_ query: String, startNs: Int64, endNs: Int64, limit: Int = 100, forward: Bool = false,
                         step: String? = nil) async throws -> LogQueryResponse {
        var params = [("query", query), ("start", String(startNs)), ("end", String(endNs)), ("limit", String(limit)),
                      ("direction", forward ? "forward" : "backward")]
        if let step { params.append(("step", step)) }
        return try LogQueryResponse(decoding: try await get("/loki/api/v1/query_range", params))
    }

    /// `GET /loki/api/v1/query`: a LogQL query at one time (ns).
    public func logInstantQuery(_ query: String, atNs: Int64, limit: Int = 100) async throws -> LogQueryResponse {
        try LogQueryResponse(decoding: try await get("/loki/api/v1/query", [("query", query), ("time", String(atNs)), ("limit", String(limit))]))
    }
}
