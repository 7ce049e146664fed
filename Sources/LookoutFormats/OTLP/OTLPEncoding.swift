import SwiftProtobuf

/// The two encodings of OTLP/HTTP, chosen by the request's `Content-Type`; the response is
/// written in the request's.
public enum OTLPEncoding: Sendable, Equatable {
    case protobuf
    case json

    /// From a `Content-Type` header (parameters such as `; charset=utf-8` ignored); nil when
    /// OTLP/HTTP does not define it (answered 415).
    public init?(contentType: String?) {
        let mediaType = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch mediaType {
        case "application/x-protobuf", "application/protobuf": self = .protobuf
        case "application/json": self = .json
        default: return nil
        }
    }

    public var contentType: String {
        switch self {
        case .protobuf: "application/x-protobuf"
        case .json: "application/json"
        }
    }
}

/// Why an OTLP request body was refused as a whole (answered 400): it does not decode.
public struct OTLPDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension OTLPEncoding {
    /// A request message from its body: protobuf, or OTLP/JSON (hex ids, unknown fields ignored).
    static func message<M: SwiftProtobuf.Message>(_ type: M.Type, _ body: [UInt8], _ encoding: OTLPEncoding,
                                                   name: String) throws(OTLPDecodeError) -> M {
        do {
            switch encoding {
            case .protobuf:
                return try M(serializedBytes: body)
            case .json:
                var options = JSONDecodingOptions()
                options.ignoreUnknownFields = true
                return try M(jsonUTF8Bytes: OTLPJSONIDs.rewrite(body), options: options)
            }
        } catch {
            throw OTLPDecodeError("the body is not an OTLP \(name) in \(encoding == .json ? "JSON" : "protobuf"): \(error)")
        }
    }
}
