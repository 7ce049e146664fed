/// Which exposition format a scrape body is in: Prometheus text 0.0.4 or OpenMetrics 1.0.
public enum ExpositionFormat: Sendable, Hashable {
    case prometheusText
    case openMetrics

    /// The `Content-Type` Lookout sends and expects for each format.
    public var contentType: String {
        switch self {
        case .prometheusText: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// From a `Content-Type` header; an unknown or missing type means `.prometheusText`, as
    /// Prometheus falls back to its text parser.
    public init(contentType: String?) {
        guard let contentType else {
            self = .prometheusText
            return
        }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        let trimmed = mediaType.trimmingCharacters(inSet: [" ", "\t"])
        self = trimmed.lowercased() == "application/openmetrics-text" ? .openMetrics : .prometheusText
    }
}

extension Substring {
    fileprivate func trimmingCharacters(inSet set: Set<Character>) -> Substring {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return slice
    }
}
