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
        let body = hasForm(isPost: request.method == .post, request.headers[.contentType])
            ? try await request.collectBody(upTo: maxBodyBytes) : nil
        return from(query: request.uri.query, body: body)
    }

    /// Whether a request's body holds parameters: a form-encoded POST.
    static func hasForm(isPost: Bool, _ contentType: String?) -> Bool {
        isPost && (contentType?.hasPrefix("application/x-www-form-urlencoded") ?? false)
    }

    /// The URL query's pairs followed by the form body's.
    static func from(query: String?, body: ByteBuffer?) -> APIParameters {
        var pairs = parseForm(query ?? "")
        if let body { pairs += parseForm(String(buffer: body)) }
        return APIParameters(pairs)
    }

    /// Splits `a=1&b=2` and decodes `+` and `%XX`; a pair whose name does not decode is skipped.
    static func parseForm(_ text: String) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for part in text.utf8.split(separator: UInt8(ascii: "&")) {
            let equals = part.firstIndex(of: UInt8(ascii: "="))
            guard let name = decode(part[..<(equals ?? part.endIndex)]) else { continue }
            let value = equals.map { decode(part[part.index(after: $0)...]) ?? "" } ?? ""
            pairs.append((name, value))
        }
        return pairs
    }

    /// URL form decoding of one name or value; nil for a malformed escape or invalid UTF-8.
    static func decode(_ bytes: Substring.UTF8View.SubSequence) -> String? {
        guard bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(Substring(bytes))
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                let high = bytes.index(after: index)
                guard high < bytes.endIndex, bytes.index(after: high) < bytes.endIndex,
                      let h = hexValue(bytes[high]), let l = hexValue(bytes[bytes.index(after: high)]) else { return nil }
                out.append(h << 4 | l)
                index = bytes.index(after: high)
            } else {
                out.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(validating: out, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
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
