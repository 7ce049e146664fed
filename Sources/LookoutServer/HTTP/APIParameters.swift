import Foundation
import Hummingbird
import LookoutModel

/// The parameters of a Prometheus-style API call: the URL query merged with a form-encoded POST body.
struct APIParameters {
    private(set) var values: [String: [String]] = [:]

    static let minTime: Int64 = -9_223_372_036_854_775 // as Prometheus's MinTime, in ms
    static let maxTime: Int64 = 9_223_372_036_854_775

    init(_ pairs: [(String, String)]) {
        for (key, value) in pairs { values[key, default: []].append(value) }
    }

    static func from(_ request: inout Request, maxBodyBytes: Int) async throws -> APIParameters {
        var pairs = parseForm(request.uri.query ?? "")
        if request.method == .post,
           request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") ?? false {
            let body = try await request.collectBody(upTo: maxBodyBytes)
            pairs += parseForm(String(buffer: body))
        }
        return APIParameters(pairs)
    }

    static func parseForm(_ text: String) -> [(String, String)] {
        text.split(separator: "&").compactMap { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(pieces[0]) else { return nil }
            let value = pieces.count > 1 ? decode(pieces[1]) ?? "" : ""
            return (name, value)
        }
    }

    static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    subscript(name: String) -> String? { values[name]?.first }
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// A time parameter (RFC 3339 or unix seconds) in ms, or `fallback` when absent.
    func time(_ name: String, default fallback: Int64) throws(APIError) -> Int64 {
        guard let text = self[name], !text.isEmpty else { return fallback }
        guard let ms = Self.parseTime(text) else {
            throw APIError.badData("invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid timestamp")
        }
        return ms
    }

    /// A duration parameter (seconds as a float, or a Prometheus duration) in ms.
    func duration(_ name: String) throws(APIError) -> Int64? {
        guard let text = self[name], !text.isEmpty else { return nil }
        if let seconds = Double(text) {
            if let ms = Self.milliseconds(seconds) { return ms }
        } else if let ms = PromDuration.parse(text) {
            return ms
        }
        throw APIError.badData("invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid duration")
    }

    /// Parses unix seconds (with fractions) or RFC 3339.
    static func parseTime(_ text: String) -> Int64? {
        if let seconds = Double(text) { return milliseconds(seconds) }
        return RFC3339.parse(text)
    }

    /// Seconds to milliseconds, or nil when not finite or beyond what Prometheus accepts.
    static func milliseconds(_ seconds: Double) -> Int64? {
        let ms = (seconds * 1000).rounded()
        guard ms.isFinite, ms >= Double(minTime), ms <= Double(maxTime) else { return nil }
        return Int64(ms)
    }
}

/// An API failure in Prometheus's terms: `errorType` plus message, rendered with its HTTP status.
struct APIError: Error {
    let type: String
    let message: String
    let status: HTTPResponse.Status

    static func badData(_ message: String) -> APIError { APIError(type: "bad_data", message: message, status: .badRequest) }
    static func execution(_ message: String) -> APIError { APIError(type: "execution", message: message, status: .unprocessableContent) }
    static func timeout(_ message: String) -> APIError { APIError(type: "timeout", message: message, status: .serviceUnavailable) }
    static func unavailable(_ message: String) -> APIError { APIError(type: "unavailable", message: message, status: .serviceUnavailable) }
    static func internalError(_ message: String) -> APIError { APIError(type: "internal", message: message, status: .internalServerError) }
}
