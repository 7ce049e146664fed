/// A log line's severity, normalised: `warn`, `warning` and `WARN` are one level. The raw values
/// are the names Loki's `detected_level` uses.
public enum LogLevel: UInt8, Hashable, Sendable, CaseIterable {
    case unknown = 0, trace, debug, info, warn, error, fatal

    public var name: String {
        switch self {
        case .unknown: "unknown"
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .warn: "warn"
        case .error: "error"
        case .fatal: "fatal"
        }
    }

    /// The level a `level`/`severity` text names, or `.unknown`.
    public init(text: String) {
        switch text.lowercased() {
        case "trace", "trc": self = .trace
        case "debug", "dbg", "d": self = .debug
        case "info", "information", "informational", "inf", "i", "notice": self = .info
        case "warn", "warning", "wrn", "w": self = .warn
        case "error", "err", "e", "eror": self = .error
        case "fatal", "critical", "crit", "panic", "emerg", "emergency", "alert", "ftl", "f": self = .fatal
        default: self = .unknown
        }
    }

    /// The level of an OTLP severity number (1–4 trace, 5–8 debug, 9–12 info, 13–16 warn,
    /// 17–20 error, 21–24 fatal).
    public init(severityNumber: Int) {
        switch severityNumber {
        case 1...4: self = .trace
        case 5...8: self = .debug
        case 9...12: self = .info
        case 13...16: self = .warn
        case 17...20: self = .error
        case 21...24: self = .fatal
        default: self = .unknown
        }
    }
}
