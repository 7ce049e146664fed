import Synchronization

/// The in-memory fake of a metric store for tests: `MetricAppender` and `MetricQuerier` over plain
/// arrays, with the store's rules for refs (one per label set), out-of-order and duplicate samples.
public final class InMemoryMetricStore: MetricAppender, MetricQuerier {
    private struct State {
        var refOfLabels: [Labels: SeriesRef] = [:]
        var labels: [Labels] = []
        var samples: [[Sample]] = []
        var appendCalls = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func seriesRef(for labels: Labels) throws -> SeriesRef {
        state.withLock { s in
            if let known = s.refOfLabels[labels] { return known }
            let ref = SeriesRef(id: UInt64(s.labels.count + 1))
            s.refOfLabels[labels] = ref
            s.labels.append(labels)
            s.samples.append([])
            return ref
        }
    }

    /// The labels of a ref this store handed out.
    public func labels(of ref: SeriesRef) -> Labels? {
        state.withLock { s in ref.id >= 1 && ref.id <= UInt64(s.labels.count) ? s.labels[Int(ref.id - 1)] : nil }
    }

    /// Append calls so far (both kinds).
    public var appendCalls: Int { state.withLock { $0.appendCalls } }

    public func append(refs batch: [(ref: SeriesRef, sample: Sample)], waitUntilDurable: Bool) async throws -> AppendResult {
        try state.withLock { s in
            s.appendCalls += 1
            var result = AppendResult()
            for (ref, sample) in batch {
                guard ref.id >= 1 && ref.id <= UInt64(s.labels.count) else {
                    throw InMemoryStoreError(message: "unknown series ref \(ref.id)")
                }
                let i = Int(ref.id - 1)
                if let last = s.samples[i].last {
                    if sample.timestamp < last.timestamp { result.outOfOrder += 1; continue }
                    if sample.timestamp == last.timestamp {
                        if sample.value.bitPattern != last.value.bitPattern { result.duplicates += 1 }
                        continue
                    }
                }
                s.samples[i].append(sample)
                result.appended += 1
            }
            return result
        }
    }

    public func append(_ batch: [(labels: Labels, sample: Sample)]) async throws -> AppendResult {
        var refs: [(ref: SeriesRef, sample: Sample)] = []
        var added = 0
        for (labels, sample) in batch {
            let known = state.withLock { $0.refOfLabels[labels] != nil }
            if !known { added += 1 }
            refs.append((try seriesRef(for: labels), sample))
        }
        var result = try await append(refs: refs, waitUntilDurable: true)
        result.seriesAdded = added
        return result
    }

    private var snapshot: InMemoryMetricQuerier {
        state.withLock { s in
            InMemoryMetricQuerier(zip(s.labels, s.samples).map { SeriesData(labels: $0.0, samples: $0.1) })
        }
    }

    public func select(_ matchers: [LabelMatcher], start: Int64, end: Int64) throws -> [SeriesData] {
        try snapshot.select(matchers, start: start, end: end)
    }

    public func series(matching: [[LabelMatcher]], start: Int64, end: Int64) throws -> [Labels] {
        try snapshot.series(matching: matching, start: start, end: end)
    }
}

/// A ref the in-memory store never handed out.
public struct InMemoryStoreError: Error, Sendable {
    public let message: String
}
