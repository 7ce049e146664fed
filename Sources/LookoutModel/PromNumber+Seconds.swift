extension PromNumber {
    /// Milliseconds as seconds the way Prometheus's API and OpenMetrics print times:
    /// `1435781451.781`, `1435781451.5`, `1435781451`.
    public static func seconds(_ milliseconds: Int64) -> String {
        let sign = milliseconds < 0 ? "-" : ""
        let magnitude = milliseconds.magnitude
        let whole = magnitude / 1000
        let rest = magnitude % 1000
        if rest == 0 { return sign + String(whole) }
        var fraction = String(rest)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(sign)\(whole).\(fraction)"
    }
}

extension Duration {
    /// The duration in seconds, as metrics report it.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
