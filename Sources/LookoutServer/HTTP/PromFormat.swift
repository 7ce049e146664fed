import LookoutModel

/// How Prometheus's HTTP API prints numbers: sample values as `PromNumber` does, times as seconds
/// with up to three decimals.
enum PromFormat {
    static func value(_ v: Double) -> String { PromNumber.format(v) }

    /// Milliseconds as a JSON number of seconds: `1435781451.781`, `1435781451`.
    static func time(_ ms: Int64) -> String {
        let sign = ms < 0 ? "-" : ""
        let magnitude = ms.magnitude
        let seconds = magnitude / 1000
        let rest = magnitude % 1000
        if rest == 0 { return sign + String(seconds) }
        var fraction = String(rest)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(sign)\(seconds).\(fraction)"
    }
}
