/// A span's status: OTLP's code (UNSET 0, OK 1, ERROR 2) and message.
public struct SpanStatus: Hashable, Sendable {
    /// OTLP's status codes, with their wire numbers.
    public enum Code: UInt8, Sendable, CaseIterable {
        case unset = 0, ok, error

        /// `STATUS_CODE_ERROR`…, as OTLP's enum and Tempo's span metrics name them.
        public var otlpName: String {
            switch self {
            case .unset: "STATUS_CODE_UNSET"
            case .ok: "STATUS_CODE_OK"
            case .error: "STATUS_CODE_ERROR"
            }
        }

        /// `unset`, `ok`, `error`, as TraceQL names them.
        public var shortName: String {
            switch self {
            case .unset: "unset"
            case .ok: "ok"
            case .error: "error"
            }
        }
    }

    public var code: Code
    public var message: String

    public init(code: Code = .unset, message: String = "") {
        self.code = code
        self.message = message
    }
}
