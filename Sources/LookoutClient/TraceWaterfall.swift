import LookoutModel

/// A trace as an indented waterfall for a terminal: one line per span in tree order (children
/// under their parent, by start), with its offset from the trace's start, its duration, a bar on
/// a shared time scale, its service, and errors marked.
public enum TraceWaterfall {
    public static func render(_ spans: [Span], width: Int = 30) -> String {
        guard let start = spans.map(\.startUnixNano).min(), let end = spans.map(\.endUnixNano).max() else { return "no spans\n" }
        let total = max(end - start, 1)
        let byParent = Dictionary(grouping: spans) { $0.parentSpanID }
        let ids = Set(spans.map(\.spanID))
        // Roots, and spans whose parent has not arrived, start a tree each.
        let tops = spans.filter { !$0.parentSpanID.isValid || !ids.contains($0.parentSpanID) }.sorted { $0.startUnixNano < $1.startUnixNano }
        let services = Set(spans.map(\.serviceName)).count
        var out = "trace \(spans[0].traceID.hex) · \(spans.count) span\(spans.count == 1 ? "" : "s") · \(services) service\(services == 1 ? "" : "s") · \(duration(total))\n"
        let nameWidth = min(48, spans.map { $0.name.count }.max() ?? 0) + 2 * min(8, depthLimit(spans))
        var visited = Set<SpanID>()
        func line(_ s: Span, _ depth: Int) {
            guard visited.insert(s.spanID).inserted else { return } // a cycle in hostile data
            let offset = s.startUnixNano - start
            let from = Int(Double(offset) / Double(total) * Double(width))
            let length = max(1, Int((Double(s.durationNano) / Double(total) * Double(width)).rounded()))
            let bar = String(repeating: " ", count: min(from, width - 1)) + String(repeating: "█", count: min(length, width - min(from, width - 1)))
            let label = String(repeating: "  ", count: min(depth, 8)) + s.name
            var text = pad(duration(offset), 10) + " " + pad(label, nameWidth) + "  " + pad(bar, width) + "  "
                + pad(duration(s.durationNano), 10) + "  " + s.serviceName
            if s.kind != .unspecified && s.kind != .internal { text += " [\(s.kind.shortName)]" }
            if s.status.code == .error { text += "  ✗ error" + (s.status.message.isEmpty ? "" : ": \(s.status.message)") }
            out += text + "\n"
            for child in (byParent[s.spanID] ?? []).sorted(by: { $0.startUnixNano < $1.startUnixNano }) { line(child, depth + 1) }
        }
        for top in tops { line(top, 0) }
        return out
    }

    static func depthLimit(_ spans: [Span]) -> Int {
        let parent = Dictionary(spans.map { ($0.spanID, $0.parentSpanID) }, uniquingKeysWith: { a, _ in a })
        var deepest = 0
        for s in spans {
            var d = 0
            var p = s.parentSpanID
            while p.isValid, d < 64, let next = parent[p] { d += 1; p = next }
            deepest = max(deepest, d)
        }
        return deepest
    }

    /// `850µs`, `12.3ms`, `4.56s`.
    public static func duration(_ nanos: UInt64) -> String {
        let n = Double(nanos)
        if n < 1e3 { return "\(nanos)ns" }
        if n < 1e6 { return trimmed(n / 1e3) + "µs" }
        if n < 1e9 { return trimmed(n / 1e6) + "ms" }
        return trimmed(n / 1e9) + "s"
    }

    static func trimmed(_ v: Double) -> String {
        let text = v >= 100 ? String(Int(v.rounded())) : String((v * 10).rounded() / 10)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
}
