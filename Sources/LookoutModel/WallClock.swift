import Foundation

/// Wall-clock time as Lookout stores it: milliseconds since the Unix epoch.
public enum WallClock {
    public static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}

/// The version `lookout` reports in `User-Agent`, `/api/v1/status/buildinfo` and `--version`.
public enum BuildInfo {
    public static let version = "0.1.0"
}
