import Foundation

/// Wall-clock time as Lookout stores it: milliseconds since the Unix epoch.
public enum WallClock {
    public static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    /// Nanoseconds since the Unix epoch (log times).
    public static func nowNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// The version `lookout` reports in `User-Agent`, `/api/v1/status/buildinfo` and `--version`.
public enum BuildInfo {
    public static let version = "0.1.0"
}
