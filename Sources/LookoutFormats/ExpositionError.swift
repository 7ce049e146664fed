/// Why an exposition body was rejected, with the 1-based line and column (in bytes) where the
/// problem was found; renders as `"3:17: expected '=' after label name"`.
public struct ExpositionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(line):\(column): \(message)" }
}
