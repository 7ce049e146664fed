import Foundation
import LookoutModel

/// Runs LogQL over a `LogQuerier`: log queries give lines (newest or oldest first, up to a limit,
/// reading only the chunks that can still make the cut), metric queries give samples (vectors,
/// matrices, scalars). Limits bite before the work: a chunk that would pass `maxLinesRead` is not
/// read, a series past `maxSeries` is not made, and the deadline is checked between chunks.
public struct LogQueryEngine: Sendable {
    public let store: any LogQuerier
    public var limits: Limits

    public struct Limits: Sendable {
        /// Lines a query may decode from the store.
        public var maxLinesRead = 20_000_000
        /// Series a range aggregation may make (Loki's `max_query_series` is 500 on the result).
        public var maxSeries = 50_000
        /// Samples a metric query may hold before it aggregates them.
        public var maxSamples = 20_000_000
        public var timeoutSeconds: Double = 60

        public init() {}
    }

    /// What a query read, for Loki's `stats.summary`.
    public struct Stats: Sendable {
        public var linesProcessed = 0
        public var bytesProcessed = 0
        public var chunksRead = 0
    }

    /// The lines a log query returns, grouped by their labels (in the order first met).
    public struct Streams: Sendable {
        public var streams: [(labels: Labels, lines: [LogQuery.Line])] = []
        public var stats = Stats()
        public var count: Int { streams.reduce(0) { $0 + $1.lines.count } }
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        /// Whether the query was refused by a limit (else the store failed).
        public var isLimit: Bool
        public var description: String { message }
    }

    public init(store: any LogQuerier, limits: Limits = .init()) {
        self.store = store
        self.limits = limits
    }

    // MARK: Log queries

    /// The newest (`forward: false`) or oldest `limit` lines in `startNs...endNs` the query keeps;
    /// lines of one time keep arrival order (forward) or its reverse (backward), as Loki's do.
    public func lines(_ query: LogQuery, startNs: Int64, endNs: Int64, limit: Int, forward: Bool) throws -> Streams {
        let deadline = Date().addingTimeInterval(limits.timeoutSeconds)
        var chunks = try store.chunks(query.matchers, startNs: startNs, endNs: endNs, mustContain: query.requiredSubstrings)
        chunks.sort { forward ? $0.minTimeNs < $1.minTimeNs : $0.maxTimeNs > $1.maxTimeNs }
        var kept: [(order: Int, line: LogQuery.Line)] = []
        var stats = Stats()
        var order = 0
        /// The time of the `limit`-th best line so far, once there are that many.
        func cut() -> Int64? {
            guard kept.count >= limit else { return nil }
            return kept[limit - 1].line.record.timestampNs
        }
        func better(_ a: (order: Int, line: LogQuery.Line), _ b: (order: Int, line: LogQuery.Line)) -> Bool {
            let (x, y) = (a.line.record.timestampNs, b.line.record.timestampNs)
            return x != y ? (forward ? x < y : x > y) : (forward ? a.order < b.order : a.order > b.order)
        }
        for chunk in chunks {
            if let cut = cut(), forward ? chunk.minTimeNs > cut : chunk.maxTimeNs < cut { break }
            try check(deadline, reading: chunk.lineCount, after: stats.linesProcessed)
            stats.chunksRead += 1
            for record in try store.lines(of: chunk) where record.timestampNs >= startNs && record.timestampNs <= endNs {
                stats.linesProcessed += 1
                stats.bytesProcessed += record.line.utf8.count
                order += 1
                if let line = query.apply(record) { kept.append((order, line)) }
            }
            if kept.count > 2 * limit {
                kept.sort(by: better)
                kept.removeLast(kept.count - limit)
            }
        }
        kept.sort(by: better)
        if kept.count > limit { kept.removeLast(kept.count - limit) }
        var result = Streams(stats: stats)
        var index: [Labels: Int] = [:]
        for (_, line) in kept {
            let labels = Labels(line.labels.filter { $0.key != "__error_details__" })
            if let i = index[labels] {
                result.streams[i].lines.append(line)
            } else {
                index[labels] = result.streams.count
                result.streams.append((labels, [line]))
            }
        }
        return result
    }

    private func check(_ deadline: Date, reading lines: Int, after read: Int) throws {
        guard read + lines <= limits.maxLinesRead else {
            throw Failure(message: "the query would read more than \(limits.maxLinesRead) log lines; narrow its selector or time range", isLimit: true)
        }
        guard Date() < deadline else {
            throw Failure(message: "the query timed out after \(Int(limits.timeoutSeconds)) s", isLimit: true)
        }
    }

    // MARK: Metric queries

    /// Evaluates a metric query at one time (ns, rounded down to ms).
    public func instant(_ query: LogMetricQuery, atNs: Int64) throws -> (QueryValue, Stats) {
        let t = atNs / 1_000_000
        var stats = Stats()
        let series = try leaves(query, steps: [t], stats: &stats)
        let engine = QueryEngine(querier: InMemoryMetricQuerier(series), options: QueryOptions(lookbackDelta: 0, timeout: limits.timeoutSeconds))
        do {
            return (Self.dropPlaceholderNames(try engine.instant(query.expr, at: t)), stats)
        } catch {
            throw Failure(message: error.message, isLimit: error.kind == .timeout)
        }
    }

