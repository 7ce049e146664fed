import LookoutModel

/// Spans not yet in a block: appended batches in WAL order, with their spans by trace id for
/// lookups. The highest WAL batch sequence number held says which WAL records it covers.
struct TraceHead {
    var spans: [Span] = []
    var byTrace: [TraceID: [Int32]] = [:]
    var maxSeq: UInt64 = 0
    /// When the oldest span here arrived (monotonic seconds), for sealing by age.
    var firstArrival: Double?

    var isEmpty: Bool { spans.isEmpty }

    mutating func add(_ batch: [Span], seq: UInt64, now: Double) {
        if firstArrival == nil { firstArrival = now }
        for s in batch {
            byTrace[s.traceID, default: []].append(Int32(spans.count))
            spans.append(s)
        }
        maxSeq = max(maxSeq, seq)
    }

    func spans(of trace: TraceID) -> [Span] {
        (byTrace[trace] ?? []).map { spans[Int($0)] }
    }
}
