/// An error from parsing or evaluating a PromQL query, classified like Prometheus's HTTP API
/// error types (`bad_data`, `execution`, `timeout`, `canceled`).
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error class; its raw value is the Prometheus `errorType`.
    public enum Kind: String, Sendable {
        case badData = "bad_data", execution, timeout, canceled
    }

    public let kind: Kind
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func badData(_ message: String) -> QueryError { QueryError(kind: .badData, message: message) }
    static func execution(_ message: String) -> QueryError { QueryError(kind: .execution, message: message) }

    /// A parse error at a UTF-8 byte offset of `text`, rendered `line:col: parse error: message`.
    static func parse(_ message: String, at offset: Int, in text: String) -> QueryError {
        var line = 1
        var lastBreak = -1
        for (i, byte) in text.utf8.enumerated() {
            if i >= offset { break }
            if byte == UInt8(ascii: "\n") {
                line += 1
                lastBreak = i
            }
        }
        let col = offset - lastBreak
        return QueryError(kind: .badData, message: "\(line):\(col): parse error: \(message)")
    }
}
