import Foundation
import LookoutModel

/// The answer to a query: its result, and the body as the server sent it (for `--output json`).
public struct QueryResponse: Sendable {
    public let result: QueryValue
    public let body: [UInt8]

    /// Decodes a Prometheus API query answer; a `status: error` answer (or a non-JSON one)
    /// throws `LookoutClientError`.
    public init(decoding answer: (status: Int, body: [UInt8])) throws {
        body = answer.body
        result = try APIEnvelope<ResultData>.data(of: answer, what: "a query result").result
    }

    private struct ResultData: Decodable {
        var result: QueryValue

        enum Keys: String, CodingKey { case resultType, result }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            switch try c.decode(String.self, forKey: .resultType) {
            case "vector":
                result = .vector(try c.decode([VectorItem].self, forKey: .result).map {
                    InstantSample(labels: Labels($0.metric), sample: $0.value.sample)
                })
            case "matrix":
                result = .matrix(try c.decode([MatrixItem].self, forKey: .result).map {
                    SeriesData(labels: Labels($0.metric), samples: $0.values.map(\.sample))
                })
            case "scalar":
                result = .scalar(try c.decode(Point.self, forKey: .result).sample)
            case "string":
                let point = try c.decode(StringPoint.self, forKey: .result)
                result = .string(point.text, point.time)
            case let other:
                throw DecodingError.dataCorruptedError(forKey: .resultType, in: c, debugDescription: "unknown resultType \(other)")
            }
        }
    }

    private struct VectorItem: Decodable { var metric: [String: String]; var value: Point }
    private struct MatrixItem: Decodable { var metric: [String: String]; var values: [Point] }

    /// `[<unix seconds>, "<value>"]`.
    private struct Point: Decodable {
        var sample: Sample
        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            let seconds = try c.decode(Double.self)
            let text = try c.decode(String.self)
            guard let value = PromValue.parse(text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a sample value: \(text)")
            }
            sample = Sample(Int64((seconds * 1000).rounded()), value)
        }
    }

    private struct StringPoint: Decodable {
        var time: Int64
        var text: String
        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            time = Int64((try c.decode(Double.self) * 1000).rounded())
            text = try c.decode(String.self)
        }
    }
}

/// Prometheus's JSON envelope around an answer's `data`, decoded: the data, or the server's error.
struct APIEnvelope<Payload: Decodable>: Decodable {
    var status: String
    var data: Payload?
    var errorType: String?
    var error: String?

    /// The `data` of a success; a `LookoutClientError` for an error or an answer that is not
    /// `what` it should be.
    static func data(of answer: (status: Int, body: [UInt8]), what: String) throws -> Payload {
        let envelope: APIEnvelope
        do {
            envelope = try JSONDecoder().decode(APIEnvelope.self, from: Data(answer.body))
        } catch {
            let text = String(decoding: answer.body.prefix(200), as: UTF8.self)
            throw LookoutClientError(status: answer.status, errorType: "client",
                                     message: "the server did not answer \(what) (HTTP \(answer.status)): \(text)")
        }
        guard envelope.status == "success", let data = envelope.data else {
            throw LookoutClientError(status: answer.status, errorType: envelope.errorType ?? "unknown",
                                     message: envelope.error ?? "no error message")
        }
        return data
    }
}

/// Sample values as Prometheus writes them: decimal numbers, `NaN`, `+Inf`, `-Inf`.
enum PromValue {
    static func parse(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(text)
        }
    }
}
