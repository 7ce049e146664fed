/// Why an exposition body was rejected, with the 1-based line and column (in bytes) where the
/// problem was found; renders as `"3:17: expected '=' after label name"`.
public struct ExpositionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String
    /// The body broke an `ExpositionLimits` limit (it may be well formed).
    public let limitExceeded: Bool

    public init(line: Int, column: Int, message: String, limitExceeded: Bool = false) {
        self.line = line
        self.column = column
        self.message = message
        self.limitExceeded = limitExceeded
    }

    public var description: String { "\(line):\(column): \(message)" }
}