    /// Evaluates a metric query at every step from `startNs` to `endNs` (ms resolution).
    public func range(_ query: LogMetricQuery, startNs: Int64, endNs: Int64, stepNs: Int64) throws -> (QueryValue, Stats) {
        let start = startNs / 1_000_000, end = endNs / 1_000_000, step = max(1, stepNs / 1_000_000)
        guard end >= start else { throw Failure(message: "the end timestamp must not be before the start time", isLimit: false) }
        guard (end - start) / step < 11_000 else {
            throw Failure(message: "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)", isLimit: true)
        }
        var steps: [Int64] = []
        var t = start
        while t <= end {
            steps.append(t)
            t += step
        }
        var stats = Stats()
        let series = try leaves(query, steps: steps, stats: &stats)
        let engine = QueryEngine(querier: InMemoryMetricQuerier(series), options: QueryOptions(lookbackDelta: 0, timeout: limits.timeoutSeconds))
        do {
            return (Self.dropPlaceholderNames(try engine.range(query.expr, start: start, end: end, step: step)), stats)
        } catch {
            throw Failure(message: error.message, isLimit: error.kind == .timeout)
        }
    }

    /// The placeholder name is the leaf's, not the user's: a bare range aggregation shows none.
    static func dropPlaceholderNames(_ value: QueryValue) -> QueryValue {
        switch value {
        case .vector(let v): return .vector(v.map { InstantSample(labels: $0.labels.droppingMetricName, sample: $0.sample) })
        case .matrix(let m): return .matrix(m.map { SeriesData(labels: $0.labels.droppingMetricName, samples: $0.samples) })
        default: return value
        }
    }

    /// Every leaf's series, named by its placeholder, with a sample at each step (ms) its window holds lines.
    func leaves(_ query: LogMetricQuery, steps: [Int64], stats: inout Stats) throws -> [SeriesData] {
        let deadline = Date().addingTimeInterval(limits.timeoutSeconds)
        var out: [SeriesData] = []
        for (i, leaf) in query.ranges.enumerated() {
            let name = LogMetricQuery.placeholder(i)
            let times = steps.map { $0 * 1_000_000 }
            let start = times.first! - leaf.offsetNs - leaf.rangeNs + 1, end = times.last! - leaf.offsetNs
            let chunks = try store.chunks(leaf.query.matchers, startNs: start, endNs: end, mustContain: leaf.query.requiredSubstrings)
            var bySeries: [Labels: [(Int64, Double)]] = [:]
            var samples = 0
            let fixedLabels = !leaf.query.changesLabels && leaf.grouping == nil && leaf.query.unwrapped == nil
            for chunk in chunks {
                try check(deadline, reading: chunk.lineCount, after: stats.linesProcessed)
                stats.chunksRead += 1
                for record in try store.lines(of: chunk) where record.timestampNs >= start && record.timestampNs <= end {
                    stats.linesProcessed += 1
                    stats.bytesProcessed += record.line.utf8.count
                    guard let line = leaf.query.apply(record) else { continue }
                    let labels = fixedLabels && record.fields.isEmpty ? record.labels : Labels(leaf.seriesLabels(line))
                    if let error = labels["__error__"] {
                        throw Failure(message: "pipeline error: '\(error)' for series: '\(labels)'. Use a label filter to intercept this error "
                                      + "(e.g. `| __error__=\"\"`)", isLimit: false)
                    }
                    guard let value = leaf.sampleValue(line) else { continue }
                    if bySeries[labels] == nil, bySeries.count >= limits.maxSeries {
                        throw Failure(message: "maximum of series (\(limits.maxSeries)) reached for a single query", isLimit: true)
                    }
                    samples += 1
                    guard samples <= limits.maxSamples else {
                        throw Failure(message: "the query would hold more than \(limits.maxSamples) samples; narrow its selector or time range", isLimit: true)
                    }
                    bySeries[labels, default: []].append((record.timestampNs, value))
                }
            }
            for key in bySeries.keys {
                if !bySeries[key]!.isSorted(by: { $0.0 <= $1.0 }) { bySeries[key]!.sort { $0.0 < $1.0 } }
            }
            if leaf.function == .absentOverTime {
                let all = bySeries.values.flatMap { $0 }.sorted { $0.0 < $1.0 }
                var counting = leaf
                counting.function = .countOverTime
                let present = Set(counting.evaluate(all, at: times).map(\.0))
                let absent = times.filter { !present.contains($0) }
                var labels = Labels(leaf.query.matchers.filter { $0.kind == .equal }.map { Label($0.name, $0.value) })
                labels = labels.setting(Labels.metricName, to: name)
                if !absent.isEmpty { out.append(SeriesData(labels: labels, samples: absent.map { Sample($0 / 1_000_000, 1) })) }
                continue
            }
            for (labels, samples) in bySeries {
                let values = leaf.evaluate(samples, at: times)
                guard !values.isEmpty else { continue }
                out.append(SeriesData(labels: labels.setting(Labels.metricName, to: name), samples: values.map { Sample($0.0 / 1_000_000, $0.1) }))
            }
        }
        return out
    }
}

extension Array {
    func isSorted(by ordered: (Element, Element) -> Bool) -> Bool {
        var i = 1
        while i < count {
            if !ordered(self[i - 1], self[i]) { return false }
            i += 1
        }
        return true
    }
}
