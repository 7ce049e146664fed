import Foundation

/// RFC 3339 times, as Prometheus's API accepts and prints them (`2015-07-01T20:10:51.781Z`).
public enum RFC3339 {
    /// Milliseconds since the epoch, or nil when the text is not RFC 3339.
    public static func parse(_ text: String) -> Int64? {
        let date = (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
        guard let date else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// UTC with milliseconds.
    public static func format(_ milliseconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
