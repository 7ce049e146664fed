/// A storage failure: a code and a message naming the file and offset involved.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Sendable {
        /// A system call failed (`errno` in the message).
        case io
        /// Bytes on disk are not what the format says (bad CRC, impossible length) before the tail.
        case corruption
        /// SQLite returned an error.
        case index
        /// The store was closed.
        case closed
        /// The caller passed something unusable.
        case invalidArgument
        /// The store holds as much unsealed data as it may: retry once it has caught up.
        case busy
    }

    public var code: Code
    public var message: String
    /// The file involved, if any.
    public var file: String?
    /// The byte offset in `file`, if any.
    public var offset: Int64?

    public init(_ code: Code, _ message: String, file: String? = nil, offset: Int64? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.offset = offset
    }

    public var description: String {
        var out = "storage \(code.rawValue) error: \(message)"
        if let file { out += " (file \(file)" + (offset.map { ", offset \($0)" } ?? "") + ")" }
        return out
    }
}
